"""Read-your-writes across services: wait, bounded, until a view has caught up.

A command answers with a consistency token `stream:version:position`. Given it
(header `X-Consistency-Token`) or `min_version`, a read waits until its view's
document reaches that version (`reads.watch.VersionWatcher`), or the deadline
passes; then it answers anyway and says so in `X-Consistency-Timeout: true`.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"^(?P<stream>[A-Za-z0-9][A-Za-z0-9_.:@-]{0,199}):(?P<version>\d{1,18}):(?P<position>\d{1,18})$")


class TokenError(ValueError):
    """A consistency token this API did not hand out."""


def parse_token(token: str) -> tuple[str, int]:
    """(stream id, version) of a token."""
    match = _TOKEN.match(token.strip())
    if match is None:
        raise TokenError("expected <stream>:<version>:<position> as returned by a command")
    return match["stream"], int(match["version"])


def min_version_for(stream_id: str, token: str | None, min_version: int | None) -> int | None:
    """The version a read of `stream_id` must wait for; a token about another stream asks nothing."""
    wanted = min_version
    if token:
        stream, version = parse_token(token)
        if stream == stream_id:
            wanted = max(wanted or 0, version)
    return wanted
