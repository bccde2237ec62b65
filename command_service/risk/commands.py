"""The risk context's one command: an analyst's decision on an alert (the alert is the route's
path parameter, the command's target)."""

from __future__ import annotations

from pydantic import Field

from command_service.handling import Command
from shared.risk.values import ReviewDecision


class ReviewAlert(Command):
    decision: ReviewDecision
    note: str = Field(min_length=1, max_length=1000)
