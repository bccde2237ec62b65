"""Driving the upi context over HTTP against the services as OS processes: opening and funding an
account and a wallet, registering VPAs, paying. Requests carry the suite's staff token unless
they name another."""

from __future__ import annotations

from typing import Any

from tests.support import processes
from tests.support.bank_http import BankHttp
from tests.support.infra import unique


class UpiHttp(BankHttp):
    def __init__(self, bahi: dict[str, processes.Service]) -> None:
        super().__init__(bahi)

    def wallet(self, customer_id: str, paise: int = 0) -> str:
        body = {"customer_id": customer_id, "mobile": "9876543210", "kyc": "FULL"}
        wallet_id = str(self.post("/v1/wallets", body, expect=201)["wallet_id"])
        if paise:
            topup = {"topup_id": unique("t-"), "amount_paise": paise, "source": "UPI", "reference": "r"}
            self.post(f"/v1/wallets/{wallet_id}/topups", topup)
        return wallet_id

    def vpa(self, vpa: str, **link: str) -> dict[str, Any]:
        return self.post("/v1/upi/vpas", {"vpa": vpa, **link}, expect=201)

    def pay(self, payer: str, payee: str, paise: int, **body: Any) -> dict[str, Any]:
        payment = {"payment_id": unique("up-"), "payer_vpa": payer, "payee_vpa": payee, "amount_paise": paise, **body}
        return self.post("/v1/upi/payments", payment, expect=201)
