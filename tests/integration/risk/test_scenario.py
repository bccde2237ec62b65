"""A month of seeded activity (tests/support/risk_scenario.py) through the command API on the real
PostgreSQL, with the relay, the projector and the query service as their own processes on the
real Kafka and MongoDB.

- The alerts name exactly the planted subjects (the structurer, the mule, the velocity burst),
  each with its rule; no ordinary customer has one. The CTR lists exactly the customers whose
  cash in a direction is over the threshold, by the generator's own books; its CSV has a row per
  transaction.
- Halfway, an analyst reviews and escalates the structurer's alert (an STR case opens), then a
  blue/green rebuild of every risk and compliance view runs while the second half is written:
  afterwards every subject's document is the fold of its stream as stored (nothing lost, nothing
  twice), the live views equal a from-scratch rebuild byte for byte, and the review and the STR
  case are still there.
- SIGKILL of the projector during the month, at a point chosen by observed progress: afterwards
  the same holds (no alert lost or duplicated)."""

from __future__ import annotations

import asyncio
import os
import random
import sys
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from command_service.event_store.postgres import PostgresEventStore, create_schema, open_pool
from projector_service.dead_letters.dlq import DeadLetters
from projector_service.dead_letters.parking import ParkingLot
from projector_service.manifest import ProjectorManifest
from projector_service.projections import compliance as compliance_projections
from projector_service.projections import risk as risk_projections
from projector_service.read_models.pointers import live_collection
from projector_service.rebuild import RebuildOptions, ledger, rebuild
from projector_service.rebuild.sources import KafkaSource
from projector_service.registry import ProjectorRegistry
from shared.compliance.policy import COMPLIANCE_POLICY, CTR_CASH_MONTH_MAX
from shared.periods import month_start
from shared.risk.read_models import RISK_SUBJECT_VIEW
from shared.streams import topic_for
from tests.support import auth, processes
from tests.support.infra import Infra, fresh_infra
from tests.support.projector import checksum, database, wait_until
from tests.support.risk import RiskWorld, api, subject_fold
from tests.support.risk_scenario import MONTH, Generator, Scenario, run

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.slow]

MANIFESTS: list[ProjectorManifest] = [risk_projections.MANIFEST, compliance_projections.MANIFEST]
NAMES = [p.name for m in MANIFESTS for p in m.projections]
WAIT = 300.0


async def subjects_current(db: Any, world: RiskWorld, scenario: Scenario) -> list[str]:
    """The subjects whose document is not (yet) the fold of their stream as stored."""
    collection = db[await live_collection(db, RISK_SUBJECT_VIEW)]
    behind = []
    for holder in scenario.all_holders():
        streams = [(holder.account_id, holder.account_id), (holder.vpa, f"upi-vpa-{holder.vpa}")]
        if holder.wallet_id:
            streams += [(holder.wallet_id, holder.wallet_id), (holder.wallet_vpa, f"upi-vpa-{holder.wallet_vpa}")]
        for subject, stream in streams:
            wanted = await subject_fold(world.store, subject, stream)
            doc = await collection.find_one({"_id": subject})
            got = {k: v for k, v in (doc or {}).items() if k not in ("version", "position")}
            if got != wanted:
                behind.append(subject)
    return behind


async def caught_up(db: Any, world: RiskWorld, scenario: Scenario) -> None:
    behind: list[str] = []

    async def check() -> bool:
        behind[:] = await subjects_current(db, world, scenario)
        return not behind

    await wait_until(check, timeout=WAIT, what=lambda: f"subjects current (behind: {behind[:5]})", poll=1.0)


