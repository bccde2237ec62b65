"""Scenarios as data: a TOML file (`scenarios/*.toml`) names endpoints, each with a relative
weight and a path template whose placeholders are drawn from the seeded data set:

    {order}        an order id, Zipf-hot (a few orders are looked up again and again)
    {customer}     a customer who has orders, as often as they order (Zipf)
    {sku}          a product, by popularity (Zipf); {category} a category, by its share
    {search}       q (a customer id, an order id prefix, a SKU or a word of an item's name)
                   with filters (status, city, payment method, total, placed from)
    {wallet}, {account}             a seeded wallet or bank account
    {wallet_as_of}, {account_as_of} `<id>/balance?as_of=<a moment after its opening>`

`harvest = true` keeps the `next_cursor` of the endpoint's answers; an endpoint with
`follow = "<that endpoint>"` asks for the next page of one of them (the first page's path, when
none is kept yet). `--weight name=value` overrides a weight; 0 leaves an endpoint out."""

from __future__ import annotations

import random
import re
import tomllib
from collections import deque
from dataclasses import dataclass
from datetime import timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from tests.load import catalogue
from tests.load.dataset import Dataset, Zipf
from tests.load.stories import opened_at

HERE = Path(__file__).resolve().parent / "scenarios"
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
STATUSES = ("CONFIRMED", "SHIPPED", "DELIVERED", "CANCELLED", "PENDING_PAYMENT")


@dataclass(frozen=True)
class Endpoint:
    name: str
    weight: float
    path: str = ""
    harvest: bool = False
    follow: str | None = None


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    endpoints: tuple[Endpoint, ...]

    @classmethod
    def load(cls, name_or_path: str, weights: dict[str, float] | None = None) -> Scenario:
        path = Path(name_or_path)
        if not path.exists():
            path = HERE / f"{name_or_path}.toml"
        raw = tomllib.loads(path.read_text())
        endpoints = []
        for name, spec in raw["endpoints"].items():
            unknown = set(spec) - {"weight", "path", "harvest", "follow"}
            if unknown:
                raise ValueError(f"{path.name}: endpoint {name}: unknown keys {sorted(unknown)}")
            endpoints.append(
                Endpoint(
                    name,
                    float(spec.get("weight", 1)),
                    spec.get("path", ""),
                    bool(spec.get("harvest", False)),
                    spec.get("follow"),
                )
            )
        for name, weight in (weights or {}).items():
            if name not in {e.name for e in endpoints}:
                raise ValueError(f"--weight {name}: the scenario has no such endpoint")
            endpoints = [
                Endpoint(e.name, weight, e.path, e.harvest, e.follow) if e.name == name else e for e in endpoints
            ]
        names = {e.name: e for e in endpoints}
        for e in endpoints:
            if e.follow and (e.follow not in names or not names[e.follow].harvest):
                raise ValueError(f"{path.name}: {e.name} follows {e.follow!r}, which harvests no cursors")
            if not e.follow and not e.path:
                raise ValueError(f"{path.name}: {e.name} has no path")
        kept = tuple(e for e in endpoints if e.weight > 0)
        if not kept:
            raise ValueError(f"{path.name}: every weight is 0")
        return cls(raw.get("name", path.stem), raw.get("description", ""), kept)

    def placeholders(self) -> set[str]:
        return {p for e in self.endpoints for p in _PLACEHOLDER.findall(e.path)}


