"""API throughput and latency: the findings list of an engagement with 100,000 findings, beside
a bare health route measured in the same run, at 16 and 64 concurrent clients.

    .venv/bin/python -m benchmarks.api [--rows 100000] [--duration 10]

The app runs as ``failsafe serve --workers N`` on loopback against a scratch database (by default
one worker per core, as it is meant to run in production; no access log); requests are
authenticated with a personal API token, so each one pays for the whole stack:
token lookup, the actor's RLS transaction, the VisibleEngagement check, the list query and
serialisation. Target: findings list p99 under 50 ms at 16 clients, and at least 30% of the bare
route's throughput.

The load comes from a minimal keep-alive HTTP/1.1 client (:class:`_Connection`): one connection
per client, each sending its next request as soon as the previous one answered. Earlier runs
used httpx, whose own CPU (on a 2-core machine shared with the server and PostgreSQL) capped the
bare route at a few hundred requests a second: the ratio then compared two routes both limited
by the client, which flattered the findings list (the same server measured 28-37% with httpx
and about 5% with this client). Both routes still go through the same client in the same run.
Each line also prints the CPU per request of the uvicorn processes and of PostgreSQL, and the
run prints the load average: with other work on the machine, compare ratios and CPU per request,
not raw rates.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass

import psutil
import psycopg

from benchmarks.common import REPO, insert_synthetic_findings, scratch_database
from failsafe.db.urls import DatabaseTarget
from failsafe.secrets.keyring import generate_key


@dataclass(frozen=True)
class Result:
    label: str
    clients: int
    requests: int
    seconds: float
    latencies: list[float]
    server_cpu: float  # seconds of CPU the uvicorn processes used during the measured window
    database_cpu: float  # and PostgreSQL's processes
    split: list[int]  # the clients' connections each worker holds (the kernel spreads them)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    def line(self) -> str:
        return (
            f"{self.label:<14} clients={self.clients:<3} {self.throughput:8.0f} req/s"
            f"  p50={self.pct(0.50):6.1f} ms  p99={self.pct(0.99):6.1f} ms"
            f"  cpu/req: server {self.server_cpu / self.requests * 1000:5.2f} ms"
            f" db {self.database_cpu / self.requests * 1000:5.2f} ms"
            f"  ({self.requests} requests; connections per worker"
            f" {'/'.join(map(str, self.split))})"
        )


def _seed(target: DatabaseTarget, rows: int) -> tuple[uuid.UUID, str]:
    """A client with one engagement holding ``rows`` findings; returns (engagement, user)."""
    with psycopg.connect(
        target.bootstrap_url, autocommit=True, options="-c search_path=failsafe"
    ) as conn:
        conn.execute("SET ROLE failsafe_owner")
        with conn.transaction():
            conn.execute("SELECT set_config('failsafe.role', 'system', true)")
            account = conn.execute(
                "INSERT INTO accounts (kind, name) VALUES ('customer', 'Bench') RETURNING id"
            ).fetchone()
            assert account is not None
            user = conn.execute(
                "INSERT INTO users (account_id, email, role, email_verified_at)"
                " VALUES (%s, 'bench@example.test', 'client', now()) RETURNING id",
                (account[0],),
            ).fetchone()
            engagement = conn.execute(
                "INSERT INTO engagements (customer_account_id, name) VALUES (%s, 'Bench')"
                " RETURNING id",
                (account[0],),
            ).fetchone()
            assert user is not None and engagement is not None
            connection = conn.execute(
                "INSERT INTO connections (engagement_id, provider, tenant_ref)"
                " VALUES (%s, 'microsoft', 'bench') RETURNING id",
                (engagement[0],),
            ).fetchone()
            assert connection is not None
            scan = conn.execute(
                "INSERT INTO scans (engagement_id, connection_id, status, finished_at)"
                " VALUES (%s, %s, 'succeeded', now()) RETURNING id",
                (engagement[0], connection[0]),
            ).fetchone()
            assert scan is not None
            insert_synthetic_findings(
                conn, engagement=engagement[0], scan=scan[0], connection=connection[0], rows=rows
            )
        conn.execute("ANALYZE")
    return engagement[0], str(user[0])


def _issue_token(target: DatabaseTarget, user_id: str) -> str:
    """A write token for the bench user, inserted directly (hash only, like the service)."""
    from failsafe.accounts.crypto import digest, new_token

    raw = new_token("fs_")
    with psycopg.connect(
        target.bootstrap_url, autocommit=True, options="-c search_path=failsafe"
    ) as conn:
        conn.execute("SET ROLE failsafe_owner")
        with conn.transaction():
            conn.execute("SELECT set_config('failsafe.role', 'system', true)")
            conn.execute(
                "INSERT INTO api_tokens (user_id, name, prefix, token_hash, scope, created_at)"
                " VALUES (%s, 'bench', %s, %s, 'read', now())",
                (user_id, raw[:10], digest(raw)),
            )
    return raw


def _start_server(target: DatabaseTarget, port: int, workers: int) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": target.bootstrap_url,
        "FAILSAFE_APP_DATABASE_URL": target.app_url,
        "FAILSAFE_SECRET_KEYS": f"bench:{generate_key()}",
        "FAILSAFE_DATA_DIR": str(REPO / ".test-data" / "bench"),
        # info: each worker says when its app has started; no line per request, though.
        "FAILSAFE_LOG_LEVEL": "info",
        "FAILSAFE_ACCESS_LOG": "false",
        "FAILSAFE_DB_POOL_SIZE": "20",
        "PYTHONPATH": str(REPO),
    }
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "failsafe", "serve", "--workers", str(workers)),
            *("--host", "127.0.0.1", "--port", str(port)),
        ],
        cwd=REPO,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stderr is not None
    # Every worker has built its app (none is still importing), and a lone process, which
    # starts its app before it listens, also says it listens.
    started, listening = 0, workers > 1
    for line in proc.stderr:
        started += "Application startup complete" in line
        listening = listening or "Uvicorn running on" in line
        if started == workers and listening:
            break
    else:
        raise SystemExit("the server did not start")
    threading.Thread(target=lambda: [None for _ in proc.stderr or ()], daemon=True).start()
    return proc


class _Connection:
    """One keep-alive HTTP/1.1 connection issuing GETs back to back (one request in flight).

    A few dozen lines of asyncio streams instead of httpx: on a 2-core machine shared with the
    server and PostgreSQL, httpx's per-request CPU (and its pool's bookkeeping, which grows with
    the number of connections) took a large share of a core and so slowed the very server it
    measured. Both routes go through this same client, so the ratio compares like with like.
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, host: str, port: int) -> _Connection:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    async def get(self, request: bytes) -> tuple[int, bytes]:
        """Send one pre-encoded request; (status, body) of its response."""
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = None
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length is None:  # every route measured here answers with a Content-Length
            raise SystemExit(f"response without Content-Length: {head[:200]!r}")
        return status, await self.reader.readexactly(length)

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


