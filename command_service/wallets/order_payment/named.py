"""Sending another context's command by its name and a JSON body, through the one dispatcher.

Contexts meet through events and commands, and never import each other (import-linter), so the
wallets context cannot name commerce's `RecordPayment` class. It names the command instead:
command names are one namespace across contexts (the registry refuses two claims on one, as it
does for event names), the body is the command's JSON form (for `RecordPayment` the very body
of `POST /v1/orders/{id}/payment`), and the dispatcher's guarantees are the same as for any
command (idempotency key, `If-Match`, retries, one append). The command types are looked up
once, when the manager is built: a name no context registers fails the start, not a payment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from command_service.handling import Command, Dispatcher, Envelope, Outcome
from shared.envelope import EventMetadata


class UnknownCommandError(LookupError):
    """A process manager needs a command no context registers."""


class NamedCommands:
    def __init__(self, commands: Iterable[type[Command]], dispatch: Dispatcher, *, needed: Iterable[str]) -> None:
        self._types = {command.__name__: command for command in commands}
        missing = sorted(set(needed) - set(self._types))
        if missing:
            raise UnknownCommandError(f"no registered context handles {', '.join(missing)}")
        self._dispatch = dispatch

    async def send(
        self,
        name: str,
        body: Mapping[str, Any],
        *,
        target_id: str,
        idempotency_key: str,
        expected_version: int | None,
        metadata: EventMetadata,
    ) -> Outcome:
        """Validated by the command's own model (a body it refuses raises pydantic's ValidationError)."""
        command = self._types[name].model_validate(dict(body))
        envelope = Envelope(
            command,
            idempotency_key=idempotency_key,
            expected_version=expected_version,
            metadata=metadata,
            target_id=target_id,
        )
        return await self._dispatch(envelope)
