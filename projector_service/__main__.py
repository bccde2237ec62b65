"""`python -m projector_service`: run every projection (health and metrics on BAHI_PROJECTOR_PORT)."""

import uvicorn

from projector_service.app import create_app
from projector_service.settings import Settings
from shared.logging import setup_logging


def main() -> None:
    settings = Settings()
    setup_logging("projector", settings.log_level)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.projector_port,
        log_config=None,
        access_log=False,
        loop="uvloop",
    )


if __name__ == "__main__":
    main()
