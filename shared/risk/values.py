"""The risk context's values: rules, severities, statuses, decisions, subjects and alert ids.

An alert id is `<RULE>-<version>-<subject>`: the rule, the version of the subject's stream event
that first raised it, and the subject (an account id, a wallet id or a VPA). It is a function of
the events only, so a rebuild gives every alert the same id, and the command side can take an id
apart to find the stream whose events raised it (it validates a review by running the rules on
that stream again).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Rule(StrEnum):
    VELOCITY = "VELOCITY"
    """Many payments (count or amount) by one payer in 5 min, 1 h or 24 h."""
    LARGE_FIRST_PAYEE = "LARGE_FIRST_PAYEE"
    """A large first payment to a payee never paid before."""
    NEW_VPA_NEAR_CAP = "NEW_VPA_NEAR_CAP"
    """A new UPI registration near or over its first-24-hour cap."""
    NEW_PAYEE_NEAR_CAP = "NEW_PAYEE_NEAR_CAP"
    """Transfers to a new beneficiary near or over the bank's first-24-hour cap."""
    PASS_THROUGH = "PASS_THROUGH"
    """Money in from many payers and most of it out again within the hour (a mule)."""
    DORMANT = "DORMANT"
    """A dormant account or wallet suddenly moving money."""
    STRUCTURING_SPLIT = "STRUCTURING_SPLIT"
    """Cash deposits or withdrawals split just under the reporting threshold."""
    STRUCTURING_MONTH = "STRUCTURING_MONTH"
    """Cash items each under the threshold summing over the CTR threshold in an IST month."""


class Severity(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


SEVERITY: dict[Rule, Severity] = {
    Rule.VELOCITY: Severity.MEDIUM,
    Rule.LARGE_FIRST_PAYEE: Severity.MEDIUM,
    Rule.NEW_VPA_NEAR_CAP: Severity.LOW,
    Rule.NEW_PAYEE_NEAR_CAP: Severity.LOW,
    Rule.PASS_THROUGH: Severity.HIGH,
    Rule.DORMANT: Severity.MEDIUM,
    Rule.STRUCTURING_SPLIT: Severity.HIGH,
    Rule.STRUCTURING_MONTH: Severity.HIGH,
}


class AlertStatus(StrEnum):
    OPEN = "OPEN"
    UNDER_REVIEW = "UNDER_REVIEW"
    DISMISSED = "DISMISSED"
    ESCALATED = "ESCALATED"


class ReviewDecision(StrEnum):
    """What an analyst decides; each is the alert's status afterwards."""

    UNDER_REVIEW = "UNDER_REVIEW"
    DISMISSED = "DISMISSED"
    ESCALATED = "ESCALATED"


NEXT: dict[AlertStatus, tuple[ReviewDecision, ...]] = {
    AlertStatus.OPEN: (ReviewDecision.UNDER_REVIEW, ReviewDecision.DISMISSED, ReviewDecision.ESCALATED),
    AlertStatus.UNDER_REVIEW: (ReviewDecision.DISMISSED, ReviewDecision.ESCALATED),
    AlertStatus.DISMISSED: (),
    AlertStatus.ESCALATED: (),
}
"""The review state machine: dismissed and escalated are final."""


class SubjectType(StrEnum):
    ACCOUNT = "ACCOUNT"
    WALLET = "WALLET"
    VPA = "VPA"


_ACCOUNT = r"acc-[0-9a-f]{32}"
_WALLET = r"wal-[0-9a-f]{32}"
_VPA = r"[a-z0-9._-]{1,60}@[a-z][a-z0-9]{1,29}"
SUBJECT_PATTERN = rf"^({_ACCOUNT}|{_WALLET}|{_VPA})$"
ALERT_ID_PATTERN = rf"^({'|'.join(r.value for r in Rule)})-([1-9][0-9]{{0,17}})-({_ACCOUNT}|{_WALLET}|{_VPA})$"
_ALERT_ID = re.compile(ALERT_ID_PATTERN)


def subject_type(subject: str) -> SubjectType:
    if "@" in subject:
        return SubjectType.VPA
    return SubjectType.WALLET if subject.startswith("wal-") else SubjectType.ACCOUNT


def alert_id(rule: Rule, version: int, subject: str) -> str:
    return f"{rule.value}-{version}-{subject}"


@dataclass(frozen=True)
class AlertRef:
    """An alert id taken apart."""

    rule: Rule
    version: int
    subject: str


def parse_alert_id(value: str) -> AlertRef | None:
    match = _ALERT_ID.match(value)
    if match is None:
        return None
    return AlertRef(Rule(match.group(1)), int(match.group(2)), match.group(3))
