"""Configuration of the command service, the relay and the process managers: read once, from
the environment. Each context's own settings (`command_service.<context>.settings`) are read
beside it by the same composition root."""

from shared.settings import AuthSettings, DatabaseSettings, KafkaSettings, RateLimitSettings, TracingSettings


class Settings(KafkaSettings, DatabaseSettings, TracingSettings, AuthSettings, RateLimitSettings):
    db_pool_min: int = 2
    db_pool_max: int = 20
    port: int = 8001
    max_conflict_retries: int = 5

    # process managers (python -m command_service.sagas)
    saga_port: int = 8005
    saga_tick_seconds: float = 1.0

    # relay
    relay_port: int = 8004
    relay_batch_size: int = 2000
    relay_poll_seconds: float = 0.5
    relay_name: str = "main"
    cloudevents_source: str = "/bahi/command-service"