class Picker:
    """Draws the scenario's requests: an endpoint by weight, its placeholders from the data set.
    Deterministic for a given (data set, scenario, seed): each driver process draws its own stream."""

    def __init__(self, scenario: Scenario, data: Dataset | None, seed: int) -> None:
        self.scenario, self.data = scenario, data
        self.rng = random.Random(seed)
        self.endpoints = list(scenario.endpoints)
        self.weights = [e.weight for e in self.endpoints]
        self.cursors: dict[str, deque[str]] = {e.name: deque(maxlen=512) for e in self.endpoints if e.harvest}
        needed = scenario.placeholders()
        if needed and data is None:
            raise ValueError(f"scenario {scenario.name} needs a data set for {sorted(needed)}")
        if data is not None and needed:
            self._prepare(data, needed)

    def _prepare(self, data: Dataset, needed: set[str]) -> None:
        spec = data.spec
        if needed & {"order", "search"}:
            self.order_zipf = Zipf(spec.orders, spec.zipf_s, f"{spec.seed}:reads:orders")
        if needed & {"customer", "search"}:
            by_customer = data.orders_by_customer
            self.customers = sorted(by_customer)
            self.customer_cum = list(accumulate(len(by_customer[c]) for c in self.customers))
        if needed & {"sku", "search"}:
            self.products = data.products
        self.categories = [c.name for c in catalogue.CATEGORIES]
        self.category_weights = [c.weight for c in catalogue.CATEGORIES]

    def draw(self) -> tuple[Endpoint, str]:
        endpoint = self.rng.choices(self.endpoints, weights=self.weights)[0]
        if endpoint.follow:
            kept = self.cursors[endpoint.follow]
            if kept:
                return endpoint, kept[self.rng.randrange(len(kept))]
            first = next(e for e in self.endpoints if e.name == endpoint.follow)
            return first, self.fill(first.path)
        return endpoint, self.fill(endpoint.path)

    def keep_cursor(self, endpoint: Endpoint, path: str, cursor: str | None) -> None:
        if endpoint.harvest and cursor:
            self.cursors[endpoint.name].append(f"{path}&cursor={quote(cursor)}")

    def fill(self, template: str) -> str:
        return _PLACEHOLDER.sub(lambda m: self._value(m.group(1)), template)

    def _value(self, name: str) -> str:
        data, rng = self.data, self.rng
        assert data is not None
        spec = data.spec
        match name:
            case "order":
                return data.order_id(self.order_zipf.draw(rng))
            case "customer":
                return data.customer_id(rng.choices(self.customers, cum_weights=self.customer_cum)[0])
            case "sku":
                return data.products[data.product_zipf.draw(rng)].sku
            case "category":
                return rng.choices(self.categories, weights=self.category_weights)[0]
            case "wallet":
                return data.wallet_id(rng.randrange(spec.wallets))
            case "account":
                return data.account_id(rng.randrange(spec.accounts))
            case "wallet_as_of" | "account_as_of":
                kind = name.removesuffix("_as_of")
                i = rng.randrange(spec.wallets if kind == "wallet" else spec.accounts)
                opened = opened_at(data, kind, i)
                moment = opened + timedelta(seconds=rng.random() * (spec.end_at - opened).total_seconds())
                ident = data.wallet_id(i) if kind == "wallet" else data.account_id(i)
                return f"{ident}/balance?as_of={quote(moment.strftime('%Y-%m-%dT%H:%M:%SZ'))}"
            case "search":
                return urlencode(self._search())
        raise ValueError(f"unknown placeholder {{{name}}}")

    def _search(self) -> dict[str, Any]:
        data, rng = self.data, self.rng
        assert data is not None
        kind = rng.choices(("customer", "order", "sku", "word", "filters"), weights=(3, 3, 2, 3, 2))[0]
        params: dict[str, Any] = {}
        if kind == "customer":
            params["q"] = data.customer_id(rng.choices(self.customers, cum_weights=self.customer_cum)[0])
        elif kind == "order":
            params["q"] = data.order_id(self.order_zipf.draw(rng))[: rng.choice((10, 13, 16))]
        elif kind == "sku":
            params["q"] = self.products[data.product_zipf.draw(rng)].sku
        elif kind == "word":
            params["q"] = rng.choice(self.products[data.product_zipf.draw(rng)].name.split())
        if kind == "filters" or rng.random() < 0.4:
            params["status"] = rng.choice(STATUSES)
        if kind == "filters" or rng.random() < 0.2:
            params["city"] = rng.choice(catalogue.CITIES)[0]
        if rng.random() < 0.15:
            params["payment_method"] = rng.choice(catalogue.PAYMENT_METHODS)[0]
        if kind == "filters" and rng.random() < 0.5:
            params["min_total"] = rng.choice((50_000, 100_000, 500_000))
            params["placed_from"] = (data.spec.end_at - timedelta(days=rng.randint(1, 60))).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            )
        return params
