"""The simulated clearing (there is no NPCI or RBI link here), and when it takes each transfer.

- IMPS and RTGS settle at once; NEFT in batches every `batch_seconds` (the policy row's
  half-hour unless a setting shortens it), counted from 00:00 IST: a transfer initiated at
  10:07 IST goes in the 10:30 batch, one at 10:30:00 in the 11:00 batch.
- The rule of returns: a beneficiary account number ending in "000" does not exist at the
  beneficiary's bank, so the transfer comes back ("ACCOUNT_DOES_NOT_EXIST"); every other one
  settles. Deterministic: asked twice about one transfer, the clearing answers the same.
- Each settled transfer gets a UTR derived from the transfer (the same each time it is asked).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from shared.banking.values import Outcome, Rail
from shared.policy import IST

RETURNED_SUFFIX = "000"
RETURN_REASON = "ACCOUNT_DOES_NOT_EXIST"


def clear(to_account_number: str, to_ifsc: str) -> tuple[Outcome, str | None]:
    """The clearing's answer for a transfer to this beneficiary, with the reason of a return."""
    if to_account_number.endswith(RETURNED_SUFFIX):
        return Outcome.RETURNED, f"{RETURN_REASON}: no account {to_account_number} at {to_ifsc}"
    return Outcome.SETTLED, None


def utr(rail: Rail, account_id: str, transfer_id: str) -> str:
    """A unique transaction reference: "BAHI" + the rail's letter + 11 digits (16 characters)."""
    digest = hashlib.sha256(f"{account_id}:{transfer_id}".encode()).digest()
    return f"BAHI{rail.value[0]}{int.from_bytes(digest[:8], 'big') % 10**11:011d}"


def due(rail: Rail, initiated_at: datetime, batch_seconds: float) -> tuple[datetime, str | None]:
    """When the clearing takes the transfer, and the batch it goes in (NEFT only)."""
    if rail is not Rail.NEFT:
        return initiated_at, None
    local = initiated_at.astimezone(IST)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    elapsed = (local - midnight).total_seconds()
    batches = int(elapsed // batch_seconds) + 1
    at = midnight + timedelta(seconds=batches * batch_seconds)
    return at, f"NEFT-{at.strftime('%Y%m%dT%H%M%S')}IST"
