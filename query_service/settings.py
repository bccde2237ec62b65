"""Configuration of the query service: read once, from the environment (prefix `BAHI_`), by
the composition root. `mongo_url`, `mongo_db`, `host`, `log_level`, the tracing and the auth ones
are the shared ones (`shared.settings`)."""

from shared.settings import AuthSettings, MongoSettings, TracingSettings


class Settings(MongoSettings, TracingSettings, AuthSettings):
    port: int = 8002
    consistency_wait_seconds: float = 3.0
    mongo_pool_size: int = 100
    # Single-document reads share one `$in` query per batch: reads/loader.py.
    read_batch_max: int = 64
    read_batch_in_flight: int = 2
