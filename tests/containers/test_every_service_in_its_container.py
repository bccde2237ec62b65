"""Every Bahi process in a container of its own, from the one image (make images): the command
service, the relay, the process managers (payment saga), the projector and the query service on
the host's network against the local PostgreSQL, Kafka and MongoDB stand-in, each waited for
through the image's health check. Orders go in over HTTP and come back out of the query
container; the projector container is stopped and started again and its views catch up; two
query containers answer alike; the Kubernetes rebuild Job's command runs as a one-shot container
while a query container keeps answering."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from tests.support import auth
from tests.support.containers import Container, bahi_env, wait, wait_all_healthy
from tests.support.infra import Infra, fresh_infra
from tests.support.processes import free_port
from tests.support.shop import Shop, has_status, read_until

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.slow]

_PROCESSES = {  # name -> (command, the variable that sets its port)
    "command": (["python", "-m", "command_service"], "BAHI_PORT"),
    "relay": (["python", "-m", "command_service.relay"], "BAHI_RELAY_PORT"),
    "saga": (["python", "-m", "command_service.sagas"], "BAHI_SAGA_PORT"),
    "projector": (["python", "-m", "projector_service"], "BAHI_PROJECTOR_PORT"),
    "query": (["python", "-m", "query_service"], "BAHI_PORT"),
}


@pytest.fixture(scope="module")
async def box_infra(run_id: str) -> AsyncIterator[Infra]:
    async with fresh_infra(f"{run_id}_ctr") as value:
        yield value


def _container(infra: Infra, run_id: str, name: str, suffix: str = "") -> Container:
    command, port_variable = _PROCESSES[name]
    port = free_port()
    return Container(f"bahi-t{run_id}-{name}{suffix}", command, bahi_env(infra, **{port_variable: str(port)}), port)


@pytest.fixture(scope="module")
def bahi(box_infra: Infra, run_id: str) -> Iterator[dict[str, Container]]:
    containers = {name: _container(box_infra, run_id, name) for name in _PROCESSES}
    try:
        for container in containers.values():
            container.start()
        wait_all_healthy(containers, " (all five started at once)")
        yield containers
    finally:
        for container in containers.values():
            container.remove()


def test_an_order_goes_in_at_the_command_container_and_comes_out_of_the_query_container(
    bahi: dict[str, Container],
) -> None:
    shop, query = Shop(bahi["command"].url), bahi["query"].url
    sku = shop.product(stock=10)
    cod = shop.place(sku, "COD", qty=2)
    view = read_until(f"{query}/v1/orders/{cod}", has_status("CONFIRMED"), what="the COD order's view")
    assert view["order_id"] == cod and view["items"][0]["sku"] == sku and view["items"][0]["quantity"] == 2

    # The payment saga's container cancels a prepaid order whose payment failed.
    upi = shop.place(sku, "UPI")
    pending = read_until(f"{query}/v1/orders/{upi}", has_status("PENDING_PAYMENT"), what="the UPI order's view")
    shop.payment_failed(upi, pending["total_paise"])
    cancelled = read_until(f"{query}/v1/orders/{upi}", has_status("CANCELLED"), what="the saga's cancellation")
    assert cancelled["version"] > pending["version"]
    stock = read_until(f"{query}/v1/products/{sku}", lambda r: r.status_code == 200 and r.json()["available"] == 8)
    assert stock["reserved"] + stock["available"] <= 10


def test_a_stopped_projector_container_catches_up_when_started_again(bahi: dict[str, Container]) -> None:
    shop, query, projector = Shop(bahi["command"].url), bahi["query"].url, bahi["projector"]
    sku = shop.product()
    projector.stop()
    assert projector.state() == "exited"
    placed = [shop.place(sku, "COD") for _ in range(5)]
    # Committed and published (the relay runs), but nothing projects them while the projector is down.
    assert httpx.get(f"{query}/v1/orders/{placed[-1]}", timeout=5, headers=auth.STAFF).status_code == 404

    projector.restart()
    projector.wait_healthy("projector (started again)")
    for order_id in placed:
        read_until(f"{query}/v1/orders/{order_id}", has_status("CONFIRMED"), what=f"{order_id} after the restart")


def test_two_query_containers_on_different_ports_answer_alike(
    bahi: dict[str, Container], box_infra: Infra, run_id: str
) -> None:
    shop = Shop(bahi["command"].url)
    order_id = shop.place(shop.product(), "COD")
    second = _container(box_infra, run_id, "query", suffix="-2")
    try:
        second.start().wait_healthy("query (a second container)")
        assert second.port != bahi["query"].port
        views = [
            read_until(f"{q.url}/v1/orders/{order_id}", has_status("CONFIRMED"), what=f"{q.name}")
            for q in (bahi["query"], second)
        ]
        assert views[0] == views[1]
    finally:
        second.remove()


async def _pointer(infra: Infra, name: str) -> str | None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongo_url)
    try:
        pointer = await client[infra.mongo_db]["read_model_pointers"].find_one({"_id": name})
        return None if pointer is None else str(pointer["collection"])
    finally:
        await client.close()


async def test_the_rebuild_job_rebuilds_order_view_while_the_query_container_answers(
    bahi: dict[str, Container], box_infra: Infra, run_id: str
) -> None:
    shop, query = Shop(bahi["command"].url), bahi["query"].url
    sku = shop.product()
    orders = [shop.place(sku, "COD") for _ in range(3)]
    for order_id in orders:
        read_until(f"{query}/v1/orders/{order_id}", has_status("CONFIRMED"))
    before = await _pointer(box_infra, "order_view")

    answers: list[int] = []
    stop = threading.Event()

    def keep_reading() -> None:
        while not stop.is_set():
            for order_id in orders:
                answer = httpx.get(f"{query}/v1/orders/{order_id}", timeout=5, headers=auth.STAFF)
                answers.append(answer.status_code if answer.json().get("order_id") == order_id else -1)

    # deploy/k8s/rebuild-job.yaml's command, as a one-shot container (a short grace period: the
    # Job's default waits a minute before dropping the old collection).
    job = Container(
        f"bahi-t{run_id}-rebuild",
        ["python", "-m", "projector_service", "rebuild", "order_view"],
        bahi_env(box_infra, BAHI_REBUILD_GRACE_SECONDS="2"),
    )
    reader = threading.Thread(target=keep_reading)
    reader.start()
    try:
        job.start()
        assert job.healthy()  # a one-shot tool: healthy while it runs
        wait("the rebuild job", lambda: job.state() == "exited", lambda: len(job.logs(tail=1000)), limit=300)
        output = job.logs(tail=100)
        assert job.exit_code() == 0, output
    finally:
        stop.set()
        reader.join()
        job.remove()

    after = await _pointer(box_infra, "order_view")
    assert after is not None and after != before and after.startswith("order_view__v"), (before, after, output)
    assert "order_view" in output and "dropped" in output, output
    assert len(answers) >= 3 and set(answers) == {200}, answers
    for order_id in orders:  # from the rebuilt collection now
        read_until(f"{query}/v1/orders/{order_id}", has_status("CONFIRMED"))
