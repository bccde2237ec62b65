"""The upi context in the command service: VPAs (`handle@psp`, Bahi's psp only) linked to a bank
account (banking) or a wallet (wallets), claimed once, and push payments between them — the
payer VPA's `UpiPaymentSent`, the payer's debit and the payee's credit in one atomic append,
under an RRN that is a serial of its IST hour (`handlers.rrns`). The debit and the credit are
decided by the contexts that hold the money, through the port `shared.upi.ledger` that banking
and wallets provide by name (`upi_account_ledger`, `upi_wallet_ledger`): this package imports
neither.

A payment to another psp's VPA leaves Bahi: the payer is debited at once (PENDING), and the
reversal process manager (`reversal`) takes it to the simulated switch and reverses a deemed one
to the payer by T+1.

`payment_id` is a movement id of the payer's VPA (`command_service.handling.movements`).
"""

from command_service.handling import CommandManifest
from command_service.upi.aggregates import aggregates, dependencies
from command_service.upi.handlers import HANDLERS
from command_service.upi.reversal import SPEC as REVERSAL
from command_service.upi.routes import router
from command_service.upi.settings import UpiSettings
from shared.upi import MANIFEST as SHARED

MANIFEST = CommandManifest(
    shared=SHARED,
    handlers=HANDLERS,
    routers=(router,),
    settings=UpiSettings,
    aggregates=aggregates,
    dependencies=dependencies,
    process_managers=(REVERSAL,),
)
