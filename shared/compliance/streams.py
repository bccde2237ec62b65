"""The compliance context's stream types.

- `compliance-str-<alert_id>`: an STR case, opened by the escalation of the alert it names (the
  risk review and the case's opening are one append), so a case is opened once per alert.
- `compliance-ctr-<YYYY-MM>`: a month's cash transaction report, its filing with FIU-IND.
"""

from __future__ import annotations

from shared.streams import StreamType

STR_CASE = StreamType("compliance_str", id_prefix="compliance-str-")
CTR_FILING = StreamType("compliance_ctr", id_prefix="compliance-ctr-")
