"""A seeded month of realistic money activity with planted patterns, written through the command
API (HTTP, the service's own app) with the test's clock set to each action's moment: the command
service's injectable clock gives the events a month of event time (`occurred_at`) in a few
seconds of wall time.

Who is in it (IST month 2026-11):

- ordinary customers: bank accounts (a few also with a wallet) with a VPA each, a cash deposit
  to start with, then on most days a UPI payment or two (₹50 to ₹2,000) to a merchant or to
  another customer, wallet payments to merchants (orders), now and then a small cash deposit or
  withdrawal;
- a structurer: a cash deposit just under ₹50,000 on 24 days of the month;
- a mule: credits from five ordinary customers within half an hour, 85% of them paid out 40
  minutes later;
- a velocity burst: twelve payments in three minutes;
- large cash customers: cash deposits or withdrawals of ₹2,00,000 and more (over the CTR
  threshold, not structuring), and one who stays just under it.

The generator keeps its own books (every cash movement per customer), so a test derives what the
CTR must list from what was written, not from a figure typed in the test.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from shared.periods import month_key
from shared.policy import IST

MONTH = "2026-11"
SETUP_AT = datetime(2026, 11, 1, 3, 0, tzinfo=IST)
DAYS = 28
IFSC = "BAHI0000001"


def ist(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=IST)


@dataclass(frozen=True)
class Action:
    at: datetime
    path: str
    body: dict[str, Any]


@dataclass
class Holder:
    customer_id: str
    vpa: str
    account_id: str = ""
    wallet_id: str = ""
    wallet_vpa: str = ""
    balance: int = 0
    wallet_balance: int = 0


@dataclass
class Scenario:
    seed: int
    ordinary: list[Holder] = field(default_factory=list)
    merchants: list[Holder] = field(default_factory=list)
    planted: dict[str, Holder] = field(default_factory=dict)
    """Role ("structurer", "mule", "burst", "cashout", "cash1", ...) -> its holder."""
    cash: dict[tuple[str, str, str], int] = field(default_factory=lambda: defaultdict(int))
    """(customer, IST month, IN|OUT) -> cash moved, as written."""
    cash_items: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    """customer -> cash movements written."""
    actions: list[Action] = field(default_factory=list)
    written: int = 0

    def all_holders(self) -> list[Holder]:
        return [*self.ordinary, *self.merchants, *self.planted.values()]

    def alerted_roles(self) -> dict[str, str]:
        """The planted subjects (account ids) and the rule each must raise."""
        return {
            self.planted["structurer"].account_id: "STRUCTURING_SPLIT",
            self.planted["mule"].account_id: "PASS_THROUGH",
            self.planted["burst"].account_id: "VELOCITY",
        }

    def ctr_customers(self, month: str, threshold: int) -> list[str]:
        over = {c for (c, m, _), total in self.cash.items() if m == month and total > threshold}
        return sorted(over)


Send = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]


class Generator:
    """Builds the scenario's holders (setup, written at once) and its month of actions (in time
    order, written by `run` in slices, so a test can act between them)."""

    def __init__(self, seed: int, ordinary: int = 16, wallets: int = 4) -> None:
        self.rng = random.Random(seed)
        self.scenario = Scenario(seed)
        self._n_ordinary = ordinary
        self._n_wallets = wallets
        self._ids = 0

    def _id(self, prefix: str) -> str:
        self._ids += 1
        return f"{prefix}-{self.scenario.seed}-{self._ids}"

    async def setup(self, client: httpx.AsyncClient, clock: Any) -> Scenario:
        s = self.scenario
        clock.now = SETUP_AT.astimezone(UTC)
        s.ordinary = [Holder(f"cust-o{i}", f"o{i}.pay@bahi") for i in range(self._n_ordinary)]
        s.merchants = [Holder(f"cust-m{i}", f"shop{i}@bahi") for i in range(3)]
        roles = ("structurer", "mule", "burst", "cashout", "cash1", "cash2", "cash3")
        s.planted = {role: Holder(f"cust-{role}", f"{role}@bahi") for role in roles}
        for holder in s.all_holders():
            opened = await _ok(
                client.post(
                    "/v1/accounts",
                    json={"customer_id": holder.customer_id, "holder_name": "Test Holder", "type": "SAVINGS",
                          "branch_ifsc": IFSC},
                ),
                201,
            )  # fmt: skip
            holder.account_id = opened["account_id"]
            kind = "MERCHANT" if holder in s.merchants else "PERSON"
            body = {"vpa": holder.vpa, "kind": kind, "account_id": holder.account_id}
            await _ok(client.post("/v1/upi/vpas", json=body), 201)
        for holder in s.ordinary[: self._n_wallets]:
            opened = await _ok(
                client.post("/v1/wallets", json={"customer_id": holder.customer_id, "mobile": "9876543210",
                                                 "kyc": "FULL"}),
                201,
            )  # fmt: skip
            holder.wallet_id = opened["wallet_id"]
            holder.wallet_vpa = holder.vpa.replace(".pay@", ".wal@")
            body = {"vpa": holder.wallet_vpa, "wallet_id": holder.wallet_id}
            await _ok(client.post("/v1/upi/vpas", json=body), 201)
            top_up = {"topup_id": self._id("t"), "amount_paise": 20_000_00, "source": "UPI", "reference": "r-1"}
            await _ok(client.post(f"/v1/wallets/{holder.wallet_id}/topups", json=top_up))
            holder.wallet_balance = 20_000_00
        for holder in s.ordinary:  # two items under the split band: no structuring
            for _ in range(2):
                await self._cash(client, holder, "deposits", 44_000_00, SETUP_AT)
        for holder in s.planted.values():
            await self._cash(client, holder, "deposits", 40_000_00, SETUP_AT)
        self._plan()
        return s

    async def _cash(self, client: httpx.AsyncClient, holder: Holder, kind: str, paise: int, at: datetime) -> None:
        body = {"txn_id": self._id("c"), "amount_paise": paise, "mode": "CASH", "narration": "cash at branch"}
        await _ok(client.post(f"/v1/accounts/{holder.account_id}/{kind}", json=body))
        self._book_cash(holder, kind, paise, at)

    def _book_cash(self, holder: Holder, kind: str, paise: int, at: datetime) -> None:
        direction = "IN" if kind == "deposits" else "OUT"
        self.scenario.cash[(holder.customer_id, month_key(at), direction)] += paise
        self.scenario.cash_items[holder.customer_id] += 1
        holder.balance += paise if direction == "IN" else -paise

    # -- the month ---------------------------------------------------------------------------

    def _add(self, at: datetime, path: str, body: dict[str, Any]) -> None:
        self.scenario.actions.append(Action(at, path, body))

    def _upi(self, at: datetime, payer: Holder, payee_vpa: str, paise: int, *, from_wallet: bool = False) -> None:
        vpa = payer.wallet_vpa if from_wallet else payer.vpa
        body = {"payment_id": self._id("u"), "payer_vpa": vpa, "payee_vpa": payee_vpa, "amount_paise": paise}
        self._add(at, "/v1/upi/payments", body)

    def _cash_later(self, at: datetime, holder: Holder, kind: str, paise: int) -> None:
        body = {"txn_id": self._id("c"), "amount_paise": paise, "mode": "CASH", "narration": "cash at branch"}
        self._add(at, f"/v1/accounts/{holder.account_id}/{kind}", body)
        self._book_cash(holder, kind, paise, at)

    def _plan(self) -> None:
        s, rng = self.scenario, self.rng
        people = s.ordinary
        for day in range(2, 2 + DAYS):
            for holder in people:
                for _ in range(rng.choice((0, 1, 1, 2))):
                    at = ist(day, rng.randint(8, 21), rng.randint(0, 59), rng.randint(0, 59))
                    payee = rng.choice([*(m.vpa for m in s.merchants), *(p.vpa for p in people if p is not holder)])
                    paise = rng.randint(50, 2_000) * 100
                    use_wallet = bool(holder.wallet_id) and rng.random() < 0.3 and holder.wallet_balance > paise
                    if use_wallet:
                        holder.wallet_balance -= paise
                    elif holder.balance - paise < 1_000_00:
                        continue  # what it receives is not counted: it never overdraws
                    else:
                        holder.balance -= paise
                    self._upi(at, holder, payee, paise, from_wallet=use_wallet)
                if holder.wallet_id and rng.random() < 0.15 and holder.wallet_balance > 3_000_00:
                    at = ist(day, rng.randint(8, 21), rng.randint(0, 59))
                    paise = rng.randint(100, 3_000) * 100
                    holder.wallet_balance -= paise
                    order = {"payment_id": self._id("w"), "merchant_id": "flipkart", "amount_paise": paise,
                             "order_id": self._id("ord")}  # fmt: skip
                    self._add(at, f"/v1/wallets/{holder.wallet_id}/payments", order)
                if rng.random() < 0.1:
                    self._cash_later(ist(day, 11, rng.randint(0, 59)), holder, "deposits", rng.randint(5, 200) * 100_00)
                elif rng.random() < 0.1 and holder.balance > 20_000_00:
                    paise = rng.randint(5, 100) * 100_00
                    self._cash_later(ist(day, 12, rng.randint(0, 59)), holder, "withdrawals", paise)
        self._plant()
        s.actions.sort(key=lambda a: a.at)

    def _plant(self) -> None:
        s, rng = self.scenario, self.rng
        structurer = s.planted["structurer"]
        for day in range(3, 27):
            paise = rng.randint(46_000, 49_900) * 100
            self._cash_later(ist(day, 10, rng.randint(0, 59)), structurer, "deposits", paise)
        mule, payers = s.planted["mule"], rng.sample(s.ordinary, 5)
        received = 0
        for i, payer in enumerate(payers):
            paise = rng.randint(4_000, 5_400) * 100
            received += paise
            self._upi(ist(15, 11, 5 * i, 7), payer, mule.vpa, paise)
        self._upi(ist(15, 11, 40), mule, s.planted["cashout"].vpa, received * 85 // 100)
        burst = s.planted["burst"]
        for i in range(12):
            at = ist(20, 14) + timedelta(seconds=15 * i)
            self._upi(at, burst, rng.choice(s.merchants).vpa, rng.randint(200, 500) * 100)
        for day, paise in ((4, 3_00_000_00), (9, 2_50_000_00), (16, 2_80_000_00), (23, 2_00_000_00)):
            self._cash_later(ist(day, 15), s.planted["cash1"], "deposits", paise)
        cash2 = s.planted["cash2"]
        for day, paise in ((5, 6_00_000_00), (6, 6_50_000_00)):
            self._cash_later(ist(day, 15), cash2, "deposits", paise)
        for day, paise in ((12, 4_00_000_00), (18, 4_00_000_00), (25, 3_00_000_00)):
            self._cash_later(ist(day, 16), cash2, "withdrawals", paise)
        for day, paise in ((7, 4_50_000_00), (21, 5_00_000_00)):  # with the first ₹40,000: just under
            self._cash_later(ist(day, 15), s.planted["cash3"], "deposits", paise)


async def run(client: httpx.AsyncClient, clock: Any, scenario: Scenario, until: int | None = None) -> int:
    """Write the scenario's actions from where it stopped up to index `until` (all: None), each at
    its own moment on the clock; the number written so far."""
    stop = len(scenario.actions) if until is None else min(until, len(scenario.actions))
    while scenario.written < stop:
        action = scenario.actions[scenario.written]
        clock.now = action.at.astimezone(UTC)
        await _ok(client.post(action.path, json=action.body), (200, 201))
        scenario.written += 1
    return scenario.written


async def _ok(pending: Awaitable[httpx.Response], status: int | tuple[int, ...] = 200) -> dict[str, Any]:
    response = await pending
    wanted = status if isinstance(status, tuple) else (status,)
    assert response.status_code in wanted, f"{response.status_code}: {response.text}"
    return dict(response.json())


def later(at: datetime, **delta: float) -> datetime:
    return at + timedelta(**delta)
