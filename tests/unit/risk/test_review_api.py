"""Reviews and CTR filings over HTTP (ASGI, in-memory store, the service's own error mapping): a
review is checked against the rules run over the subject's stream as stored (an alert its events
do not raise is a 404), follows the review state machine (409 naming the status and what may
follow), an escalation opens the STR case in the same append; a customer token is a 403."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from shared.banking.streams import ACCOUNT
from shared.compliance.deadlines import str_due_date
from shared.compliance.events import CtrFiled, StrCaseOpened, StrFiled
from shared.compliance.streams import CTR_FILING, STR_CASE
from shared.risk import policy as p
from shared.risk.events import RiskAlertReviewed
from shared.risk.policy import RISK_POLICY
from shared.risk.streams import REVIEW
from tests.support import auth
from tests.support.risk import RiskWorld, api, subject_fold
from tests.support.upi import rupees

PROBLEM = "application/problem+json"


@pytest.fixture
def world() -> RiskWorld:
    return RiskWorld()


@pytest.fixture
async def client(world: RiskWorld) -> AsyncIterator[httpx.AsyncClient]:
    async with api(world) as c:
        yield c


async def velocity_alert(world: RiskWorld) -> str:
    """A burst of UPI payments from cust-1's account: the id of the alert its stream raises."""
    account, wallet = await world.account(rupees(50_000)), await world.wallet()
    await world.vpa("asha@bahi", account_id=account)
    await world.vpa("ravi@bahi", wallet_id=wallet)
    world.clock.advance(days=1)
    for _ in range(RISK_POLICY.value(p.velocity_rule("5m", "max_count"), world.clock()) + 1):
        await world.pay("asha@bahi", "ravi@bahi", rupees(100))  # a refusal would raise
        world.clock.advance(seconds=20)
    alerts = (await subject_fold(world.store, account, ACCOUNT.stream_id(account)))["alerts"]
    assert len(alerts) == 1
    return str(alerts[0]["alert_id"])


async def test_review_then_dismiss_then_no_more(world: RiskWorld, client: httpx.AsyncClient) -> None:
    alert = await velocity_alert(world)
    path = f"/v1/risk/alerts/{alert}/review"
    first = await client.post(path, json={"decision": "UNDER_REVIEW", "note": "looking"})
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "UNDER_REVIEW"
    assert (await client.post(path, json={"decision": "DISMISSED", "note": "known merchant"})).status_code == 200
    late = await client.post(path, json={"decision": "ESCALATED", "note": "?"})
    assert late.status_code == 409 and late.headers["content-type"] == PROBLEM
    assert late.json()["current_status"] == "DISMISSED" and late.json()["allowed_next"] == []
    decisions = [e for e in await world.events(REVIEW.stream_id(alert)) if isinstance(e, RiskAlertReviewed)]
    assert [d.decision.value for d in decisions] == ["UNDER_REVIEW", "DISMISSED"]


async def test_an_alert_the_events_do_not_raise_is_a_404(world: RiskWorld, client: httpx.AsyncClient) -> None:
    alert = await velocity_alert(world)
    rule, version, subject = alert.split("-", 2)
    for other in (
        f"{rule}-{int(version) + 100}-{subject}",
        f"DORMANT-{version}-{subject}",
        f"{rule}-2-{'acc-' + '0' * 32}",
    ):
        response = await client.post(f"/v1/risk/alerts/{other}/review", json={"decision": "DISMISSED", "note": "x"})
        assert response.status_code == 404, response.text
        assert response.json()["field"] == "alert_id"
    bad = await client.post("/v1/risk/alerts/NOT_A_RULE-1-x@bahi/review", json={"decision": "DISMISSED", "note": "x"})
    assert bad.status_code == 422
    assert await world.events(REVIEW.stream_id(alert)) == []


async def test_escalation_opens_the_str_case_with_its_deadline(world: RiskWorld, client: httpx.AsyncClient) -> None:
    alert = await velocity_alert(world)
    response = await client.post(f"/v1/risk/alerts/{alert}/review", json={"decision": "ESCALATED", "note": "mule?"})
    assert response.status_code == 200, response.text
    (case,) = await world.events(STR_CASE.stream_id(alert))
    assert isinstance(case, StrCaseOpened)
    assert case.alert_id == alert and case.due_date == str_due_date(world.clock())
    assert response.json()["str_case"] == {"case_id": alert, "due_date": case.due_date.isoformat()}
    assert [t.version for t in case.linked] and case.customer_id == "cust-1"


async def test_the_str_of_a_case_is_filed_once(world: RiskWorld, client: httpx.AsyncClient) -> None:
    alert = await velocity_alert(world)
    unknown = await client.post(f"/v1/compliance/str/{alert}/filed", json={"reference": "STR-1"})
    assert unknown.status_code == 404 and unknown.json()["field"] == "case_id"  # not escalated: no case
    await client.post(f"/v1/risk/alerts/{alert}/review", json={"decision": "ESCALATED", "note": "n"})
    filed = await client.post(f"/v1/compliance/str/{alert}/filed", json={"reference": "STR-1"})
    assert filed.status_code == 200, filed.text
    again = await client.post(f"/v1/compliance/str/{alert}/filed", json={"reference": "STR-2"})
    assert again.status_code == 409 and again.json()["reference"] == "STR-1"
    opened, done = await world.events(STR_CASE.stream_id(alert))
    assert isinstance(opened, StrCaseOpened) and isinstance(done, StrFiled) and done.reference == "STR-1"


async def test_a_customer_token_is_refused(world: RiskWorld, client: httpx.AsyncClient) -> None:
    alert = await velocity_alert(world)
    response = await client.post(
        f"/v1/risk/alerts/{alert}/review",
        json={"decision": "DISMISSED", "note": "mine"},
        headers=auth.customer("cust-1"),
    )
    assert response.status_code == 403
    filed = await client.post(
        "/v1/compliance/ctr/2026-10/filed", json={"reference": "F1"}, headers=auth.customer("cust-1")
    )
    assert filed.status_code == 403
    case = await client.post(
        f"/v1/compliance/str/{alert}/filed", json={"reference": "S"}, headers=auth.customer("cust-1")
    )
    assert case.status_code == 403
    assert await world.events(REVIEW.stream_id(alert)) == []


async def test_a_ctr_is_filed_once_for_a_month_that_has_ended(world: RiskWorld, client: httpx.AsyncClient) -> None:
    month = world.clock().strftime("%Y-%m")  # the clock's month (IST and UTC agree at 05:00 UTC on the 2nd)
    running = await client.post(f"/v1/compliance/ctr/{month}/filed", json={"reference": "FIU-1"})
    assert running.status_code == 409 and running.json()["field"] == "month"
    world.clock.advance(days=31)
    assert (await client.post(f"/v1/compliance/ctr/{month}/filed", json={"reference": "FIU-1"})).status_code == 200
    again = await client.post(f"/v1/compliance/ctr/{month}/filed", json={"reference": "FIU-2"})
    assert again.status_code == 409 and again.json()["reference"] == "FIU-1"
    (filed,) = await world.events(CTR_FILING.stream_id(month))
    assert isinstance(filed, CtrFiled) and filed.reference == "FIU-1"
