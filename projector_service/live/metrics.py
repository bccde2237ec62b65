"""The projector's Prometheus metrics (served on /metrics): what `status` prints, as
gauges refreshed by the running projector, plus counters of what it consumed."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from projector_service.live.status import ProjectionStatus

_PARTITION = ["projection", "topic", "partition"]

EVENTS = Counter("bahi_projector_events_total", "Events consumed by a projection", ["projection"])
PARKED = Counter("bahi_projector_parked_total", "Events parked by the live projector", ["projection", "status"])
BATCH_SECONDS = Histogram("bahi_projector_batch_seconds", "Time to apply one batch", ["projection"])
APPLIED_AGE = Histogram(
    "bahi_projector_applied_age_seconds",
    "Time from an event's record timestamp on Kafka to its batch being written",
    ["projection"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
BATCH_FAILURES = Counter("bahi_projector_batch_failures_total", "Batches that failed and come again", ["projection"])

COMMITTED = Gauge("bahi_projector_committed_offset", "Offset committed by the live consumer group", _PARTITION)
END = Gauge("bahi_projector_end_offset", "End offset of the partition", _PARTITION)
LAG_EVENTS = Gauge("bahi_projector_lag_events", "Events not applied yet", _PARTITION)
LAG_SECONDS = Gauge("bahi_projector_lag_seconds", "Age of the oldest event not applied yet", _PARTITION)
PARKED_NOW = Gauge("bahi_projector_parked_events", "Events parked in the live collection now", ["projection"])
REBUILDS = Gauge("bahi_projector_rebuilds_in_progress", "Rebuilds running", ["projection"])
REBUILD_PROGRESS = Gauge(
    "bahi_projector_rebuild_progress_ratio", "Events replayed / events to replay", ["projection", "collection"]
)


def export(statuses: list[ProjectionStatus]) -> None:
    REBUILD_PROGRESS.clear()  # finished rebuilds disappear
    for status in statuses:
        for p in status.partitions:
            labels = (status.projection, p.topic, str(p.partition))
            COMMITTED.labels(*labels).set(p.committed if p.committed is not None else -1)
            END.labels(*labels).set(p.end)
            LAG_EVENTS.labels(*labels).set(p.lag)
            LAG_SECONDS.labels(*labels).set(p.lag_seconds)
        PARKED_NOW.labels(status.projection).set(status.parked)
        REBUILDS.labels(status.projection).set(len(status.rebuilds))
        for rebuild in status.rebuilds:
            ratio = rebuild["consumed"] / rebuild["total"] if rebuild.get("total") else 0.0
            REBUILD_PROGRESS.labels(status.projection, rebuild["collection"]).set(ratio)
