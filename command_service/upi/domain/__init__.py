"""The pure upi domain: a VPA's state and evolve, registration, a payment's limits, its RRN and
its event. Imports only the standard library, pydantic and `shared` (an import-linter contract)."""

from command_service.upi.domain.collects import decide_collect, decide_decline, open_collect
from command_service.upi.domain.errors import (
    CollectNotFoundError,
    CollectStateError,
    InvalidUpiRequestError,
    PaymentNotPendingError,
    RrnExhaustedError,
    UpiLimitError,
    VpaNotFoundError,
    VpaTakenError,
)
from command_service.upi.domain.evolve import evolve, evolve_collect, evolve_registration, fold
from command_service.upi.domain.outbound import (
    decide_outbound_payment,
    decide_reversal,
    decide_switch_answer,
    lateness,
    reverse_by,
)
from command_service.upi.domain.payments import (
    RRN_SERIALS,
    allowances,
    check_parties,
    decide_payment,
    in_new_vpa_window,
    rrn_of,
    rrn_prefix,
)
from command_service.upi.domain.registration import decide_register
from command_service.upi.domain.state import Collect, Outbound, Vpa
from shared.upi.streams import VPA

STREAM_TYPE = VPA.name

__all__ = [
    "RRN_SERIALS",
    "STREAM_TYPE",
    "Collect",
    "CollectNotFoundError",
    "CollectStateError",
    "InvalidUpiRequestError",
    "Outbound",
    "PaymentNotPendingError",
    "RrnExhaustedError",
    "UpiLimitError",
    "Vpa",
    "VpaNotFoundError",
    "VpaTakenError",
    "allowances",
    "check_parties",
    "decide_collect",
    "decide_decline",
    "decide_outbound_payment",
    "decide_payment",
    "decide_register",
    "decide_reversal",
    "decide_switch_answer",
    "evolve",
    "evolve_collect",
    "evolve_registration",
    "fold",
    "in_new_vpa_window",
    "lateness",
    "open_collect",
    "reverse_by",
    "rrn_of",
    "rrn_prefix",
]
