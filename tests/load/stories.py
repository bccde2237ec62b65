"""Each entity's commands in time order (a story): an order's lifecycle by its age, a wallet's
top-ups and payments, an account's deposits and withdrawals. Stories run concurrently; the steps
of one story run one after the other, each at its own moment."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from tests.load import catalogue

if TYPE_CHECKING:
    from tests.load.dataset import Dataset

MERCHANTS = ("mer-grocer-01", "mer-pharmacy-02", "mer-cafe-03", "mer-fuel-04", "mer-metro-05")


@dataclass(frozen=True)
class Step:
    """One command: its kind (seeding maps it to a command class), the stream it targets (None:
    the command names it itself, a product's SKU), its body, its moment and idempotency key."""

    kind: str
    target: str | None
    body: dict[str, Any]
    at: datetime
    key: str

    def canonical(self) -> bytes:
        record = {"kind": self.kind, "target": self.target, "body": self.body, "at": self.at.isoformat()}
        return json.dumps({**record, "key": self.key}, sort_keys=True, separators=(",", ":")).encode()


def _step(kind: str, target: str | None, body: dict[str, Any], at: datetime, key: str) -> Step:
    return Step(kind, target, body, at, key)


def address(data: Dataset, customer: int) -> dict[str, str]:
    rng = random.Random(f"{data.spec.seed}:customer:{customer}")
    city, state, pincode, _ = rng.choices(catalogue.CITIES, weights=[c[3] for c in catalogue.CITIES])[0]
    name = f"{rng.choice(catalogue.FIRST_NAMES)} {rng.choice(catalogue.LAST_NAMES)}"
    line1 = f"{rng.randint(1, 299)} {rng.choice(catalogue.STREETS)}"
    return {"name": name, "line1": line1, "city": city, "state": state, "pincode": pincode}


def order_story(
    data: Dataset, i: int, rng: random.Random, customer: int, lines: list[dict[str, Any]], total: int
) -> list[Step]:
    spec, order_id = data.spec, data.order_id(i)
    span = (spec.end_at - spec.start_at) / max(1, spec.orders)
    placed = spec.start_at + span * (i + rng.random())
    method = rng.choices([m for m, _ in catalogue.PAYMENT_METHODS], weights=[w for _, w in catalogue.PAYMENT_METHODS])
    body = {
        "customer_id": data.customer_id(customer),
        "items": lines,
        "shipping_address": address(data, customer),
        "payment_method": method[0],
    }
    key = f"ld-{spec.seed}-order-{i}"
    steps = [_step("place_order", order_id, body, placed, key)]
    at = placed
    if method[0] != "COD":
        at += timedelta(seconds=rng.randint(20, 300))
        paid = rng.random() < 0.94
        status = "captured" if paid else "failed"
        payment = {"status": status, "amount_paise": total, "provider_reference": f"PAY{key.replace('-', '')}"}
        if not paid:
            payment["reason"] = "declined by the issuer"
        steps.append(_step("record_payment", order_id, payment, at, f"{key}-pay"))
        if not paid:
            return steps
    age = spec.end_at - at
    if rng.random() < 0.04:
        steps.append(
            _step("cancel_order", order_id, {"reason": "changed my mind"}, at + timedelta(hours=1), f"{key}-x")
        )
        return steps
    if age > timedelta(days=1) and rng.random() < spec.shipped_share:
        shipped = at + timedelta(hours=rng.randint(4, 30))
        ship = {"courier": rng.choice(("Delhivery", "BlueDart", "Ekart", "XpressBees")), "tracking_id": f"AWB{i:09d}"}
        steps.append(_step("ship_order", order_id, ship, shipped, f"{key}-ship"))
        if age > timedelta(days=5) and rng.random() < 0.95:
            steps.append(_step("deliver_order", order_id, {}, shipped + timedelta(days=rng.randint(1, 4)), f"{key}-dl"))
    return steps


def opened_at(data: Dataset, kind: str, i: int) -> datetime:
    """When wallet or account `i` was opened, drawn as its story draws it: `balance?as_of=` asks after it."""
    spec = data.spec
    rng = random.Random(f"{spec.seed}:{kind}:{i}")
    if kind == "account":
        rng.randint(3, 14)  # an account's story draws its number of movements first
    return spec.start_at + (spec.end_at - spec.start_at) * rng.random() * 0.5


def _moments(data: Dataset, rng: random.Random, count: int) -> list[datetime]:
    spec = data.spec
    opened = spec.start_at + (spec.end_at - spec.start_at) * rng.random() * 0.5
    later = sorted(opened + (spec.end_at - opened) * rng.random() for _ in range(count))
    return [opened, *later]


def wallet_story(data: Dataset, i: int) -> list[Step]:
    spec, wallet_id = data.spec, data.wallet_id(i)
    rng = random.Random(f"{spec.seed}:wallet:{i}")
    customer = data.wallet_customer(i)
    moves = 2 + min(12, len(data.orders_by_customer.get(customer, ())))  # the active move more money
    moments = _moments(data, rng, moves)
    mobile = f"{rng.choice('6789')}{rng.randint(0, 999_999_999):09d}"
    kyc = "FULL" if rng.random() < 0.5 else "MINIMUM"
    key = f"ld-{spec.seed}-wallet-{i}"
    steps = [
        _step(
            "open_wallet",
            wallet_id,
            {"customer_id": data.customer_id(customer), "mobile": mobile, "kyc": kyc},
            moments[0],
            key,
        )
    ]
    balance = 0
    for n, at in enumerate(moments[1:]):
        if balance < 50_000 or rng.random() < 0.4:
            amount = rng.choice((10_000, 20_000, 50_000, 100_000, 200_000))  # ₹100 .. ₹2,000
            topup = {
                "topup_id": f"{key}-t{n}",
                "amount_paise": amount,
                "source": rng.choice(("UPI", "CARD", "NETBANKING")),
                "reference": f"UTR{key.replace('-', '')}{n}",
            }
            steps.append(_step("topup", wallet_id, topup, at, f"{key}-t{n}"))
            balance += amount
        else:
            amount = min(balance, rng.randint(20, 1_500) * 100)
            pay = {"payment_id": f"{key}-p{n}", "merchant_id": rng.choice(MERCHANTS), "amount_paise": amount}
            steps.append(_step("wallet_payment", wallet_id, pay, at, f"{key}-p{n}"))
            balance -= amount
    return steps


def account_story(data: Dataset, i: int) -> list[Step]:
    spec, account_id = data.spec, data.account_id(i)
    rng = random.Random(f"{spec.seed}:account:{i}")
    customer = data.wallet_customer(i)
    moments = _moments(data, rng, rng.randint(3, 14))
    key = f"ld-{spec.seed}-account-{i}"
    name = address(data, customer)["name"]
    kind = rng.choices(("SAVINGS", "CURRENT", "BSBD"), weights=(75, 15, 10))[0]
    opening = {
        "customer_id": data.customer_id(customer),
        "holder_name": name,
        "type": kind,
        "branch_ifsc": rng.choice(catalogue.IFSCS),
    }
    steps = [_step("open_account", account_id, opening, moments[0], key)]
    balance = 0
    for n, at in enumerate(moments[1:]):
        if balance < 500_000 or rng.random() < 0.55:
            amount = rng.randint(5, 400) * 10_000 if kind != "BSBD" else rng.randint(5, 40) * 10_000
            body = {
                "txn_id": f"{key}-d{n}",
                "amount_paise": amount,
                "mode": rng.choice(("CASH", "TRANSFER", "CHEQUE")),
                "narration": rng.choice(("salary", "cash deposit", "cheque clearing", "rent received")),
            }
            steps.append(_step("deposit", account_id, body, at, f"{key}-d{n}"))
            balance += amount
        else:
            amount = min(balance, rng.randint(1, 100) * 10_000)
            body = {"txn_id": f"{key}-w{n}", "amount_paise": amount, "mode": "CASH", "narration": "ATM withdrawal"}
            steps.append(_step("withdrawal", account_id, body, at, f"{key}-w{n}"))
            balance -= amount
    return steps
