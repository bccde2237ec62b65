"""One way to write a command route: `CommandMeta` (a dependency: Idempotency-Key, If-Match,
actor, correlation and trace metadata) and `run_command` (dispatch, then the 2xx answer with the
consistency token). A context's routes are a line or two each on top of these. The actor is the
subject of the request's bearer token (`shared.auth`), never a header the client picks, and a
client's Idempotency-Key is recorded in that subject's own namespace (`client_key`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated
from uuid import uuid4

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse

from command_service.handling import Command, Envelope
from shared import tracing
from shared.auth import principal_in
from shared.envelope import EventMetadata
from shared.web import InvalidInputError

# At most 18 digits: every version the pattern admits is one a stream can reach (BIGINT), so
# the document's pattern is the whole rule.
_IF_MATCH_PATTERN = r'^(?:W/)?"([0-9]{1,18})"$'
_KEY_PATTERN = r"^[\x21-\x7e]{1,200}$"
_IF_MATCH = re.compile(_IF_MATCH_PATTERN)
_KEY = re.compile(_KEY_PATTERN)


@dataclass(frozen=True)
class CommandMeta:
    idempotency_key: str | None
    """As the store records it (`client_key`), not as the header gave it."""
    expected_version: int | None
    metadata: EventMetadata


def client_key(subject: str | None, key: str) -> str:
    """A client's Idempotency-Key as the store records it: in its principal's own namespace
    (the subject's length first, so no two subjects' namespaces overlap). Two customers using the
    same key never meet, and a client's key can never be the record of someone else's movement id
    (`topup:<wallet>:<id>`) or of a process manager's step (`saga-…`), none of which begins with
    `http:`: no client can pre-empt another's command by sending its key first."""
    owner = subject or ""
    return f"http:{len(owner)}:{owner}:{key}"


async def _command_meta(
    request: Request,
    # The patterns document what is checked below (a 422 naming the header), as the check says it.
    key: Annotated[str | None, Header(alias="Idempotency-Key", json_schema_extra={"pattern": _KEY_PATTERN})] = None,
    if_match: Annotated[str | None, Header(alias="If-Match", json_schema_extra={"pattern": _IF_MATCH_PATTERN})] = None,
) -> CommandMeta:
    if key is not None and not _KEY.match(key):
        raise InvalidInputError("Idempotency-Key", "1 to 200 printable characters")
    expected = None
    if if_match is not None:
        match = _IF_MATCH.match(if_match.strip())
        if match is None:
            raise InvalidInputError("If-Match", 'expected "<version>" (1 to 18 digits)')
        expected = int(match.group(1))
    command_id = str(uuid4())
    request_id = request.headers.get("X-Request-Id")
    if request_id is not None and not _KEY.match(request_id):
        raise InvalidInputError("X-Request-Id", "1 to 200 printable characters")
    principal = principal_in(request.scope)  # every command route declares its access: never None there
    metadata = EventMetadata(
        correlation_id=request.headers.get("X-Correlation-Id") or command_id,
        command_id=command_id,
        actor=principal.subject if principal is not None else None,
        request_id=request_id or command_id,
        client_address=request.client.host if request.client else None,
        # The command's span (a child of the caller's traceparent) when tracing is on: the
        # relay and the projector continue its trace. Off, the caller's traceparent as given.
        traceparent=tracing.current_traceparent() or request.headers.get("traceparent"),
    )
    scoped = client_key(principal.subject if principal is not None else None, key) if key is not None else None
    return CommandMeta(scoped, expected, metadata)


Meta = Annotated[CommandMeta, Depends(_command_meta)]


async def run_command(
    request: Request, command: Command, meta: CommandMeta, *, target_id: str | None = None, status: int = 200
) -> JSONResponse:
    services = request.app.state.services()
    envelope = Envelope(
        command,
        idempotency_key=meta.idempotency_key,
        expected_version=meta.expected_version,
        metadata=meta.metadata,
        target_id=target_id,
    )
    tracing.note("bahi.command", type(command).__name__)
    outcome = await services.dispatch(envelope)
    tracing.note("bahi.stream_id", outcome.token.stream_id)
    headers = {"X-Consistency-Token": outcome.token.encode(), "ETag": f'"{outcome.token.version}"'}
    if outcome.replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(outcome.body(), status_code=status, headers=headers)
