"""The upi context's read-model contract, shared by the projections (writers) and the query
service (reader).

- `upi_vpa_view`: one document per VPA (`_id` = the VPA): kind, what it is linked to, its owner
  (`customer_id`), when it was registered.
- `upi_payment_view`: one document per payment (`_id` = its RRN): payer, payee, amount, status,
  both sides' owners (`customer_ids`, for a customer's reads), `vpas` (both VPAs, for the list by
  VPA), `sort_key` (time + RRN, newest first). A payment leaving Bahi moves PENDING -> COMPLETED,
  DECLINED or DEEMED -> REVERSED, each with its time and reason (and the reversal's lateness and
  compensation).
- `upi_collect_view`: one document per collect request (`_id` = its collect id): both VPAs
  (`vpas`), both owners (`customer_ids`), amount, status as stored (REQUESTED, ACCEPTED,
  DECLINED), `expires_at` (a REQUESTED one past it has lapsed: EXPIRED when read), `sort_key`.
"""

from __future__ import annotations

from shared.manifest import IndexKeys, ReadModel

UPI_VPA_VIEW = "upi_vpa_view"
UPI_PAYMENT_VIEW = "upi_payment_view"
UPI_COLLECT_VIEW = "upi_collect_view"

INDEX_SPECS: dict[str, dict[str, IndexKeys]] = {
    UPI_VPA_VIEW: {},
    UPI_PAYMENT_VIEW: {
        "by_vpa": [("vpas", 1), ("sort_key", -1)],
        "by_vpa_status": [("vpas", 1), ("status", 1), ("sort_key", -1)],
    },
    UPI_COLLECT_VIEW: {
        "by_vpa": [("vpas", 1), ("sort_key", -1)],
        "by_vpa_status": [("vpas", 1), ("status", 1), ("sort_key", -1)],
    },
}

READ_MODELS = tuple(ReadModel(name, INDEX_SPECS[name]) for name in (UPI_VPA_VIEW, UPI_PAYMENT_VIEW, UPI_COLLECT_VIEW))
