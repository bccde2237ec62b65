"""Settings every service shares, declared once: each service's `Settings` class inherits the
parts it uses and adds its own. Read once at start-up by a composition root, from the
environment (prefix `BAHI_`); nothing else reads the environment."""

from pydantic import AliasChoices, Field
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


class TracingSettings(BahiSettings):
    """Traces (`shared.tracing`): sent to an OTLP/HTTP collector when an endpoint is set, off
    (no exporter) when none is. The endpoint comes from OpenTelemetry's standard variables, so
    a collector set up for other services finds these too: `OTEL_EXPORTER_OTLP_ENDPOINT` (the
    collector's base URL, `v1/traces` appended) or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (the full
    URL, first if both are set); or as `BAHI_OTLP_ENDPOINT` / `BAHI_OTLP_TRACES_ENDPOINT`. The
    exporter reads the other `OTEL_EXPORTER_OTLP_*` variables (headers, timeout, compression)
    itself, the batch processor its `OTEL_BSP_*` ones."""

    model_config = SettingsConfigDict(validate_by_name=True, validate_by_alias=True)

    otlp_endpoint: str = Field("", validation_alias=AliasChoices("BAHI_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"))
    otlp_traces_endpoint: str = Field(
        "", validation_alias=AliasChoices("BAHI_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )
    # Of the traces that start here (no sampled parent): the share recorded. A trace continued
    # from a traceparent keeps its parent's decision, so a trace is whole or absent.
    trace_sample_ratio: float = Field(1.0, ge=0.0, le=1.0)

    @property
    def traces_url(self) -> str | None:
        """Where spans are sent, or None: tracing is off."""
        if self.otlp_traces_endpoint:
            return self.otlp_traces_endpoint
        if self.otlp_endpoint:
            return self.otlp_endpoint.rstrip("/") + "/v1/traces"
        return None
