"""What the benchmarks write and read: realistic event payloads (an OrderPlaced with one
line, the metadata a command carries), the feed queries, and a fast way to fill a store."""

from __future__ import annotations

from typing import Any

import asyncpg

from shared.envelope import EventMetadata

DATA: dict[str, Any] = {
    "order_id": "ord-0000000000",
    "customer_id": "cust-123456",
    "items": [
        {
            "sku": "PHONE-1",
            "name": "Redmi Note 13",
            "category": "electronics",
            "quantity": 1,
            "unit_price_paise": 1499900,
            "line_total_paise": 1499900,
            "gst_rate_percent": 18,
            "gst_paise": 269982,
        }
    ],
    "shipping_address": {
        "name": "Asha",
        "line1": "12 MG Road",
        "city": "Bengaluru",
        "state": "KA",
        "pincode": "560001",
    },
    "payment_method": "UPI",
    "subtotal_paise": 1499900,
    "gst_paise": 269982,
    "total_paise": 1769882,
    "placed_at": "2026-11-28T06:00:00+00:00",
}
METADATA = EventMetadata(
    correlation_id="corr-0f8e2d1c",
    causation_id="cmd-0f8e2d1c",
    command_id="cmd-0f8e2d1c",
    actor="cust-123456",
    traceparent="00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
)
META_DICT = METADATA.model_dump(exclude_none=True)
RESPONSE = {"order_id": "ord-0000000000", "status": "PLACED", "total_paise": 1769882}
SMALL_DATA: dict[str, Any] = {"order_id": "ord-0000000000", "status": "CONFIRMED"}
SMALL_META: dict[str, Any] = {"correlation_id": "corr-0f8e2d1c"}

COLUMNS = "event_id, stream_id, stream_type, version, position, event_type, schema_version, data, metadata, recorded_at"
READ_ALL = f"SELECT {COLUMNS} FROM bahi_events WHERE position > $1 ORDER BY position LIMIT $2"
COMMITTED = f"""SELECT {COLUMNS}, tx_id::text::bigint AS tx FROM bahi_events
                 WHERE (tx_id, position) > ($1::text::xid8, $2)
                   AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
                 ORDER BY tx_id, position LIMIT $3"""
_POPULATE = """INSERT INTO bahi_events
                   (event_id, stream_id, stream_type, version, event_type, schema_version, data, metadata)
               SELECT gen_random_uuid(), 'ord-' || (g / 10), 'order', g % 10 + 1, 'OrderPlaced', 1,
                      $1::jsonb || jsonb_build_object('n', g), $2::jsonb
               FROM generate_series($3::bigint, $4::bigint) g"""


async def populate(pool: asyncpg.Pool, count: int, chunk: int = 2000, *, small: bool = False) -> None:
    """Rows as bahi_append writes them, one transaction per chunk (so many transaction ids)."""
    data, meta = (SMALL_DATA, SMALL_META) if small else (DATA, META_DICT)
    for start in range(0, count, chunk):
        await pool.execute(_POPULATE, data, meta, start, min(start + chunk, count) - 1)
    await pool.execute("VACUUM ANALYZE bahi_events")
