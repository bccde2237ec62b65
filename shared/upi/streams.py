"""The upi context's stream types and ids, as every service sees them.

A VPA is one stream, `upi-vpa-<vpa>`: its registration (appended at "no stream yet", so a VPA
is claimed once, as banking claims account numbers) and every payment it sent (so its limits per
IST day and its new-VPA window are decided on the stream the payment appends to). An RRN is its
IST hour and a serial the command side's counter of that hour gave no other payment; a command
service older than 2026-12-02 claimed each with a stream, `upi-rrn-<rrn>` (`RRN`, still
published). A collect request is a stream of its own, `upi-collect-<collect_id>`.
"""

from __future__ import annotations

from shared.streams import StreamType

VPA = StreamType("upi_vpa", id_prefix="upi-vpa-")
RRN = StreamType("upi_rrn", id_prefix="upi-rrn-")
COLLECT = StreamType("upi_collect", id_prefix="upi-collect-")
"""A collect request, keyed by the merchant's `collect_id`: requested, then accepted or declined."""
"""Keyed by RRN, appended by older code only; no view reads it (the payment view carries the RRN)."""
