"""`python -m command_service`: serve the command API."""

import uvicorn

from command_service.bootstrap import create_app
from command_service.settings import Settings
from shared.logging import setup_logging


def main() -> None:
    settings = Settings()
    setup_logging("command", settings.log_level)
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
