"""Stream types: what a context declares about each kind of aggregate stream.

A stream type names a Kafka topic (`<prefix>.<name>.events`) and how its stream ids are
made: `id_prefix` + the aggregate's key (a SKU, a wallet id). Readers map a stream id back
to its type and key with the catalogue (`shared.contexts.catalog`), never with a literal.
"""

from __future__ import annotations

from dataclasses import dataclass

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$"
"""Client- and server-made ids (customers, orders, payments): printable, no spaces or slashes."""


@dataclass(frozen=True)
class StreamType:
    name: str
    id_prefix: str
    """Every stream id of this type starts with it ("" when ids carry no prefix)."""
    key_is_stream_id: bool = False
    """True when views key their documents by the whole stream id (orders), False when by the
    key after the prefix (products by SKU)."""

    def stream_id(self, key: str) -> str:
        return key if self.key_is_stream_id else f"{self.id_prefix}{key}"

    def key(self, stream_id: str) -> str:
        return stream_id if self.key_is_stream_id else stream_id.removeprefix(self.id_prefix)

    def owns(self, stream_id: str) -> bool:
        return bool(self.id_prefix) and stream_id.startswith(self.id_prefix)


def topic_for(stream_type: str, prefix: str = "bahi") -> str:
    """One topic per aggregate type (Kafka contract)."""
    return f"{prefix}.{stream_type}.events"
