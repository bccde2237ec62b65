"""W3C `traceparent` values to and from OpenTelemetry contexts, and the current span."""

from __future__ import annotations

from opentelemetry.context import Context
from opentelemetry.trace import SpanContext, get_current_span
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.util.types import AttributeValue

from shared.tracing import setup

_W3C = TraceContextTextMapPropagator()


def traceparent_of(context: SpanContext) -> str:
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{context.trace_flags:02x}"


def current_traceparent() -> str | None:
    """The current span's context as a `traceparent`, or None: tracing is off, or no span."""
    if setup.active_tracer() is None:
        return None
    context = get_current_span().get_span_context()
    return traceparent_of(context) if context.is_valid else None


def parent_context(traceparent: str | None) -> Context | None:
    """A context whose (remote) span is the one `traceparent` names, or None when it names none."""
    if not traceparent:
        return None
    context = _W3C.extract({"traceparent": traceparent})
    return context if get_current_span(context).get_span_context().is_valid else None


def note(key: str, value: AttributeValue) -> None:
    """An attribute of the current span, when tracing is on."""
    if setup.active_tracer() is not None:
        get_current_span().set_attribute(key, value)
