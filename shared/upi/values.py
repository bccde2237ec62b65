"""The upi context's value types: the VPA grammar, what a VPA is linked to, payment statuses.

A VPA is `handle@psp`. The handle: lower-case letters, digits, `.`, `-` and `_`, 1 to 60
characters (NPCI's handle alphabet, lower case only: a VPA is compared as written, never
case-folded, so `Asha@bahi` is refused rather than silently becoming `asha@bahi`). The psp
(the payment service provider's handle): a lower-case letter then 1 to 29 lower-case letters
or digits (`bahi`, `okaxis`, `ybl`). A VPA whose psp is Bahi's (`BAHI_UPI_PSP`, default
`bahi`) is registered here; any other psp is a VPA of another bank.
"""

from __future__ import annotations

import re
from enum import StrEnum

HANDLE_MAX = 60
VPA_PATTERN = r"^[a-z0-9._-]{1,60}@[a-z][a-z0-9]{1,29}$"
_VPA = re.compile(VPA_PATTERN)
MAX_PAISE = 10**15
RRN_PATTERN = r"^[0-9]{12}$"


def is_vpa(text: str) -> bool:
    return _VPA.fullmatch(text) is not None


def psp_of(vpa: str) -> str:
    return vpa.rpartition("@")[2]


class VpaKind(StrEnum):
    PERSON = "PERSON"
    MERCHANT = "MERCHANT"


class LinkType(StrEnum):
    ACCOUNT = "ACCOUNT"
    """A bank account of the banking context (`account_id`)."""
    WALLET = "WALLET"
    """A wallet of the wallets context (`wallet_id`)."""


class PaymentStatus(StrEnum):
    COMPLETED = "COMPLETED"
    """Debited and credited in one append (both sides in Bahi), or credited at the payee's psp
    (a payment leaving Bahi that the switch confirmed)."""
    PENDING = "PENDING"
    """Leaving Bahi: the payer debited, the switch's answer not yet in."""
    DECLINED = "DECLINED"
    """Leaving Bahi: the switch declined it and the payer was credited back in the same append."""
    DEEMED = "DEEMED"
    """Leaving Bahi: the switch gave no answer (a timeout); the payer is owed a reversal by T+1."""
    REVERSED = "REVERSED"
    """A deemed payment credited back to the payer (late, with its compensation, after T+1)."""


class SwitchOutcome(StrEnum):
    """The (simulated) UPI switch's answer about a payment leaving Bahi."""

    CREDITED = "CREDITED"
    DECLINED = "DECLINED"
    TIMEOUT = "TIMEOUT"


class CollectStatus(StrEnum):
    """A collect request as read: REQUESTED (open: not answered, not lapsed), ACCEPTED, DECLINED,
    or EXPIRED (not answered by its `expires_at`: lapsing is time passing, no event records it)."""

    REQUESTED = "REQUESTED"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    EXPIRED = "EXPIRED"
