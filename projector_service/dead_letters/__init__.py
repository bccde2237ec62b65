"""Dead letters: the events a projection could not apply and those held behind them (the
parking lot in MongoDB, `parking`), their copy on the `<prefix>.dlq` topic (`dlq`), and
unblocking a stream again (`redrive`, `skip`)."""

from projector_service.dead_letters.dlq import DeadLetters, ensure_dlq_topic
from projector_service.dead_letters.parking import FAILED, HELD, Entry, Head, ParkingLot
from projector_service.dead_letters.redrive import Drained, NothingToSkipError, drain, redrive, skip

__all__ = [
    "FAILED",
    "HELD",
    "DeadLetters",
    "Drained",
    "Entry",
    "Head",
    "NothingToSkipError",
    "ParkingLot",
    "drain",
    "ensure_dlq_topic",
    "redrive",
    "skip",
]
