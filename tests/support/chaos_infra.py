"""A private PostgreSQL, Kafka broker and MongoDB stand-in for the chaos suite: started from Python
the way deploy/local/infra.sh starts the shared ones (same binaries, same settings), but with data
under a directory of the suite's own and on free ports, each server the leader of a process group
of its own, so that a SIGKILL takes down that server and its children (PostgreSQL's backends)
and nothing else. The shared infrastructure (5432/9092/27017) is never touched."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.infra import ROOT, Infra
from tests.support.processes import free_port

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
KAFKA_HEAP = os.environ.get("KAFKA_HEAP", "512m")
AS_ROOT = os.getuid() == 0


def _script_output(*args: str) -> str:
    return subprocess.run(args, cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Server:
    """One infrastructure server: started in a session of its own, killed as a whole group."""

    name: str
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    _argv: list[str] = field(default_factory=list)
    _user: str | None = None

    def start(self) -> Server:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self._argv,
            cwd="/",
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            user=self._user,
        )
        self.starts += 1
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def ready(self) -> bool:
        return self.running and port_open(self.port)

    def wait_ready(self, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.ready():
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}: {self.tail()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name} not ready after {timeout:.0f}s: {self.tail()}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL to the server's whole process group; returns once the leader is gone."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=60)
        self._reap_group()

    def _reap_group(self) -> None:
        # Children of the group (PostgreSQL's backends) die with it; wait until none is left,
        # or a restarted postmaster finds their shared memory still attached.
        assert self.process is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.killpg(self.process.pid, 0)
            except ProcessLookupError:
                return
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            time.sleep(0.05)

    def stop(self) -> None:
        if self.running:
            assert self.process is not None
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class Postgres(Server):
    def ready(self) -> bool:
        if not self.running:
            return False
        answer = subprocess.run(
            [str(PG_BIN / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)], check=False
        )
        return answer.returncode == 0


class Kafka(Server):
    def ready(self) -> bool:
        if not (self.running and port_open(self.port)):
            return False
        # The broker writes this once per start: count them against our own starts.
        started = self.log_path.read_text(errors="replace").count("Kafka Server started")
        return started >= self.starts


@dataclass
class PrivateInfra:
    """The three servers, their data under `root`, and the `Infra` the services are configured with."""

    root: Path
    postgres: Postgres
    kafka: Kafka
    mongo: Server
    infra: Infra

    @property
    def servers(self) -> list[Server]:
        return [self.postgres, self.kafka, self.mongo]

    def start(self, *names: str) -> None:
        """The servers named (default: all three), each ready; the `bahi` database created."""
        chosen = [s for s in self.servers if not names or s.name in names]
        for server in chosen:
            server.start()
        for server in chosen:
            server.wait_ready()
        if not names or "postgres" in names:
            self._create_database()

    def _create_database(self) -> None:
        subprocess.run(
            [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.postgres.port), "-U", "bahi", "bahi"],
            check=True,
            capture_output=True,
        )

    def stop(self) -> None:
        for server in self.servers:
            server.stop()

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _postgres(root: Path, logs: Path) -> Postgres:
    data = root / "pg"
    data.mkdir(parents=True)
    user = "postgres" if AS_ROOT else None
    if AS_ROOT:
        shutil.chown(root, "postgres")
        shutil.chown(data, "postgres")
        data.chmod(0o700)
    subprocess.run(
        [str(PG_BIN / "initdb"), "-D", str(data), "-U", "bahi", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
        check=True,
        capture_output=True,
        user=user,
        cwd="/",
    )
    port = free_port()
    log = root / "postgres.log"  # beside the cluster: its owner writes it
    log.touch()
    if AS_ROOT:
        shutil.chown(log, "postgres")
    options = [
        "-c", "listen_addresses=127.0.0.1", "-p", str(port), "-c", f"unix_socket_directories={data}",
        "-c", "max_connections=200", "-c", "shared_buffers=128MB", "-c", "max_wal_size=1GB",
    ]  # fmt: skip
    server = Postgres("postgres", port, log, _argv=[str(PG_BIN / "postgres"), "-D", str(data), *options], _user=user)
    with contextlib.suppress(FileExistsError):
        (logs / "postgres.log").symlink_to(log)
    return server


def _kafka(root: Path, logs: Path) -> Kafka:
    libs = _script_output(str(ROOT / "deploy/local/kafka-jars.sh"), "--print-dir")
    directory = root / "kafka"
    (directory / "data").mkdir(parents=True)
    port, controller = free_port(), free_port()
    template = (ROOT / "deploy/local/kafka.properties").read_text()
    properties = directory / "server.properties"
    properties.write_text(
        template.replace("@DATA@", str(directory / "data"))
        .replace("@PORT@", str(port))
        .replace("@CPORT@", str(controller))
    )
    classpath = f"{libs}/*"
    log4j = f"-Dlog4j2.configurationFile={ROOT / 'deploy/local/log4j2.yaml'}"
    cluster = _script_output("java", "-cp", classpath, "kafka.tools.StorageTool", "random-uuid").splitlines()[-1]
    storage = ["java", "-cp", classpath, log4j, "kafka.tools.StorageTool"]
    formatting = [*storage, "format", "-t", cluster, "-c", str(properties), "--standalone"]
    subprocess.run(formatting, check=True, capture_output=True)
    argv = ["java", f"-Xms{KAFKA_HEAP}", f"-Xmx{KAFKA_HEAP}", "-XX:+UseG1GC", f"-Dkafka.logs.dir={logs}", log4j]
    argv += ["-cp", classpath, "kafka.Kafka", str(properties)]
    return Kafka("kafka", port, logs / "kafka.log", _argv=argv)


def _mongo(root: Path, logs: Path) -> Server:
    """The server infra.sh runs (the Rust SecantusDB when built, else the Python one), with
    `--sync-on-commit`: without it the stand-in acknowledges a write before its log reaches the
    file, and a SIGKILL loses the last acknowledged writes (a dozen in two seconds of upserts,
    measured here) — after the projector committed their offsets, so a view would stay without
    them for good. It is the stand-in's form of a journaled write (`j: true`), which it does not
    honour per request; against a real mongod the services' `journal=true` (the URL below) is."""
    rust = Path(_script_output(str(ROOT / "deploy/local/secantus-rs.sh"), "--print-bin"))
    use_rust = os.environ.get("BAHI_MONGO_SERVER", "rust") != "python" and os.access(rust, os.X_OK)
    binary = rust if use_rust else ROOT / ".venv/bin/secantusd-py"
    data = root / "mongo"
    data.mkdir(parents=True)
    port = free_port()
    argv = [str(binary), "--host", "127.0.0.1", "--port", str(port), "--storage-path", str(data), "--standalone"]
    argv += ["--log-level", "WARNING", "--sync-on-commit", *(["--cache-size", "256M"] if use_rust else [])]
    return Server("mongo", port, logs / "mongo.log", _argv=argv)


def private_infra(root: Path) -> PrivateInfra:
    """Servers set up (not started) under `root`, a fresh directory."""
    root.mkdir(parents=True, exist_ok=False)
    if AS_ROOT:
        root.chmod(0o755)
    logs = root / "logs"
    logs.mkdir()
    postgres, kafka, mongo = _postgres(root, logs), _kafka(root, logs), _mongo(root, logs)
    infra = Infra(
        pg_admin_dsn=f"postgresql://bahi@127.0.0.1:{postgres.port}/postgres",
        pg_dsn=f"postgresql://bahi@127.0.0.1:{postgres.port}/bahi",
        kafka=f"127.0.0.1:{kafka.port}",
        # A read that finds no server fails in seconds (a 503), not after pymongo's default 30 s;
        # writes acknowledged once journaled (see `_mongo`).
        mongo_url=(
            f"mongodb://127.0.0.1:{mongo.port}/?serverSelectionTimeoutMS=2000&connectTimeoutMS=2000&journal=true"
        ),
        mongo_db="bahi",
        topic_prefix="bahi",
    )
    return PrivateInfra(root, postgres, kafka, mongo, infra)