async def all_alerts(query: httpx.AsyncClient, **filters: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {**filters, "limit": "100", **({"cursor": cursor} if cursor else {})}
        page = await query.get("/v1/risk/alerts", params=params)
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return items


async def assert_the_answers(query: httpx.AsyncClient, scenario: Scenario) -> list[dict[str, Any]]:
    alerts = await all_alerts(query)
    planted = scenario.alerted_roles()
    assert {a["subject"] for a in alerts} == set(planted), sorted({a["subject"] for a in alerts})
    for subject, rule in planted.items():
        assert rule in {a["rule"] for a in alerts if a["subject"] == subject}, (subject, rule)
    assert len({a["alert_id"] for a in alerts}) == len(alerts)
    threshold = COMPLIANCE_POLICY.value(CTR_CASH_MONTH_MAX, month_start(MONTH))
    ctr = await query.get("/v1/compliance/ctr", params={"month": MONTH})
    assert ctr.status_code == 200, ctr.text
    reported = ctr.json()["customers"]
    assert [c["customer_id"] for c in reported] == scenario.ctr_customers(MONTH, threshold)
    for customer in reported:
        assert len(customer["transactions"]) == scenario.cash_items[customer["customer_id"]]
    as_csv = await query.get("/v1/compliance/ctr", params={"month": MONTH}, headers={"accept": "text/csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert len(as_csv.text.strip().splitlines()) == 1 + sum(len(c["transactions"]) for c in reported)
    return alerts


async def the_reads_filter_page_and_refuse_customers(
    query: httpx.AsyncClient, scenario: Scenario, escalated: str
) -> None:
    everything = await all_alerts(query)
    assert [a["alert_id"] for a in await all_alerts(query, status="ESCALATED")] == [escalated]
    assert escalated not in {a["alert_id"] for a in await all_alerts(query, status="OPEN")}
    paged: list[str] = []
    cursor = None
    while True:  # one at a time: the same alerts, in the same order
        page = (
            await query.get("/v1/risk/alerts", params={"limit": "1", **({"cursor": cursor} if cursor else {})})
        ).json()
        paged += [a["alert_id"] for a in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert paged == [a["alert_id"] for a in everything]
    mule = scenario.planted["mule"].account_id
    subject = (await query.get(f"/v1/risk/subjects/{mule}")).json()
    assert "PASS_THROUGH" in {a["rule"] for a in subject["open_alerts"]} and subject["figures"]["movements"] > 0
    rule, version, name = escalated.split("-", 2)
    assert (await query.get(f"/v1/risk/alerts/{rule}-{int(version) + 999}-{name}")).status_code == 404
    own = auth.customer(scenario.planted["mule"].customer_id)
    for path in (
        "/v1/risk/alerts",
        f"/v1/risk/alerts/{escalated}",
        f"/v1/risk/subjects/{mule}",
        f"/v1/compliance/ctr?month={MONTH}",
        "/v1/compliance/str",
    ):
        assert (await query.get(path, headers=own)).status_code == 403, path


async def fresh_rebuild_equals_live(db: Any, infra: Infra) -> None:
    registry = ProjectorRegistry(MANIFESTS)
    for projection in registry.projections.values():
        topics = [topic_for(t, infra.topic_prefix) for t in projection.stream_types]
        source = KafkaSource(infra.kafka, topics, f"check.{projection.name}.{random.getrandbits(32)}")
        result = await rebuild(
            db,
            projection,
            source,
            indexes=registry.indexes_for(projection),
            lot=ParkingLot(db),
            dead_letters=DeadLetters(None, "unused"),
            options=RebuildOptions(grace_seconds=3600),
        )
        before, after = await checksum(db, result.replaced), await checksum(db, result.collection)
        assert before == after, f"{projection.name}: live {before} != rebuilt {after}"


@pytest.fixture(scope="module")
async def risk_infra(run_id: str) -> AsyncIterator[Infra]:
    async with fresh_infra(f"{run_id}_risk") as value:
        yield value


@pytest.fixture(scope="module")
async def world(risk_infra: Infra) -> AsyncIterator[RiskWorld]:
    pool = await open_pool(risk_infra.pg_dsn, min_size=2, max_size=10)
    await create_schema(pool)
    yield RiskWorld(store=PostgresEventStore(pool), max_attempts=50)
    await pool.close()


async def test_alerts_and_reports_of_the_month_and_a_rebuild_during_it(risk_infra: Infra, world: RiskWorld) -> None:
    services = [
        processes.relay(risk_infra),
        processes.projector(risk_infra, BAHI_PROJECTIONS=",".join(NAMES)),
        processes.query(risk_infra),
    ]
    generator = Generator(seed=20261101)
    with processes.running(services) as running:
        async with (
            api(world) as command,
            httpx.AsyncClient(base_url=running["query"].url, timeout=30, headers=auth.STAFF) as query,
            database(risk_infra) as db,
        ):
            scenario = await generator.setup(command, world.clock)
            await run(command, world.clock, scenario, until=len(scenario.actions) // 2)
            structurer = scenario.planted["structurer"].account_id
            found: list[dict[str, Any]] = []

            async def structurer_alert() -> bool:
                found[:] = await all_alerts(query, subject=structurer, rule="STRUCTURING_SPLIT")
                return bool(found)

            await wait_until(structurer_alert, timeout=WAIT, what="the structurer's alert")
            alert_id = found[0]["alert_id"]
            for decision in ("UNDER_REVIEW", "ESCALATED"):
                body = {"decision": decision, "note": f"analyst: {decision.lower()}"}
                reviewed = await command.post(f"/v1/risk/alerts/{alert_id}/review", json=body)
                assert reviewed.status_code == 200, reviewed.text

            rebuilding = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "projector_service", "rebuild", *NAMES, "--grace", "3600", "--no-wait",
                cwd=processes.ROOT, env={**os.environ, **processes.service_env(risk_infra), "COLUMNS": "200"},
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip

            async def rebuild_running() -> bool:  # the second half is written while it runs
                return await db[ledger.REBUILDS].count_documents({"state": ledger.RUNNING}) > 0

            await wait_until(rebuild_running, timeout=WAIT, what="the rebuild running", poll=0.05)
            await run(command, world.clock, scenario)
            out, err = await asyncio.wait_for(rebuilding.communicate(), timeout=WAIT)
            assert rebuilding.returncode == 0, err.decode()[-3000:]
            assert all(name in out.decode() for name in NAMES), out.decode()

            await caught_up(db, world, scenario)
            await assert_the_answers(query, scenario)
            kept = await query.get(f"/v1/risk/alerts/{alert_id}")
            assert kept.json()["status"] == "ESCALATED"
            assert [r["decision"] for r in kept.json()["reviews"]] == ["UNDER_REVIEW", "ESCALATED"]
            cases = (await query.get("/v1/compliance/str", params={"status": "OPEN"})).json()["items"]
            assert [c["alert_id"] for c in cases] == [alert_id] and cases[0]["linked_transactions"]
            await the_reads_filter_page_and_refuse_customers(query, scenario, alert_id)
            await fresh_rebuild_equals_live(db, risk_infra)


async def test_a_projector_killed_during_the_month_loses_and_repeats_no_alert() -> None:
    async with fresh_infra(f"kill{random.getrandbits(24)}") as infra:
        pool = await open_pool(infra.pg_dsn, min_size=2, max_size=10)
        await create_schema(pool)
        world = RiskWorld(store=PostgresEventStore(pool), max_attempts=50)
        projector = processes.projector(infra, BAHI_PROJECTIONS=",".join(NAMES))
        services = [processes.relay(infra), projector, processes.query(infra)]
        try:
            with processes.running(services) as running:
                async with (
                    api(world) as command,
                    httpx.AsyncClient(base_url=running["query"].url, timeout=30, headers=auth.STAFF) as query,
                    database(infra) as db,
                ):
                    scenario = await Generator(seed=20261102).setup(command, world.clock)
                    await run(command, world.clock, scenario, until=len(scenario.actions) // 3)
                    subjects = db[RISK_SUBJECT_VIEW]

                    async def alert_applied() -> bool:
                        return await subjects.count_documents({"alert_count": {"$gt": 0}}) >= 1

                    await wait_until(alert_applied, timeout=WAIT, what="an alert applied")
                    writing = asyncio.create_task(run(command, world.clock, scenario))
                    mark = scenario.written

                    async def writes_flowing() -> bool:  # the kill point: the projector is fed as it dies
                        return scenario.written >= mark + 100 or writing.done()

                    await wait_until(writes_flowing, timeout=WAIT, what="100 more actions written", poll=0.05)
                    projector.kill()
                    await writing
                    projector.start().wait_ready(90)
                    await caught_up(db, world, scenario)
                    await assert_the_answers(query, scenario)
        finally:
            await pool.close()
