"""Configuration of the query service: read once, from the environment."""

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BAHI_", extra="ignore")

    mongo_url: str = "mongodb://127.0.0.1:27017"
    mongo_db: str = "bahi"
    host: str = "127.0.0.1"
    port: int = 8002
    consistency_wait_seconds: float = 3.0
    log_level: str = "INFO"
    mongo_pool_size: int = 100
    # Single-document reads (order, product) share one `$in` query per batch: views/loader.py.
    read_batch_max: int = 64
    read_batch_in_flight: int = 2
