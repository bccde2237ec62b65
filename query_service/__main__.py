"""`python -m query_service`: serve the read API."""

import uvicorn

from query_service.app import create_app
from query_service.settings import Settings
from shared.logging import setup_logging


def main() -> None:
    settings = Settings()
    setup_logging("query", settings.log_level)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        loop="uvloop",
        http="httptools",
    )


if __name__ == "__main__":
    main()
