"""Configuration of the command service and the relay: read once, from the environment."""

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BAHI_", extra="ignore")

    database_url: str = "postgresql://bahi@127.0.0.1:5432/bahi"
    db_pool_min: int = 2
    db_pool_max: int = 20
    host: str = "127.0.0.1"
    port: int = 8001
    max_conflict_retries: int = 5
    log_level: str = "INFO"
    return_window_days: float = 7.0
    # a snapshot every N events per aggregate type (0: never); see command_service/loading.py
    snapshot_every_product: int = 100
    snapshot_every_order: int = 50

    # payment saga (python -m command_service.sagas)
    payment_timeout_seconds: float = 900.0
    saga_port: int = 8005
    saga_tick_seconds: float = 1.0

    # relay
    kafka_bootstrap: str = "127.0.0.1:9092"
    topic_prefix: str = "bahi"
    topic_partitions: int = 3
    relay_port: int = 8004
    relay_batch_size: int = 2000
    relay_poll_seconds: float = 0.5
    relay_name: str = "main"
    cloudevents_source: str = "/bahi/command-service"
