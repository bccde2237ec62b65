"""The compliance context's read-model contract, shared by the projections (writers) and the
query service (reader).

- `compliance_cash_view`: one document per bank account (`_id` = the account id), fed by its own
  stream: its customer, and per IST month its cash deposits and withdrawals (sums, counts and
  every item). `months` lists the months with cash (the CTR's query finds the accounts by it).
- `compliance_str_view`: one document per STR case (`_id` = the case id), fed by its stream.
- `compliance_ctr_filing_view`: one document per filed month (`_id` = the month).
"""

from __future__ import annotations

from shared.manifest import IndexKeys, ReadModel

COMPLIANCE_CASH_VIEW = "compliance_cash_view"
COMPLIANCE_STR_VIEW = "compliance_str_view"
COMPLIANCE_CTR_FILING_VIEW = "compliance_ctr_filing_view"

INDEX_SPECS: dict[str, dict[str, IndexKeys]] = {
    COMPLIANCE_CASH_VIEW: {"by_month": [("months", 1)]},
    COMPLIANCE_STR_VIEW: {"by_due": [("sort_key", 1)], "by_status_due": [("status", 1), ("sort_key", 1)]},
    COMPLIANCE_CTR_FILING_VIEW: {},
}

READ_MODELS = tuple(
    ReadModel(name, INDEX_SPECS[name])
    for name in (COMPLIANCE_CASH_VIEW, COMPLIANCE_STR_VIEW, COMPLIANCE_CTR_FILING_VIEW)
)
