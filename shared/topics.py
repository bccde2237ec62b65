"""Kafka topic names: one topic per aggregate type (DESIGN.md, Kafka)."""

STREAM_TYPES = ("order", "product")


def topic_for(stream_type: str, prefix: str = "bahi") -> str:
    return f"{prefix}.{stream_type}.events"
