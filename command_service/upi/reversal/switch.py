"""The simulated UPI switch (there is no NPCI link here): its answer about a payment leaving Bahi,
decided by the payee's VPA alone, so asked twice about one payment it answers the same.

- A payee handle ending in `.decline` (`shop.decline@okaxis`): the payee's psp declines the
  credit (DECLINED, reason `DECLINED_BY_PAYEE_PSP: …`); the payer is credited back at once.
- A payee handle ending in `.timeout` (`asha.timeout@ybl`): no answer from the payee's psp
  (TIMEOUT): the payment is deemed failed and reversed to the payer by T+1.
- Every other payee: credited at the payee's psp (CREDITED: the payment is COMPLETED).
"""

from __future__ import annotations

from shared.upi.values import SwitchOutcome, psp_of

DECLINE_SUFFIX = ".decline"
TIMEOUT_SUFFIX = ".timeout"


def answer(payee_vpa: str) -> tuple[SwitchOutcome, str | None]:
    """The switch's outcome for a payment to `payee_vpa`, with its reason (None when credited)."""
    handle, psp = payee_vpa.rpartition("@")[0], psp_of(payee_vpa)
    if handle.endswith(DECLINE_SUFFIX):
        return SwitchOutcome.DECLINED, f"DECLINED_BY_PAYEE_PSP: @{psp} refused the credit to {payee_vpa}"
    if handle.endswith(TIMEOUT_SUFFIX):
        return SwitchOutcome.TIMEOUT, f"TIMEOUT: no answer from @{psp} through the switch"
    return SwitchOutcome.CREDITED, None
