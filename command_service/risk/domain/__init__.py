"""The risk context's command-side domain (pure): an alert's review stream and its transitions,
and finding an alert by running the shared rules over its subject's stream."""

from command_service.risk.domain.alerts import find_alert
from command_service.risk.domain.review import (
    AlertNotFoundError,
    Review,
    ReviewTransitionError,
    decide_review,
    evolve,
    str_case_opened,
)

__all__ = [
    "AlertNotFoundError",
    "Review",
    "ReviewTransitionError",
    "decide_review",
    "evolve",
    "find_alert",
    "str_case_opened",
]
