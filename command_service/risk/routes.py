"""The risk context's command route: an analyst's review of an alert. Staff only (`risk:review`);
a customer token is a 403. A 404 names `alert_id` when the subject's events raise no such alert,
a 409 the current status and what may follow when the decision is not allowed now."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from command_service.api.commands import Meta, run_command
from command_service.risk.commands import ReviewAlert
from shared.auth import allow
from shared.risk.scopes import RISK_REVIEW
from shared.risk.values import ALERT_ID_PATTERN

router = APIRouter(prefix="/v1/risk")

AlertId = Annotated[str, Path(pattern=ALERT_ID_PATTERN, max_length=140)]


@router.post("/alerts/{alert_id}/review", dependencies=[allow(RISK_REVIEW)])
async def review_alert(request: Request, alert_id: AlertId, body: ReviewAlert, meta: Meta) -> JSONResponse:
    """`decision` UNDER_REVIEW, DISMISSED or ESCALATED (which opens an STR case), with a `note`."""
    return await run_command(request, body, meta, target_id=alert_id)
