"""The risk context's read-model contract, shared by the projections (writers) and the query
service (reader).

- `risk_subject_view`: one document per subject (`_id` = the account id, the wallet id or the
  VPA), fed by that subject's own stream only: its rolling state (what the rules need, in event
  time), its rolling figures, and the alerts its events raised (`alerts`, oldest first). An
  alert's status is not here: it comes from the review view.
- `risk_review_view`: one document per reviewed alert (`_id` = the alert id), fed by its review
  stream: the decisions, oldest first, and the status they leave.
"""

from __future__ import annotations

from shared.manifest import IndexKeys, ReadModel

RISK_SUBJECT_VIEW = "risk_subject_view"
RISK_REVIEW_VIEW = "risk_review_view"

INDEX_SPECS: dict[str, dict[str, IndexKeys]] = {
    RISK_SUBJECT_VIEW: {"by_alerts": [("alert_count", 1)]},
    RISK_REVIEW_VIEW: {"by_status": [("status", 1)]},
}

READ_MODELS = tuple(ReadModel(name, INDEX_SPECS[name]) for name in (RISK_SUBJECT_VIEW, RISK_REVIEW_VIEW))
