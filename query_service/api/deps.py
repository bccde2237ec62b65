"""Request dependencies (Annotated *Dep aliases).

All `async def`: FastAPI runs a sync dependency in a worker thread, which on the
hot read path cost more than the MongoDB read itself. The single-document reads take
one dependency (`ReadsDep`), the lists one (`api.pages.PageDep`): FastAPI resolves each
dependency of a request with a recursive solve of its own, CPU paid on every request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from pymongo.asynchronous.database import AsyncDatabase

from query_service.reads import DocumentLoader, VersionWatcher
from query_service.settings import Settings
from shared.read_models import CollectionResolver


async def _db(request: Request) -> AsyncDatabase[Any]:
    return request.app.state.db  # type: ignore[no-any-return]


async def _resolver(request: Request) -> CollectionResolver:
    return request.app.state.resolver  # type: ignore[no-any-return]


async def _settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def watcher_of(state: Any) -> VersionWatcher:
    if getattr(state, "watcher", None) is None:  # one per app, made on first use
        state.watcher = VersionWatcher(state.db, state.resolver)
    return state.watcher  # type: ignore[no-any-return]


async def _watcher(request: Request) -> VersionWatcher:
    return watcher_of(request.app.state)


@dataclass(frozen=True)
class Reads:
    """What a single-document read needs: its loader, the watcher and the wait bound."""

    loader: DocumentLoader
    watcher: VersionWatcher
    wait_seconds: float


def reads_of(state: Any) -> Reads:
    if getattr(state, "reads", None) is None:  # one per app, made on first use
        state.reads = Reads(state.loader, watcher_of(state), state.settings.consistency_wait_seconds)
    return state.reads  # type: ignore[no-any-return]


async def _reads(request: Request) -> Reads:
    return reads_of(request.app.state)


DbDep = Annotated[AsyncDatabase[Any], Depends(_db)]
ReadsDep = Annotated[Reads, Depends(_reads)]
ResolverDep = Annotated[CollectionResolver, Depends(_resolver)]
SettingsDep = Annotated[Settings, Depends(_settings)]
WatcherDep = Annotated[VersionWatcher, Depends(_watcher)]
