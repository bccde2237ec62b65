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
    mongo_ready_seconds: float = 1.0
    """/readyz's MongoDB ping gives up after this long (a 503), instead of waiting the driver's
    server selection (30 s by default) while the server is gone: under a probe's timeout."""


class DatabaseSettings(BahiSettings):
    database_url: str = "postgresql://bahi@127.0.0.1:5432/bahi"


class AuthSettings(BahiSettings):
    """Bearer tokens (`shared.auth`): JWTs signed by a key of the JWKS document at
    `auth_jwks_file`, at `auth_jwks_url` or given as `auth_jwks` (the document itself, e.g. a
    secret's value; exactly one of the three), with this issuer and audience. Only the
    algorithms listed are accepted (asymmetric by default; HS256 only if listed here, with an
    `oct` key in the JWKS). `auth_disabled` switches authentication off: every request is then
    unrestricted, and the service logs a warning at start-up saying so. Never in an image's
    defaults."""

    auth_disabled: bool = False
    auth_jwks_file: str = ""
    auth_jwks_url: str = ""
    auth_jwks: str = ""
    auth_issuer: str = "bahi-local"
    auth_audience: str = "bahi"
    auth_algorithms: str = "ES256,RS256"
    """Comma-separated: the `alg` values a token may have."""
    auth_leeway_seconds: float = Field(30.0, ge=0, le=300)
    """Clock skew allowed on `exp`, `nbf` and `iat`."""
    auth_jwks_refresh_seconds: float = Field(300.0, gt=0)
    """How old the key set may grow before the next verification reads it again; a token
    naming an unknown `kid` reads it at once (at most every `auth_jwks_cooldown_seconds`)."""
    auth_jwks_cooldown_seconds: float = Field(10.0, ge=0)
    auth_token_cache_size: int = Field(10_000, ge=0)
    """Verified tokens remembered (by their bytes, until they expire); 0: verify every request."""


class RateLimitSettings(BahiSettings):
    """Token buckets per principal (the token's subject) and per client address (as uvicorn
    reports it: behind a proxy, list the proxy in FORWARDED_ALLOW_IPS); 0 per second: no limit.
    Per process: each replica keeps its own buckets."""

    rate_limit_principal_per_second: float = Field(100.0, ge=0)
    rate_limit_principal_burst: int = Field(200, ge=1)
    rate_limit_client_per_second: float = Field(1000.0, ge=0)
    rate_limit_client_burst: int = Field(2000, ge=1)


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
