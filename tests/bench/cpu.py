"""CPU seconds per process from /proc (Linux): what each part of a run cost, so a benchmark
can say what bounds it (the projector, the MongoDB stand-in, the command side, the machine)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def process_seconds(pid: int) -> float:
    """User + system CPU seconds of one process (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime (fields 14 and 15 of stat)


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent not idle, over all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / _TICKS


def pids_where(match: Callable[[str, str], bool]) -> list[int]:
    """Processes whose (comm, cmdline) match."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            comm = (entry / "comm").read_text().strip()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if match(comm, cmdline):
            found.append(int(entry.name))
    return found


def infrastructure() -> dict[str, list[int]]:
    """The local infrastructure's processes by part (as deploy/local/infra.sh starts them)."""
    return {
        "mongo_stand_in": pids_where(lambda comm, cmd: "secantus" in cmd),
        "kafka": pids_where(lambda comm, cmd: "kafka.Kafka" in cmd),
        "postgres": pids_where(lambda comm, cmd: comm == "postgres"),
    }


class CpuMeter:
    """CPU shares (1.0 = one core busy) of named process groups between two readings."""

    def __init__(self, groups: dict[str, list[int]]) -> None:
        self.groups = groups

    def read(self) -> dict[str, float]:
        readings = {name: sum(process_seconds(pid) for pid in pids) for name, pids in self.groups.items()}
        readings["machine"] = machine_busy_seconds()
        return readings

    @staticmethod
    def shares(before: dict[str, float], after: dict[str, float], seconds: float) -> dict[str, float]:
        return {name: round((after[name] - before.get(name, 0.0)) / seconds, 2) for name in after}
