"""The process's tracer: none until a composition root sets one up with an exporter."""

from __future__ import annotations

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import Tracer

from shared.settings import TracingSettings

INSTRUMENTATION = "bahi"

_tracer: Tracer | None = None
_provider: TracerProvider | None = None


def setup_tracing(settings: TracingSettings, service: str, *, exporter: SpanExporter | None = None) -> bool:
    """Trace this process as `service` (the `service.name` of its spans) when `settings` name an
    OTLP endpoint, or `exporter` is given (tests: an in-memory one); otherwise tracing is off.
    The latest call decides; returns whether tracing is on."""
    global _tracer, _provider
    if _provider is not None:  # set up anew (tests): the old one sends what it has and stops its thread
        _provider.shutdown()
    _tracer = _provider = None
    url = settings.traces_url
    if exporter is None and url is None:
        return False
    provider = TracerProvider(
        sampler=ParentBased(TraceIdRatioBased(settings.trace_sample_ratio)),
        resource=Resource.create({"service.name": service}),
    )
    provider.add_span_processor(BatchSpanProcessor(exporter or OTLPSpanExporter(endpoint=url)))
    _provider = provider
    _tracer = provider.get_tracer(INSTRUMENTATION)
    return True


def active_tracer() -> Tracer | None:
    """The tracer, or None when tracing is off: the one check the code on the flow makes."""
    return _tracer


def flush_tracing(timeout_seconds: float = 5.0) -> None:
    """Send the ended spans now: at a service's shutdown. A SIGTERM that uvicorn re-raises after
    its shutdown ends the process without running `atexit`, where the SDK would flush them."""
    if _provider is not None:
        _provider.force_flush(int(timeout_seconds * 1000))
