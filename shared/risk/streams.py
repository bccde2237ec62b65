"""The risk context's one stream type: an alert's reviews, `risk-review-<alert_id>`.

Alerts themselves are not events: they are what the rules (`shared.risk.rules`) find in the money
events of the subject's own stream, so a rebuild finds them again. Only the analyst's decisions
are facts of their own, appended to the alert's review stream (one stream per alert: its
decisions are ordered by stream version, whatever the order of topics on replay).
"""

from __future__ import annotations

from shared.streams import StreamType

REVIEW = StreamType("risk_review", id_prefix="risk-review-")
