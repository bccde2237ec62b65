"""`python -m command_service.sagas`: run every context's process managers (health, metrics and
/status on BAHI_SAGA_PORT)."""

import asyncio

from command_service.sagas.runner import serve
from command_service.settings import Settings
from shared.logging import setup_logging


def main() -> None:
    settings = Settings()
    setup_logging("saga", settings.log_level)
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
