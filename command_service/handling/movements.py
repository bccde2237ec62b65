"""Movement ids: a command's own client-chosen id as an idempotency key for its target stream
(a ledger's transfer id, as TigerBeetle's), kept for the stream's whole life.

A command type declares it (`movement = MovementId("topup", "topup_id")`). The dispatcher
records the id with the command's events, in the same transaction, as an idempotency record
of the store: the key names the kind, the target and the id; the request hash is a digest per
field of the rest of the body; the response is the first answer. So the aggregate's state does
not have to remember its movement ids (it stays small, its snapshots too), and:

- the same id and body again answers the first result and appends nothing, whether the retry
  decides again to the same events (found when the append meets the recorded key) or is now
  refused (the refusal looks the id up first: a transfer that emptied the wallet, retried);
- the same id with another body is a 409 naming the first field that differs;
- a refused command records nothing: retrying a refused id decides it afresh against the
  stream as it is then.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import orjson

from command_service.event_store import IdempotencyRecord, StoredIdempotency
from shared.errors import DomainError


@dataclass(frozen=True)
class MovementId:
    kind: str
    """Part of the key: ids of different kinds (a payment and its capture) never collide."""
    field: str
    """The body's field that holds the client's id."""


class MovementIdReusedError(DomainError):
    """A movement id recorded before came with another body: names the first field that differs."""

    def __init__(self, id_field: str, movement_id: str, field: str) -> None:
        super().__init__(
            f"{id_field} {movement_id} was recorded with another {field}: use a new {id_field} for a new movement",
            field=field,
            **{id_field: movement_id},
        )


class MovementIdTakenError(DomainError):
    """The movement id's key holds a record that is not a movement's."""

    def __init__(self, id_field: str, movement_id: str) -> None:
        super().__init__(
            f"{id_field} {movement_id} is taken: use a new {id_field}", field=id_field, **{id_field: movement_id}
        )


def _digest(value: object) -> str:
    return hashlib.sha256(orjson.dumps(value, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]


@dataclass(frozen=True)
class Claim:
    """A command's movement id, as recorded with its events."""

    movement: MovementId
    movement_id: str
    key: str
    digests: dict[str, str]

    def record(self, response: dict[str, object]) -> IdempotencyRecord:
        return IdempotencyRecord(self.key, orjson.dumps(self.digests).decode(), dict(response))

    def matches(self, stored: StoredIdempotency) -> bool:
        """True for the same body; raises `MovementIdReusedError` for another, and
        `MovementIdTakenError` for a record under this key that is not a movement's (nothing
        writes one today: a client's Idempotency-Key has a namespace of its own; a 409, never a 500)."""
        try:
            theirs: object = orjson.loads(stored.request_hash)
        except orjson.JSONDecodeError:
            theirs = None
        if not isinstance(theirs, dict):
            raise MovementIdTakenError(self.movement.field, self.movement_id)
        if theirs == self.digests:
            return True
        differing = next(n for n in sorted({*theirs, *self.digests}) if theirs.get(n) != self.digests.get(n))
        raise MovementIdReusedError(self.movement.field, self.movement_id, differing)


def claim_of(movement: MovementId | None, target_id: str | None, body: dict[str, object]) -> Claim | None:
    """The claim of a command's JSON body (`model_dump(mode="json")`) on its target stream."""
    if movement is None:
        return None
    rest = dict(body)
    movement_id = str(rest.pop(movement.field))
    digests = {name: _digest(value) for name, value in sorted(rest.items())}
    return Claim(movement, movement_id, f"{movement.kind}:{target_id}:{movement_id}", digests)
