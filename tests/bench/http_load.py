"""What the HTTP benchmarks share: gunicorn as deployed, tokens, and a load generator on 127.0.0.1.

`served(url, workers)` runs `creditflow serve --no-scheduler` on a free port of 127.0.0.1 against
a prepared database and stops it afterwards. `Connection` is one keep-alive HTTP/1.1 connection
(asyncio streams, no client library between the clock and the socket); `open_loop` sends on a
fixed schedule (latency counts from the moment a request was due, so a slow server cannot hide
its queue) and `closed_loop` keeps N clients busy (latency is the wall clock around each request).
`LiveClient` gives `tests/support.Api` (and so the `tests/integration/flow.py` helpers) the live
server instead of Flask's test client, to set a scenario up through the API.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"

# One request of a load: method, path (with its query), JSON body (b"" for none).
Request = tuple[str, str, bytes]


def free_port() -> int:
    """A port of 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def served(url: str, workers: int) -> Iterator[int]:
    """`creditflow serve --no-scheduler` on the database `url`; yield its port, stop it after."""
    port = free_port()
    env = {**os.environ, "CREDITFLOW_DATABASE_URL": url, "CREDITFLOW_SECRET_KEY": "bench"}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/creditflow"), "serve", "--host", HOST, "--port", str(port),
         "--workers", str(workers), "--no-scheduler"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://{HOST}:{port}/api/v1/openapi.json", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the server did not come up within 60 s") from None
                time.sleep(0.3)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=60)


def token(port: int, user: str) -> str:
    """A bearer token of a demo user (password demo)."""
    reply = LiveClient(port).post("/api/v1/auth/token", json={"username": user, "password": "demo"})
    assert reply.status_code == 200, reply.get_json()
    return reply.get_json()["token"]


class Reply:
    """A response as the Flask test client shows it (status_code, get_json)."""

    def __init__(self, status_code: int, payload: bytes) -> None:
        self.status_code, self.payload = status_code, payload

    def get_json(self) -> Any:
        return json.loads(self.payload) if self.payload else None


class LiveClient:
    """The live server behind the test client's get/post, for `support.Api` (setup, not timed)."""

    def __init__(self, port: int) -> None:
        self.base = f"http://{HOST}:{port}"

    def get(self, url: str, headers: dict | None = None) -> Reply:
        return self._send("GET", url, None, headers)

    def post(self, url: str, json: Any = None, headers: dict | None = None) -> Reply:
        return self._send("POST", url, json, headers)

    def _send(self, method: str, url: str, body: Any, headers: dict | None) -> Reply:
        data = None if body is None else json_bytes(body)
        request = urllib.request.Request(
            self.base + url, data=data, method=method,
            headers={**(headers or {}), **({"Content-Type": "application/json"} if data else {})},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return Reply(response.status, response.read())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read())


def json_bytes(value: Any) -> bytes:
    """A request body."""
    return json.dumps(value).encode()


class Connection:
    """One keep-alive HTTP/1.1 connection to the server, signed in with a bearer token."""

    def __init__(self, port: int, bearer: str) -> None:
        self.port, self.bearer = port, bearer
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, request: Request) -> tuple[int, bytes]:
        """Send one request; return its status and body (reconnecting when the server closed)."""
        method, path, body = request
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {self.bearer}\r\n"
            + (f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n" if body else "")
            + "\r\n"
        ).encode()
        for _ in range(2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
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
                payload = await self.reader.readexactly(length)
                if not keep:
                    self.writer.close()
                    self.writer = None
                return int(status_line.split()[1]), payload
            except (ConnectionError, asyncio.IncompleteReadError):
                self.writer = None
        return 0, b""


class Tally:
    """Latencies and replies of one load; a reply is an error unless its status is `expect`."""

    def __init__(self, expect: int, keep_replies: bool) -> None:
        self.expect, self.keep_replies = expect, keep_replies
        self.latencies: list[float] = []
        self.errors = 0
        self.replies: list[tuple[int, bytes]] = []

    def add(self, seconds: float, status: int, payload: bytes) -> None:
        self.latencies.append(seconds)
        self.errors += status != self.expect
        if self.keep_replies:
            self.replies.append((status, payload))

    def figures(self, seconds: float) -> dict:
        """Requests, rate, p50 / p95 / p99 / max in ms, errors (and the replies when kept)."""
        ordered = sorted(self.latencies)

        def pct(p: float) -> float:
            return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

        result = {
            "requests": len(ordered),
            "rate": len(ordered) / seconds,
            "p50": pct(0.50),
            "p95": pct(0.95),
            "p99": pct(0.99),
            "max": ordered[-1] * 1000,
            "errors": self.errors,
        }
        if self.keep_replies:
            result["replies"] = self.replies
        return result


async def open_loop(
    port: int, bearer: str, requests: list[Request], rate: int, connections: int, expect: int = 200
) -> dict:
    """Send `rate` requests a second over a pool of connections; latency from when each was due."""
    pool: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(Connection(port, bearer))
    tally = Tally(expect, keep_replies=False)
    start = time.perf_counter() + 0.2

    async def one(n: int, request: Request) -> None:
        due = start + n / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        connection = await pool.get()
        try:
            status, payload = await connection.send(request)
        finally:
            pool.put_nowait(connection)
        tally.add(time.perf_counter() - due, status, payload)

    await asyncio.gather(*(one(n, request) for n, request in enumerate(requests)))
    return tally.figures(time.perf_counter() - start)


async def closed_loop(
    port: int,
    bearer: str,
    requests: list[Request],
    clients: int,
    expect: int = 200,
    keep_replies: bool = False,
) -> dict:
    """`clients` connections each sending its next request when the last one returned."""
    tally = Tally(expect, keep_replies)
    queue = list(reversed(requests))
    start = time.perf_counter()

    async def client() -> None:
        connection = Connection(port, bearer)
        while queue:
            request = queue.pop()
            sent = time.perf_counter()
            status, payload = await connection.send(request)
            tally.add(time.perf_counter() - sent, status, payload)

    await asyncio.gather(*(client() for _ in range(clients)))
    return tally.figures(time.perf_counter() - start)


def run(coroutine) -> dict:
    """Run a load in a thread of its own (the caller may have an event loop)."""
    out: dict = {}
    thread = threading.Thread(target=lambda: out.update(result=asyncio.run(coroutine)))
    thread.start()
    thread.join()
    return out["result"]


def append_to_benchmarks(heading: str, lines: list[str]) -> None:
    """Add lines to docs/benchmarks.md at the end of its `## heading` section (made if missing)."""
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text().rstrip("\n") + "\n"
    title = f"\n## {heading}\n"
    if title not in text:
        text += title
    end = text.find("\n## ", text.index(title) + len(title))
    end = len(text) if end < 0 else end + 1
    rest = text[end:]
    block = "\n".join(lines) + "\n"
    path.write_text(text[:end].rstrip("\n") + "\n" + block + ("\n" + rest if rest else ""))
