"""The compliance context's commands: a month's CTR filed with FIU-IND, an STR case's STR filed
(the month or the case is the route's path parameter, the command's target)."""

from __future__ import annotations

from pydantic import Field

from command_service.handling import Command


class MarkStrFiled(Command):
    reference: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9/_.-]{0,63}$")
    """FIU-IND's acknowledgement number of the STR."""


class MarkCtrFiled(Command):
    reference: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9/_.-]{0,63}$")
    """FIU-IND's acknowledgement number of the batch."""
