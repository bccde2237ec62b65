"""The UPI payments that left Bahi and wait for the switch, as an account's and a wallet's view
list them (`pending_upi`; the projector's `engine.open_payments`): the account or wallet does not
close while one is listed."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class PendingUpiView(BaseModel):
    payment_id: str
    rrn: str
    vpa: str
    """The payer's VPA (linked to this account or wallet)."""
    payee_vpa: str
    amount_paise: int
    debited_at: datetime
