"""Configuration of the projector and its CLI (rebuild, status, parked): read once, from the
environment (prefix `BAHI_`), by the composition root (`app`) or a CLI command. Kafka, MongoDB,
the event store's URL (only `rebuild --from-store` reads it), host, log level and tracing are the
shared settings (`shared.settings`); the rest is the projector's own."""

from shared.settings import DatabaseSettings, KafkaSettings, MongoSettings, TracingSettings


class Settings(KafkaSettings, MongoSettings, DatabaseSettings, TracingSettings):
    group_prefix: str = "bahi.projector"
    batch_timeout_ms: int = 25
    batch_max_records: int = 1000
    # Documents each live projection remembers having written (a guess checked by the version
    # guard): a batch of remembered documents is one bulk write instead of a read and a write.
    live_cache_docs: int = 5000
    # Seconds a look that found nothing parked stands for the next batches (the parking lot's
    # `empty_for`; 0: look before every batch). Forgotten on a rebalance and on parking.
    parked_check_seconds: float = 1.0
    # Records the live projections of this process share decoded (each projection consumes every
    # record of its topics under its own group: the first to get one decodes it for the others).
    shared_decoded_records: int = 10_000
    projector_port: int = 8003
    # Comma-separated names of the projections this process runs; empty: all of them.
    projections: str = ""

    # Static group membership: a projector restarted under the same id takes its
    # partitions back at once instead of waiting for the old session to time out.
    projector_instance_id: str | None = None
    kafka_session_timeout_ms: int = 10_000
    kafka_heartbeat_interval_ms: int = 3_000
    # Exponential backoff (capped) before a failed batch is redelivered: a MongoDB
    # or Kafka outage makes the projector wait, not spin.
    retry_backoff_max_seconds: float = 5.0

    # Blue/green rebuilds.
    rebuild_batch_max_records: int = 20_000
    # Documents a rebuild remembers instead of reading them back (each is held in memory whole).
    rebuild_cache_docs: int = 100_000
    rebuild_grace_seconds: float = 60.0
    # A rebuild whose heartbeat is older than this died (SIGKILL, OOM): `status` reports it abandoned
    # and the next rebuild of its read model drops its target.
    rebuild_stale_seconds: float = 30.0

    # How often the running projector refreshes its lag gauges and drops retired collections.
    status_interval_seconds: float = 10.0

    @property
    def projection_names(self) -> list[str]:
        return [name.strip() for name in self.projections.split(",") if name.strip()]

    @property
    def dlq_topic(self) -> str:
        return f"{self.topic_prefix}.dlq"
