"""Configuration of the projector: read once, from the environment."""

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BAHI_", extra="ignore")

    kafka_bootstrap: str = "127.0.0.1:9092"
    topic_prefix: str = "bahi"
    topic_partitions: int = 3
    mongo_url: str = "mongodb://127.0.0.1:27017"
    mongo_db: str = "bahi"
    group_prefix: str = "bahi.projector"
    batch_max_records: int = 1000
    host: str = "127.0.0.1"
    projector_port: int = 8003
    log_level: str = "INFO"
