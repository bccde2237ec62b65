"""Settings every service shares, declared once: each service's `Settings` class inherits the
parts it uses and adds its own. Read once at start-up by a composition root, from the
environment (prefix `BAHI_`); nothing else reads the environment."""

from pydantic_settings import BaseSettings, SettingsConfigDict


class BahiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BAHI_", extra="ignore")

    host: str = "127.0.0.1"
    log_level: str = "INFO"


class KafkaSettings(BahiSettings):
    kafka_bootstrap: str = "127.0.0.1:9092"
    topic_prefix: str = "bahi"
    topic_partitions: int = 3


class MongoSettings(BahiSettings):
    mongo_url: str = "mongodb://127.0.0.1:27017"
    mongo_db: str = "bahi"


class DatabaseSettings(BahiSettings):
    database_url: str = "postgresql://bahi@127.0.0.1:5432/bahi"
