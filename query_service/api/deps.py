"""Request dependencies (Annotated *Dep aliases).

All `async def`: FastAPI runs a sync dependency in a worker thread, which on the
hot read path cost more than the MongoDB read itself.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from pymongo.asynchronous.database import AsyncDatabase

from query_service.settings import Settings
from query_service.views.watch import VersionWatcher
from shared.read_models import CollectionResolver


async def _db(request: Request) -> AsyncDatabase[Any]:
    return request.app.state.db  # type: ignore[no-any-return]


async def _resolver(request: Request) -> CollectionResolver:
    return request.app.state.resolver  # type: ignore[no-any-return]


async def _settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def _watcher(request: Request) -> VersionWatcher:
    state = request.app.state
    if getattr(state, "watcher", None) is None:  # one per app, made on first use
        state.watcher = VersionWatcher(state.db, state.resolver)
    return state.watcher  # type: ignore[no-any-return]


DbDep = Annotated[AsyncDatabase[Any], Depends(_db)]
ResolverDep = Annotated[CollectionResolver, Depends(_resolver)]
SettingsDep = Annotated[Settings, Depends(_settings)]
WatcherDep = Annotated[VersionWatcher, Depends(_watcher)]
