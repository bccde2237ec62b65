"""The generic read machinery every context's views use: coalesced single-document loads
(`DocumentLoader`), coalesced read-your-writes waits (`VersionWatcher`) and keyset pages
(`fetch_page`). It names no context: read models are passed in by name."""

from query_service.reads.loader import Document, DocumentLoader
from query_service.reads.paging import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    CursorError,
    Page,
    PageQuery,
    decode_cursor,
    encode_cursor,
    fetch_page,
)
from query_service.reads.watch import VersionWatcher

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "CursorError",
    "Document",
    "DocumentLoader",
    "Page",
    "PageQuery",
    "VersionWatcher",
    "decode_cursor",
    "encode_cursor",
    "fetch_page",
]