def _request(host: str, port: int, path: str, headers: dict[str, str]) -> bytes:
    lines = [
        f"GET {path} HTTP/1.1",
        f"host: {host}:{port}",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@dataclass(frozen=True)
class Server:
    """The server under test: its address, its process and the database's (for their CPU)."""

    host: str
    port: int
    process: psutil.Process
    database: psutil.Process | None  # None when PostgreSQL runs on another machine

    def cpu(self) -> float:
        """CPU seconds of uvicorn's process and its workers so far."""
        return _cpu_of_tree(self.process)

    def connections_per_worker(self) -> list[int]:
        """Established connections on the port held by each worker (the command itself, with
        one worker)."""
        workers = [
            worker
            for worker in self.process.children() or [self.process]
            if any(c.status == psutil.CONN_LISTEN for c in worker.net_connections(kind="tcp"))
        ]
        return [
            sum(
                1
                for c in worker.net_connections(kind="tcp")
                if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == self.port
            )
            for worker in workers
        ]

    def database_cpu(self) -> float:
        """CPU seconds of PostgreSQL's postmaster and its backends so far (NaN if remote)."""
        return _cpu_of_tree(self.database) if self.database is not None else float("nan")


def _cpu_of_tree(process: psutil.Process) -> float:
    """CPU seconds of ``process``, its live descendants and the children it has reaped (so a
    backend that ends between two readings still counts, in its parent's figures)."""
    root = process.cpu_times()
    total = root.user + root.system + root.children_user + root.children_system
    for member in process.children(recursive=True):
        try:
            times = member.cpu_times()
        except psutil.NoSuchProcess:  # ended since the listing
            continue
        total += times.user + times.system
    return total


async def _measure(
    server: Server, path: str, headers: dict[str, str], clients: int, seconds: float, label: str
) -> Result:
    """``clients`` connections, each sending its next request as soon as the last one answered
    (closed loop): one warm-up second, then ``seconds`` measured."""
    request = _request(server.host, server.port, path, headers)
    latencies: list[float] = []
    # One connection per client, opened up front and never idle between requests, so no
    # connection can meet the server's keep-alive timeout while a request is being sent on it.
    # (With httpx's pool, a connection the pool had not picked for 5 s was reused just as
    # uvicorn's 5 s keep-alive timer closed it: a reset, seen as httpx.ReadError at 64 clients.)
    connections = [await _Connection.open(server.host, server.port) for _ in range(clients)]
    await asyncio.gather(*(c.get(request) for c in connections))  # every one accepted
    split = server.connections_per_worker()

    async def worker(connection: _Connection, until: float, sink: list[float] | None) -> None:
        while time.perf_counter() < until:
            start = time.perf_counter()
            status, body = await connection.get(request)
            if status != 200:
                raise SystemExit(f"{path}: {status} {body[:200]!r}")
            if sink is not None:
                sink.append(time.perf_counter() - start)

    try:
        warm = time.perf_counter() + 1.0
        await asyncio.gather(*(worker(c, warm, None) for c in connections))
        begin, cpu, db_cpu = time.perf_counter(), server.cpu(), server.database_cpu()
        until = begin + seconds
        await asyncio.gather(*(worker(c, until, latencies) for c in connections))
        elapsed = time.perf_counter() - begin
        cpu, db_cpu = server.cpu() - cpu, server.database_cpu() - db_cpu
    finally:
        await asyncio.gather(*(c.close() for c in connections))
    return Result(label, clients, len(latencies), elapsed, latencies, cpu, db_cpu, split)


def _list_path(engagement_id: uuid.UUID) -> tuple[str, str]:
    return f"/api/v1/engagements/{engagement_id}/findings?limit=50", "findings list"


async def _run(server: Server, token: str, engagement_id: uuid.UUID, seconds: float) -> None:
    headers = {"authorization": f"Bearer {token}"}
    path, label = _list_path(engagement_id)
    for clients in (16, 64):
        bare = await _measure(server, "/health/live", {}, clients, seconds, "bare health")
        listed = await _measure(server, path, headers, clients, seconds, label)
        print(bare.line())
        print(listed.line())
        ratio = listed.throughput / bare.throughput
        print(f"{'':<14} ratio list/bare throughput = {ratio:.0%}")
    # Other work on the machine slows both routes; the ratio and the server's CPU per request
    # are the figures to compare between runs, the load says how busy the machine was.
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


def _postmaster(target: DatabaseTarget) -> psutil.Process | None:
    """PostgreSQL's postmaster (the parent of every backend), found from a backend's pid."""
    with psycopg.connect(target.bootstrap_url) as conn:  # the backend lives while it is open
        row = conn.execute("SELECT pg_backend_pid()").fetchone()
        assert row is not None
        try:
            backend = psutil.Process(row[0])
            return backend.parent() if "postgres" in backend.name() else None
        except psutil.NoSuchProcess:  # a server on another machine
            return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with scratch_database("fs_bench_api") as target:
        engagement_id, user_id = _seed(target, args.rows)
        token = _issue_token(target, user_id)
        port = 18_000 + os.getpid() % 1000
        proc = _start_server(target, port, args.workers)
        try:
            print(
                f"rows={args.rows} duration={args.duration}s per measurement,"
                f" failsafe serve --workers {args.workers}, {os.cpu_count()} cores,"
                f" load average {os.getloadavg()[0]:.2f}"
            )
            server = Server("127.0.0.1", port, psutil.Process(proc.pid), _postmaster(target))
            asyncio.run(_run(server, token, engagement_id, args.duration))
        finally:
            proc.terminate()
            proc.wait(30)


if __name__ == "__main__":
    main()
