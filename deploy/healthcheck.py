"""The image's health check (its HEALTHCHECK), one for every entry point: it finds which Bahi
process this container runs and asks that process's own port for `/readyz` (healthy = ready:
the process and its dependencies answer). The port is the one the process itself reads, from
the same settings class and the same environment, so `BAHI_RELAY_PORT=9004` needs no second
setting for the check. A one-shot tool (`rebuild`, `status`, `parked`, the relay's `audit` and
`republish`) serves no HTTP: it is healthy while it runs.

Exit 0 healthy, 1 not (Docker's and podman's convention); the reason is printed either way."""

from __future__ import annotations

import sys
import urllib.request
from pathlib import Path

# The module a container runs (`python -m <module> [command]`) -> the settings class that reads its
# port, the attribute, and the subcommands that serve HTTP (None: the module's default command).
_SERVERS: dict[str, tuple[str, str, frozenset[str | None]]] = {
    "command_service": ("command_service.settings", "port", frozenset({None})),
    "command_service.relay": ("command_service.settings", "relay_port", frozenset({None, "run"})),
    "command_service.sagas": ("command_service.settings", "saga_port", frozenset({None})),
    "projector_service": ("projector_service.settings", "projector_port", frozenset({None, "serve"})),
    "query_service": ("query_service.settings", "port", frozenset({None})),
}


def _bahi_process() -> tuple[str, str | None] | None:
    """(module, subcommand) of the lowest-numbered `python -m <bahi module>` process: PID 1, or
    the child of an init (`--init`, tini) when there is one."""
    pids = sorted(int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit())
    for pid in pids:
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:  # ended while we looked
            continue
        if "-m" in argv[:-1]:
            module = argv[argv.index("-m") + 1]
            if module in _SERVERS:
                rest = [a for a in argv[argv.index("-m") + 2 :] if a and not a.startswith("-")]
                return module, rest[0] if rest else None
    return None


def _url(module: str) -> str:
    settings_module, attribute, _ = _SERVERS[module]
    __import__(settings_module)
    settings = sys.modules[settings_module].Settings()
    host = settings.host if settings.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
    return f"http://{host}:{getattr(settings, attribute)}/readyz"


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")


def main() -> int:
    found = _bahi_process()
    if found is None:
        _say("no Bahi process runs in this container")
        return 1
    module, subcommand = found
    if subcommand not in _SERVERS[module][2]:
        _say(f"{module} {subcommand}: a one-shot tool, healthy while it runs")
        return 0
    url = _url(module)
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            _say(f"{module}: {url} {response.status}")
            return 0
    except OSError as exc:  # refused, timed out, or an HTTP error (503: a dependency does not answer)
        _say(f"{module}: {url} {exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
