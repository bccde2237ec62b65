"""The wallets context in the command service: a Paytm-style prepaid payment instrument (PPI)
under RBI's rules — opening (one wallet per customer), KYC upgrade, top-ups, merchant payments
(direct or held, then captured, voided or expired), P2P transfers, merchant refunds, freezing
and closing.

Movement ids (`topup_id`, `payment_id`, `transfer_id`, `refund_id`; captures and voids by
payment id) are idempotency keys, as TigerBeetle's transfer ids, for the wallet's whole life:
the same id with the same body answers the first result and appends nothing; with another body
it is a 409 naming the field that differs. The dispatcher records them in the event store with
the events (`command_service.handling.movements`), so the wallet's state stays small. A
REJECTED command appends nothing and therefore records nothing: the id stays unused, and
retrying it decides it again against the wallet as it is then (a top-up refused by this
month's load limit may pass under the same id next month). Only an
`Idempotency-Key` header pins the answer of a request whatever it was, and only for requests
that appended something.

Its process managers: `hold_expiry` (an uncaptured hold expires, exactly once) and `order_payment`
(an order placed with `payment_method: WALLET` is paid from the customer's wallet).
"""

from command_service.handling import CommandManifest
from command_service.wallets.aggregates import aggregates, dependencies
from command_service.wallets.handlers import HANDLERS
from command_service.wallets.hold_expiry import SPEC as HOLD_EXPIRY
from command_service.wallets.order_payment import SPEC as ORDER_PAYMENT
from command_service.wallets.routes import router
from command_service.wallets.settings import WalletSettings
from shared.wallets import MANIFEST as SHARED

MANIFEST = CommandManifest(
    shared=SHARED,
    handlers=HANDLERS,
    routers=(router,),
    settings=WalletSettings,
    aggregates=aggregates,
    dependencies=dependencies,
    process_managers=(HOLD_EXPIRY, ORDER_PAYMENT),
)
