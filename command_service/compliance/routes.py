"""The compliance context's command routes: a month's CTR filed, an STR case's STR filed. Staff
only (`compliance:file`); a customer token is a 403."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from command_service.api.commands import Meta, run_command
from command_service.compliance.commands import MarkCtrFiled, MarkStrFiled
from shared.auth import allow
from shared.compliance.policy import MONTH_PATTERN
from shared.compliance.scopes import COMPLIANCE_FILE
from shared.risk.values import ALERT_ID_PATTERN

router = APIRouter(prefix="/v1/compliance")

Month = Annotated[str, Path(pattern=MONTH_PATTERN)]
CaseId = Annotated[str, Path(pattern=ALERT_ID_PATTERN, max_length=140)]
"""A case is named by the alert whose escalation opened it."""


@router.post("/str/{case_id}/filed", dependencies=[allow(COMPLIANCE_FILE)])
async def mark_str_filed(request: Request, case_id: CaseId, body: MarkStrFiled, meta: Meta) -> JSONResponse:
    """The case's STR was filed with FIU-IND under `reference` (once): the case is FILED."""
    return await run_command(request, body, meta, target_id=case_id)


@router.post("/ctr/{month}/filed", dependencies=[allow(COMPLIANCE_FILE)])
async def mark_ctr_filed(request: Request, month: Month, body: MarkCtrFiled, meta: Meta) -> JSONResponse:
    """The IST month's CTR was filed with FIU-IND under `reference` (once; the month must have ended)."""
    return await run_command(request, body, meta, target_id=month)
