"""Reading a whole statement over HTTP (the query service's cursor pages) once it holds the entry
of a stream's head: a statement is a projection of its own, which may be behind the account or
wallet view a test waited for."""

from __future__ import annotations

from typing import Any

import httpx


async def statement_at(reads: httpx.AsyncClient, path: str, stream: str, head: int) -> list[dict[str, Any]]:
    """Every entry of `{path}/statement`, newest first, once it has the one of `stream`'s version
    `head` (each bounded wait asked again, 100 times at most)."""
    caught_up = {"X-Consistency-Token": f"{stream}:{head}:0"}
    for _ in range(100):
        first = await reads.get(f"{path}/statement", params={"limit": 1}, headers=caught_up)
        if first.status_code == 200 and "X-Consistency-Timeout" not in first.headers:
            break
    assert "X-Consistency-Timeout" not in first.headers, f"{stream}'s statement never reached {head}"
    entries: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = await reads.get(f"{path}/statement", params=params)
        assert page.status_code == 200, page.text
        body = page.json()
        entries += body["items"]
        cursor = body.get("next_cursor")
        if not cursor:
            return entries
