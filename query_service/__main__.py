"""`python -m query_service`: serve the read API."""

from query_service.app import create_app
from query_service.settings import Settings
from shared.logging import setup_logging
from shared.web import serve


def main() -> None:
    settings = Settings()
    setup_logging("query", settings.log_level)
    serve(create_app(settings), host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
