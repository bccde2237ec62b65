"""The banking context in the command service: the product's bank account (savings, current and
BSBD accounts) — opening with a generated account number, deposits and withdrawals, transfers
(INTERNAL in one atomic append; NEFT, RTGS and IMPS debited at once and settled or returned by
the clearing), the minimum-balance charge, freezing and closing — and its audit trail and past
states, read from the event store (`audit`).

Movement ids (`txn_id`, `transfer_id`; a settlement by its transfer id, a charge by its month)
are idempotency keys for the account's whole life, recorded by the dispatcher with the events
(`command_service.handling.movements`), as the wallet's are. A refused command appends and
records nothing.

Its process manager: `settlement` (the simulated clearing: IMPS and RTGS at once, NEFT in
batches; each transfer settled or returned, and a return credited back, exactly once).
"""

from command_service.banking.aggregates import aggregates, dependencies
from command_service.banking.audit import router as audit_router
from command_service.banking.handlers import HANDLERS
from command_service.banking.routes import router
from command_service.banking.settings import BankingSettings
from command_service.banking.settlement import SPEC as SETTLEMENT
from command_service.handling import CommandManifest
from shared.banking import MANIFEST as SHARED

MANIFEST = CommandManifest(
    shared=SHARED,
    handlers=HANDLERS,
    routers=(router, audit_router),
    settings=BankingSettings,
    aggregates=aggregates,
    dependencies=dependencies,
    process_managers=(SETTLEMENT,),
)
