"""The banking context (the product's bank account: savings, current and BSBD accounts with
deposits, withdrawals, transfers on NEFT, RTGS, IMPS and between accounts, a minimum-balance
charge, freezing and closing, and an audit trail), as every service sees it: its events,
stream types (the account, and the account-number claims), read models, value types and its
dated policy table."""

from shared.banking.events import EVENT_TYPES, UPCASTERS
from shared.banking.read_models import READ_MODELS
from shared.banking.streams import ACCOUNT, ACCOUNT_NUMBER
from shared.manifest import ContextManifest

MANIFEST = ContextManifest(
    name="banking",
    events=EVENT_TYPES,
    upcasters=UPCASTERS,
    stream_types=(ACCOUNT, ACCOUNT_NUMBER),
    read_models=READ_MODELS,
)
