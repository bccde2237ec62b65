"""Two contexts claiming one name are refused when a service's registry is built (at start-up),
with a message naming the kind, the name and both claimants."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from command_service.commerce import MANIFEST as COMMERCE_COMMANDS
from command_service.handling import CommandRegistry
from shared.claims import DuplicateClaimError
from shared.commerce import MANIFEST as COMMERCE
from shared.events import EventRegistry
from shared.manifest import Catalog, ContextManifest
from tests.support.clashes import SHARED_CLASHES, clashing_router
from tests.support.demo import command as demo_command


def refused(build: Callable[[], object], kind: str, name: str) -> None:
    with pytest.raises(DuplicateClaimError) as caught:
        build()
    assert str(caught.value) == f"{kind} {name!r} is claimed by both 'commerce' and 'demo'"
    assert caught.value.claimants == ("commerce", "demo")


def test_the_demo_context_merges_beside_commerce() -> None:
    registry = CommandRegistry([COMMERCE_COMMANDS, demo_command.MANIFEST], events=EventRegistry())
    assert "CountTally" in registry.handlers and "PlaceOrder" in registry.handlers
    assert "POST /v1/tallies/{tally_id}/counts" in registry.routes
    assert set(registry.catalog.stream_types) == {"order", "product", "tally"}


@pytest.mark.parametrize("kind", sorted(SHARED_CLASHES))
def test_the_shared_catalogue_refuses_a_second_claim(kind: str) -> None:
    name, clash = SHARED_CLASHES[kind]
    refused(lambda: Catalog([COMMERCE, clash()], EventRegistry()), kind, name)


@pytest.mark.parametrize("kind", sorted(SHARED_CLASHES))
def test_the_command_registry_refuses_a_second_claim_of_the_shared_catalogue(kind: str) -> None:
    name, clash = SHARED_CLASHES[kind]
    manifest = dataclasses.replace(demo_command.MANIFEST, shared=clash())
    refused(lambda: CommandRegistry([COMMERCE_COMMANDS, manifest], events=EventRegistry()), kind, name)


def test_the_command_registry_refuses_a_second_route() -> None:
    manifest = dataclasses.replace(demo_command.MANIFEST, routers=(clashing_router("POST", "/v1/orders"),))
    refused(lambda: CommandRegistry([COMMERCE_COMMANDS, manifest], events=EventRegistry()), "route", "POST /v1/orders")


def test_the_command_registry_refuses_a_second_handler_of_one_command() -> None:
    from command_service.commerce.commands import PlaceOrder

    manifest = dataclasses.replace(demo_command.MANIFEST, handlers={PlaceOrder: demo_command.count_tally})
    refused(lambda: CommandRegistry([COMMERCE_COMMANDS, manifest], events=EventRegistry()), "command", "PlaceOrder")


def test_two_contexts_offering_one_handler_dependency_are_refused() -> None:
    manifest = dataclasses.replace(demo_command.MANIFEST, dependencies=lambda settings: {"return_window": 1})
    registry = CommandRegistry([COMMERCE_COMMANDS, manifest], events=EventRegistry())
    settings = registry.settings()
    refused(lambda: registry.dependencies(settings, {}), "handler dependency", "return_window")


def test_a_context_cannot_take_a_generic_dependency_name() -> None:
    manifest = dataclasses.replace(demo_command.MANIFEST, dependencies=lambda settings: {"store": None})
    registry = CommandRegistry([manifest], events=EventRegistry())
    with pytest.raises(DuplicateClaimError, match="'store' is claimed by both 'the command service' and 'demo'"):
        registry.dependencies(registry.settings(), {"store": object()})


def test_event_type_names_are_unique_in_the_process_wide_registry_too() -> None:
    from tests.support.clashes import OrderPlaced

    events = EventRegistry()
    events.add("commerce", COMMERCE.events)
    with pytest.raises(DuplicateClaimError, match="'OrderPlaced' is claimed by both 'commerce' and 'demo'"):
        events.add("demo", [OrderPlaced])


def test_a_manifest_merged_twice_is_not_a_clash() -> None:
    catalog = Catalog([COMMERCE, COMMERCE], EventRegistry())
    assert set(catalog.contexts) == {"commerce"}
    assert isinstance(catalog.contexts["commerce"], ContextManifest)
