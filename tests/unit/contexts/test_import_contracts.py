"""The import contracts in pyproject.toml cover every context of `shared.contexts.CONTEXTS` and
every generic module: a new context or a new generic package cannot slip past them."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from shared.contexts import CONTEXTS

ROOT = Path(__file__).resolve().parents[3]
SERVICES = ("shared", "command_service", "projector_service", "query_service")


def contracts() -> dict[str, dict[str, Any]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return {c["name"]: c for c in config["tool"]["importlinter"]["contracts"]}


def context_packages(name: str) -> list[str]:
    return [
        f"shared.{name}",
        f"command_service.{name}",
        f"projector_service.projections.{name}",
        f"query_service.{name}",
    ]


def top_level(service: str) -> set[str]:
    here = ROOT / service
    names = {p.stem for p in here.glob("*.py") if not p.stem.startswith("__")}
    names |= {p.name for p in here.iterdir() if (p / "__init__.py").exists()}
    return {f"{service}.{n}" for n in names}


def test_every_context_is_kept_apart_and_out_of_the_generic_machinery() -> None:
    generic = contracts()["Generic machinery names no context (contexts are found by name, through shared.contexts)"]
    independence = [c for c in contracts().values() if c["type"] == "independence"]
    for name in CONTEXTS:
        for package in context_packages(name):
            assert package in generic["forbidden_modules"], f"add {package} to the generic contract's forbidden_modules"
        for package in context_packages(name)[1:]:
            assert any(package in c["modules"] for c in independence), f"add {package} to an independence contract"


def test_every_generic_module_is_checked() -> None:
    generic = set(
        contracts()["Generic machinery names no context (contexts are found by name, through shared.contexts)"][
            "source_modules"
        ]
    )
    contexts = {p for name in CONTEXTS for p in context_packages(name)} | {"projector_service.projections"}
    for service in SERVICES:
        unchecked = top_level(service) - generic - contexts
        assert not unchecked, f"generic modules outside the contract (add them to source_modules): {sorted(unchecked)}"
