"""Benchmark: POST /credit-check through gunicorn as deployed, load from 127.0.0.1.

    creditflow bench credit-check [--customers 10000] [--invoices 1000000] [--rate 1000]
                                  [--seconds 20] [--workers N] [--no-write]

A fresh PostgreSQL database gets the customers (each with a limit) and the open invoices (by the
CSV import); `creditflow serve --no-scheduler` runs with N gunicorn workers; an asyncio load
generator keeps HTTP/1.1 connections open and sends checks on a fixed schedule (open loop:
latency counts from the moment a request was due, so a slow server cannot hide its queue), half
of them with an order_ref (they lock the exposure row, reserve and write), then runs closed loop
for the maximum rate. Figures: requests/s achieved, p50 / p99 / max latency, errors.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

CONNECTIONS = 64


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _prepare(url: str, customers: int, invoices: int, workdir: Path) -> list[int]:
    from receivables_probe import add_customers, make_app, write_invoice_csv

    from web.extensions import db
    from web.imports import import_invoice_file

    app = make_app(url)
    ids = add_customers(app, customers)
    csv_path = workdir / "invoices.csv"
    write_invoice_csv(csv_path, invoices, ids)
    with app.app_context():
        report, seconds = import_invoice_file(csv_path, batch=20_000)
        assert report.imported == invoices, report.rejected[:3]
        db.session.remove()
        db.engine.dispose()
    print(f"prepared {customers:,} customers and {invoices:,} open invoices ({seconds:.0f} s)")
    return ids


def _start_server(url: str, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "CREDITFLOW_DATABASE_URL": url, "CREDITFLOW_SECRET_KEY": "bench"}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/creditflow"), "serve", "--port", str(port), "--workers",
         str(workers), "--no-scheduler"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=2)
            return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError("the server did not come up within 60 s")


def _token(port: int) -> str:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/auth/token",
        data=json.dumps({"username": "erp1", "password": "demo"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["token"]


class Connection:
    """One keep-alive HTTP/1.1 connection to the server."""

    def __init__(self, port: int, token: str) -> None:
        self.port, self.token = port, token
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, body: bytes) -> int:
        """Send one check; return the status code (reconnecting when the server closed)."""
        for _ in range(2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            head = (
                f"POST /api/v1/credit-check HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: Bearer {self.token}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode()
            try:
                self.writer.write(head + body)
                status_line = await self.reader.readline()
                if not status_line:
                    raise ConnectionError("closed")
                length, keep = 0, True
                while (line := await self.reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode().partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                    elif name.lower() == "connection" and "close" in value.lower():
                        keep = False
                await self.reader.readexactly(length)
                if not keep:
                    self.writer.close()
                    self.writer = None
                return int(status_line.split()[1])
            except (ConnectionError, asyncio.IncompleteReadError):
                self.writer = None
        return 0


def _bodies(ids: list[int], count: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    bodies = []
    for n in range(count):
        body = {"customer_id": rng.choice(ids), "amount": f"{rng.randrange(1000, 200000)}.00"}
        if n % 2:
            body["order_ref"] = f"BENCH-{seed}-{n}"
        bodies.append(json.dumps(body).encode())
    return bodies


async def _open_loop(port: int, token: str, bodies: list[bytes], rate: int) -> dict:
    pool: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(CONNECTIONS):
        pool.put_nowait(Connection(port, token))
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    start = time.perf_counter() + 0.2

    async def one(n: int, body: bytes) -> None:
        due = start + n / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        connection = await pool.get()
        try:
            status = await connection.post(body)
        finally:
            pool.put_nowait(connection)
        latencies.append(time.perf_counter() - due)
        statuses[status] = statuses.get(status, 0) + 1

    await asyncio.gather(*(one(n, body) for n, body in enumerate(bodies)))
    return _figures(latencies, statuses, time.perf_counter() - start)


async def _closed_loop(port: int, token: str, bodies: list[bytes], concurrency: int) -> dict:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue = list(reversed(bodies))
    start = time.perf_counter()

    async def client() -> None:
        connection = Connection(port, token)
        while queue:
            body = queue.pop()
            sent = time.perf_counter()
            status = await connection.post(body)
            latencies.append(time.perf_counter() - sent)
            statuses[status] = statuses.get(status, 0) + 1

    await asyncio.gather(*(client() for _ in range(concurrency)))
    return _figures(latencies, statuses, time.perf_counter() - start)


def _run(coroutine) -> dict:
    """Run the load generator in a thread of its own (the caller may have an event loop)."""
    import threading

    out: dict = {}
    thread = threading.Thread(target=lambda: out.update(result=asyncio.run(coroutine)))
    thread.start()
    thread.join()
    return out["result"]


def _figures(latencies: list[float], statuses: dict[int, int], seconds: float) -> dict:
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    return {
        "requests": len(ordered),
        "rate": len(ordered) / seconds,
        "p50": pct(0.50),
        "p99": pct(0.99),
        "max": ordered[-1] * 1000,
        "errors": sum(n for status, n in statuses.items() if status != 200),
    }


def main(customers: int, invoices: int, rate: int, seconds: int, workers: int, write: bool) -> dict:
    """Prepare, serve, load; print the figures and append them to docs/benchmarks.md."""
    from receivables_probe import Database

    postgres = os.environ.get("CREDITFLOW_TEST_POSTGRES_URL")
    with tempfile.TemporaryDirectory() as tmp:
        database = Database("postgresql", Path(tmp), postgres)
        server = None
        try:
            ids = _prepare(database.url, customers, invoices, Path(tmp))
            port = _free_port()
            server = _start_server(database.url, port, workers)
            token = _token(port)
            _run(_closed_loop(port, token, _bodies(ids, min(500, rate), 1), 8))  # warm-up
            at_rate = _run(_open_loop(port, token, _bodies(ids, rate * seconds, 2), rate))
            peak = _run(_closed_loop(port, token, _bodies(ids, rate * seconds, 3), 16))
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=60)
            database.drop()
    result = {"customers": customers, "invoices": invoices, "workers": workers,
              "offered": rate, "at_rate": at_rate, "peak": peak}  # fmt: skip
    for name, figures in (("open loop", at_rate), ("closed loop, 16 clients", peak)):
        print(
            f"{name}: {figures['requests']:,} checks, {figures['rate']:,.0f}/s, "
            f"p50 {figures['p50']:.1f} ms, p99 {figures['p99']:.1f} ms, "
            f"max {figures['max']:.0f} ms, errors {figures['errors']}"
        )
    if write:
        _write(result)
    return result


def _write(r: dict) -> None:
    a, p = r["at_rate"], r["peak"]
    lines = [
        "",
        f"### Credit check, {dt.date.today()} (`creditflow bench credit-check --rate "
        f"{r['offered']} --workers {r['workers']}`)",
        "",
        f"{r['customers']:,} customers, {r['invoices']:,} open invoices, PostgreSQL, "
        f"{r['workers']} gunicorn workers (gthread).",
        "",
        "| load | checks | achieved | p50 | p99 | max | errors |",
        "|---|---|---|---|---|---|---|",
        f"| open loop, {r['offered']}/s offered | {a['requests']:,} | {a['rate']:,.0f}/s | "
        f"{a['p50']:.1f} ms | {a['p99']:.1f} ms | {a['max']:.0f} ms | {a['errors']} |",
        f"| closed loop, 16 clients | {p['requests']:,} | {p['rate']:,.0f}/s | "
        f"{p['p50']:.1f} ms | {p['p99']:.1f} ms | {p['max']:.0f} ms | {p['errors']} |",
    ]
    path = ROOT / "docs" / "benchmarks.md"
    path.write_text(path.read_text().rstrip("\n") + "\n" + "\n".join(lines) + "\n")
