"""The seeded data set, a pure function of its `Spec`: the same seed and sizes give the same
commands, ids, amounts and times, byte for byte (`checksum`), in any process and on any machine.

Customers' activity is Zipf-distributed (a few customers place many orders, most place one or
two), as are products' popularity and which orders are read; a customer's rank is a seeded
shuffle, so the hot ones are not the first ids. Every entity has its own generator, seeded from
(seed, kind, index): order 70,000 is the same whether 1,000 or 100,000 are generated, and a
reader (the load driver) derives the ids without generating the commands.

The commands are data (`Step`): what `seeding` dispatches through the command service's own
dispatcher, at the step's own moment (the seeding clock), with an idempotency key, so a second
seeding of the same data set appends nothing."""

from __future__ import annotations

import bisect
import hashlib
import json
import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from tests.load import catalogue
from tests.load.stories import Step, account_story, order_story, wallet_story

PREPAID = frozenset({"UPI", "CARD", "NETBANKING"})


@dataclass(frozen=True)
class Spec:
    seed: int = 7
    customers: int = 20_000
    products: int = 500
    orders: int = 100_000
    wallets: int = 5_000
    accounts: int = 5_000
    days: int = 180
    """The span of history the orders and movements are spread over, ending at `end`."""
    end: str = "2026-11-30T18:30:00+00:00"
    """A fixed moment (midnight IST): times never depend on when the seeding runs."""
    zipf_s: float = 1.07
    shipped_share: float = 0.5
    """Of the confirmed orders old enough, the share that is shipped (and mostly delivered)."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def end_at(self) -> datetime:
        return datetime.fromisoformat(self.end)

    @property
    def start_at(self) -> datetime:
        return self.end_at - timedelta(days=self.days)


class Zipf:
    """Draws 0..n-1 with weight 1/rank^s; ranks are a seeded shuffle of the indexes."""

    def __init__(self, n: int, s: float, seed: str) -> None:
        ranks = list(range(1, n + 1))
        random.Random(seed).shuffle(ranks)
        self.weights = [1.0 / rank**s for rank in ranks]
        self._cumulative: list[float] = []
        total = 0.0
        for weight in self.weights:
            total += weight
            self._cumulative.append(total)
        self._total = total

    def draw(self, rng: random.Random) -> int:
        return min(len(self._cumulative) - 1, bisect.bisect_left(self._cumulative, rng.random() * self._total))


def _hex(*parts: object) -> str:
    return hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:32]


def _weighted(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    category: str
    price_paise: int


@dataclass
class Dataset:
    spec: Spec
    _orders_of: dict[int, list[int]] = field(default_factory=dict, repr=False)

    # ids -----------------------------------------------------------------------------------
    def customer_id(self, i: int) -> str:
        return f"ld{self.spec.seed}-c{i:06d}"

    def order_id(self, i: int) -> str:
        return f"ord-{_hex(self.spec.seed, 'order', i)}"

    def wallet_id(self, i: int) -> str:
        return f"wal-{_hex(self.spec.seed, 'wallet', i)}"

    def account_id(self, i: int) -> str:
        return f"acc-{_hex(self.spec.seed, 'account', i)}"

    def wallet_customer(self, i: int) -> int:
        """Wallets and accounts belong to the most active customers first (one each at most)."""
        return self.active_customers[i % len(self.active_customers)]

    # the draws -----------------------------------------------------------------------------
    @cached_property
    def customer_zipf(self) -> Zipf:
        return Zipf(self.spec.customers, self.spec.zipf_s, f"{self.spec.seed}:customers")

    @cached_property
    def product_zipf(self) -> Zipf:
        return Zipf(self.spec.products, self.spec.zipf_s, f"{self.spec.seed}:products")

    @cached_property
    def active_customers(self) -> list[int]:
        weights = self.customer_zipf.weights
        return sorted(range(self.spec.customers), key=lambda c: (-weights[c], c))

    @cached_property
    def products(self) -> list[Product]:
        return [self._product(i) for i in range(self.spec.products)]

    def _product(self, i: int) -> Product:
        rng = random.Random(f"{self.spec.seed}:product:{i}")
        cats = catalogue.CATEGORIES
        category = rng.choices(cats, weights=[c.weight for c in cats])[0]
        low, high = category.price_paise
        price = round(low * (high / low) ** (rng.random() ** 1.6) / 100) * 100  # whole rupees, skewed cheap
        name = f"{rng.choice(category.brands)} {rng.choice(category.items)}"
        return Product(f"LD{self.spec.seed}-{category.name[:4].upper()}-{i:05d}", name, category.name, price)

    def customer_of(self, i: int) -> int:
        return self.customer_zipf.draw(random.Random(f"{self.spec.seed}:order:{i}"))

    @cached_property
    def orders_by_customer(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for i in range(self.spec.orders):
            out.setdefault(self.customer_of(i), []).append(i)
        return out

    # the commands ---------------------------------------------------------------------------
    def product_steps(self) -> Iterator[list[Step]]:
        demand = self.demand()
        start = self.spec.start_at - timedelta(days=1)
        for i, product in enumerate(self.products):
            rng = random.Random(f"{self.spec.seed}:stock:{i}")
            # One product in 40 sells out: `in_stock=false` has something to list.
            stock = demand.get(product.sku, 0) + (0 if rng.random() < 0.025 else rng.randint(20, 2_000))
            body = {**asdict(product), "stock": stock}
            yield [Step("create_product", None, body, start, f"ld-{self.spec.seed}-product-{i}")]

    def demand(self) -> dict[str, int]:
        wanted: dict[str, int] = {}
        for i in range(self.spec.orders):
            for line in self._lines(random.Random(f"{self.spec.seed}:order:{i}"))[1]:
                wanted[line["sku"]] = wanted.get(line["sku"], 0) + line["quantity"]
        return wanted

    def _lines(self, rng: random.Random) -> tuple[int, list[dict[str, Any]]]:
        customer = self.customer_zipf.draw(rng)  # the first draw: `customer_of` repeats it
        count = rng.choices((1, 2, 3, 4), weights=(55, 28, 12, 5))[0]
        skus: list[str] = []
        while len(skus) < count:
            sku = self.products[self.product_zipf.draw(rng)].sku
            if sku not in skus:
                skus.append(sku)
        return customer, [{"sku": s, "quantity": rng.choices((1, 2, 3), weights=(80, 15, 5))[0]} for s in skus]

    def order_steps(self) -> Iterator[list[Step]]:
        for i in range(self.spec.orders):
            yield self.order_story(i)

    def order_story(self, i: int) -> list[Step]:
        # The domain's own GST rules price the payment a prepaid order waits for. Imported here:
        # the load driver derives ids from the data set and must not pay for the command side.
        from command_service.commerce.domain.pricing import gst_paise, gst_rate

        rng = random.Random(f"{self.spec.seed}:order:{i}")
        customer, lines = self._lines(rng)
        total = 0
        for line in lines:
            product = self.by_sku[line["sku"]]
            amount = product.price_paise * line["quantity"]
            total += amount + gst_paise(amount, gst_rate(product.category))
        return order_story(self, i, rng, customer, lines, total)

    @cached_property
    def by_sku(self) -> dict[str, Product]:
        return {p.sku: p for p in self.products}

    def holder_steps(self) -> Iterator[list[Step]]:
        for i in range(self.spec.wallets):
            yield wallet_story(self, i)
        for i in range(self.spec.accounts):
            yield account_story(self, i)

    def phases(self) -> list[tuple[str, int, Iterator[list[Step]]]]:
        """(name, stories, stories) in the order they must run: products before the orders."""
        spec = self.spec
        return [
            ("products", spec.products, self.product_steps()),
            ("orders", spec.orders, self.order_steps()),
            ("wallets and accounts", spec.wallets + spec.accounts, self.holder_steps()),
        ]

    def checksum(self) -> str:
        """sha256 of every command in order: equal for equal data sets, whatever the machine."""
        digest = hashlib.sha256(json.dumps(self.spec.as_dict(), sort_keys=True).encode())
        for _, _, stories in self.phases():
            for story in stories:
                for step in story:
                    digest.update(step.canonical())
        return digest.hexdigest()
