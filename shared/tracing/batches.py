"""One span per distinct trace of a batch: a relay batch or a projector batch holds events of
many commands, each event carrying its command's `traceparent`; a span per trace, a child of
that command's span, puts the batch's work into every trace it serves."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from opentelemetry.trace import Span, SpanKind, StatusCode, Tracer
from opentelemetry.util.types import AttributeValue

from shared.tracing.context import parent_context

BATCH_SIZE = "messaging.batch.message_count"
DESTINATION = "messaging.destination.name"


class BatchSpans:
    """The spans of one batch, all ended together: `end` when the work is done (or failed)."""

    __slots__ = ("spans",)

    def __init__(self, spans: list[Span]) -> None:
        self.spans = spans

    def end(self, error: BaseException | None = None) -> None:
        for span in self.spans:
            if error is not None:
                span.record_exception(error)
                span.set_status(StatusCode.ERROR, f"{type(error).__name__}: {error}")
            span.end()
        self.spans = []

    def end_with(self, done: asyncio.Future[Any]) -> None:
        """`end` as a future's done callback: failed if the future failed or was cancelled."""
        if done.cancelled():
            self.end(asyncio.CancelledError())
        else:
            self.end(done.exception())


NO_SPANS = BatchSpans([])
"""What a batch has when tracing is off: ending it does nothing."""


def batch_spans(
    tracer: Tracer,
    operation: str,
    traces: Mapping[tuple[str, str], int],
    *,
    kind: SpanKind,
    attributes: Mapping[str, AttributeValue],
) -> BatchSpans:
    """Started spans, one per (traceparent, destination) of `traces` (how many of its events
    the batch holds), each named "<operation> <destination>" as OpenTelemetry's messaging
    conventions name them, with `attributes`. A malformed `traceparent` gets none."""
    spans = []
    for (traceparent, destination), count in traces.items():
        parent = parent_context(traceparent)
        if parent is not None:
            own = {**attributes, DESTINATION: destination, BATCH_SIZE: count}
            spans.append(tracer.start_span(f"{operation} {destination}", parent, kind, attributes=own))
    return BatchSpans(spans)
