"""Traces across the one flow (OpenTelemetry): the set-up each composition root calls once
(`setup_tracing`), and the few helpers the code on the flow uses.

Spans: each HTTP request of the command and query services (`TraceRequests`, their fast
reads included; the answer names its trace in a `traceresponse` header), the event store's
append, the relay's send and the projector's apply. An event stores the context of the
command's span as its metadata's `traceparent` (sent on as the CloudEvents extension), and
the relay and the projector continue that trace: their batches mix events of many traces,
so a batch gets one span per distinct trace (`batch_spans`), each a child of that trace's
command. So one trace id leads from a command's answer to the projector's span of its events.

Off (the default: no OTLP endpoint in `TracingSettings`) there is no tracer: the code on the
flow checks one module global (`active_tracer()`) per request or batch and makes no span and
no context, and the HTTP middleware is not installed at all. On, ended spans go to the
collector in batches, from the SDK's own thread.

The tracer provider is this module's, not OpenTelemetry's global one: the global one can be
set only once per process (tests build services in one process, each set up anew), and setting
it would switch on FastAPI's own request spans in apps that do not turn them off.
"""

from shared.tracing.batches import NO_SPANS, BatchSpans, batch_spans
from shared.tracing.context import current_traceparent, note, parent_context, traceparent_of
from shared.tracing.http import TraceRequests, trace_requests
from shared.tracing.setup import active_tracer, flush_tracing, setup_tracing

__all__ = [
    "NO_SPANS",
    "BatchSpans",
    "TraceRequests",
    "active_tracer",
    "batch_spans",
    "current_traceparent",
    "flush_tracing",
    "note",
    "parent_context",
    "setup_tracing",
    "trace_requests",
    "traceparent_of",
]
