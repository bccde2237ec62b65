"""Manifests of a `demo` context that claim a name commerce already owns, one kind at a time:
what every service's registry must refuse at start-up, naming both claimants."""

from __future__ import annotations

import dataclasses

from fastapi import APIRouter

from shared.auth import allow
from shared.events import DomainEvent
from shared.manifest import ContextManifest, ReadModel
from shared.streams import StreamType
from tests.support.demo.shared import MANIFEST as DEMO


class OrderPlaced(DomainEvent):  # the same name as commerce's event
    note: str


def event_type() -> ContextManifest:
    return dataclasses.replace(DEMO, events=(*DEMO.events, OrderPlaced))


def stream_type() -> ContextManifest:
    return dataclasses.replace(DEMO, stream_types=(*DEMO.stream_types, StreamType("order", id_prefix="demo-order-")))


def read_model() -> ContextManifest:
    return dataclasses.replace(DEMO, read_models=(*DEMO.read_models, ReadModel("order_view")))


SHARED_CLASHES = {
    "event type": ("OrderPlaced", event_type),
    "stream type": ("order", stream_type),
    "read model": ("order_view", read_model),
}


def clashing_router(method: str, path: str) -> APIRouter:
    router = APIRouter()

    async def endpoint() -> dict[str, str]:
        return {}

    router.add_api_route(path, endpoint, methods=[method], dependencies=[allow("demo:clash")])
    return router
