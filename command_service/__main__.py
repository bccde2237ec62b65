"""`python -m command_service`: serve the command API."""

from command_service.bootstrap import create_app
from command_service.settings import Settings
from shared.logging import setup_logging
from shared.web import serve


def main() -> None:
    settings = Settings()
    setup_logging("command", settings.log_level)
    serve(create_app(settings), host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
