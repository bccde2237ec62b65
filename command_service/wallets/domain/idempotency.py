"""Movement ids as idempotency keys (as TigerBeetle's transfer ids).

A movement's body is remembered as a digest per field, computed the same way from the command
(deciding) and from the recorded event (evolving), so a retry can be told apart from a reuse:
the same id and body is a replay (decide returns no events; the handler answers the first
result), the same id with another body is a 409 naming the first field that differs.

Only recorded movements are remembered. A refused command appends nothing, so it records
nothing: retrying a refused id decides it afresh against the wallet as it is then (a top-up
refused by a monthly limit may pass next month under the same id).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from command_service.wallets.domain.errors import IdempotencyMismatchError
from command_service.wallets.domain.state import Wallet

ID_FIELDS = {
    "topup": "topup_id",
    "payment": "payment_id",
    "capture": "payment_id",
    "void": "payment_id",
    "transfer": "transfer_id",
    "refund": "refund_id",
}
"""Movement kind -> the name of its client id in requests, events and answers."""


def key(kind: str, movement_id: str) -> str:
    return f"{kind}:{movement_id}"


def _digest(value: object) -> str:
    # A digest, not the value: the state stays small and holds no free text (notes).
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def fingerprint(fields: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    return tuple((name, _digest(value)) for name, value in sorted(fields.items()))


def seen(state: Wallet, kind: str, movement_id: str, fields: Mapping[str, object]) -> bool:
    """True when this movement is recorded with this very body (a replay); raises
    `IdempotencyMismatchError` when it is recorded with another; False when it is new."""
    recorded = state.movements.get(key(kind, movement_id))
    if recorded is None:
        return False
    if recorded.fingerprint != (now := fingerprint(fields)):
        theirs = dict(recorded.fingerprint)
        differing = next(name for name, digest in now if theirs.get(name) != digest)
        raise IdempotencyMismatchError(ID_FIELDS[kind], movement_id, differing)
    return True
