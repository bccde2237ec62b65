"""`python -m tests.load.reuseport`: the query service exactly as `python -m query_service` builds
it (its composition root, its settings from the environment, uvloop and httptools, no access
log), served on a socket bound with SO_REUSEPORT, so several such processes share one port and
the kernel spreads new connections over them by a hash of each connection's addresses.

Why SO_REUSEPORT and not `uvicorn --workers N`: each process here is an independent service
process (as Kubernetes replicas behind a Service are: any one can be stopped or restarted alone),
started the way production starts one, and the kernel balances connections evenly; uvicorn's
workers are children of a supervisor that accept from one shared socket, where the first idle
worker takes the next connection — with keep-alive clients that connect once, the spread is
whatever it happened to be at connect time — and it is a start path production does not use."""

from __future__ import annotations

import socket

import uvicorn

from query_service.app import create_app
from query_service.settings import Settings
from shared.logging import setup_logging


def reuseport_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def main() -> None:
    settings = Settings()
    setup_logging("query", settings.log_level)
    config = uvicorn.Config(create_app(settings), log_config=None, access_log=False, loop="uvloop", http="httptools")
    uvicorn.Server(config).run(sockets=[reuseport_socket(settings.host, settings.port)])


if __name__ == "__main__":
    main()
