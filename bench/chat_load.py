"""Web chat under load: N concurrent WebSocket chats against one ASGI process.

    .venv/bin/python bench/chat_load.py [--connections 2000] [--rate 200] [--seconds 30]

A fresh PostgreSQL database (suivi_bench_chat), one widget, and one uvicorn process
serving `suivi.asgi:application` as `suivi run` does (no per-message compression; per-IP
limits lifted: every simulated visitor comes from 127.0.0.1). The clients (one asyncio
process, `websockets`) open N sockets, each says `hello`, then messages are sent at a
steady total rate to random sockets, each with its own client id, for the given time.
Every message takes the real path: stored raw (`InboundMessage`), processed (customer
created on a visitor's first message, interaction, transcript line),
acknowledged, and answered by the assistant (SUIVI_CHAT_ASSISTANT= turns it off).

`--warm` has every visitor write once while the chats open, so that the load measures
chats under way (a visitor's first message also creates their anonymous customer).
`--handoff` makes every visitor ask for a person after `hello` (nobody is on duty: each
chat gets its case, unowned), so that messages take the case path (the case's lock and
clocks, one interaction at a time) instead of the assistant's.

Printed: connections opened and still open at the end (sustained), messages per second
acknowledged, the latency from sending a message to its `ack` (p50, p95, p99, max), to
the assistant's answer when it answers (its line arrives after the ack), and
what each message cost: CPU of the server process and of its PostgreSQL sessions during
the load (milliseconds per message: not the wall clock, so it holds on a busy machine),
and how many messages each batch transaction held (writer.py).
"""

import argparse
import asyncio
import json
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _postgres import BASE, fresh_database, sql
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

ROOT = Path(__file__).resolve().parent.parent
DB = os.environ.get("SUIVI_BENCH_CHAT_DB", "suivi_bench_chat")
ORIGIN = "http://bench.example"


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "SUIVI_DATABASE_URL": f"{BASE}/{DB}",
        "SUIVI_SECRET_KEY": "bench-only-not-a-secret",
        "SUIVI_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "SUIVI_LOG_LEVEL": "ERROR",
        "SUIVI_VAR_DIR": str(ROOT / "var" / "bench-chat"),
        # One web process: the in-memory channel layer, as `suivi run` without Redis.
        "SUIVI_REDIS_URL": "",
        "SUIVI_CHAT_IP_CONNECTIONS": "0",
        "SUIVI_CHAT_IP_CONNECTS_PER_MINUTE": "0",
        "SUIVI_CHAT_IP_MESSAGES_PER_MINUTE": "0",
    }


def _prepare() -> str:
    fresh_database(DB, _env())
    code = (
        "from suivi.channels.chat.models import ChatWidget;"
        "from suivi.people.services import team_create;"
        f"w = ChatWidget.objects.create(name='Bench', allowed_origins='{ORIGIN}',"
        " team=team_create(name='Bench'));"
        "print(w.public_key)"
    )
    out = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "suivi", "shell", "-c", code],
        cwd=ROOT, env=_env(), check=True, capture_output=True, text=True,
    )  # fmt: skip
    return out.stdout.strip().splitlines()[-1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _raise_fd_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _server(port: int, extra: list[str]) -> subprocess.Popen:
    argv = [
        sys.executable, "-m", "uvicorn", "suivi.asgi:application", "--host", "127.0.0.1",
        "--port", str(port), "--no-server-header", "--log-level", "warning",
        "--no-access-log", "--backlog", "4096", "--ws-per-message-deflate", "false",
        # The load generator shares the CPUs: give its pongs time rather than drop it.
        "--ws-ping-timeout", "120",
        *extra,
    ]  # fmt: skip
    return subprocess.Popen(argv, cwd=ROOT, env=_env(), preexec_fn=_raise_fd_limit)  # noqa: S603


class Visitor:
    """One chat socket; a reader task resolves the futures of acknowledged messages."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.waiting: dict[str, asyncio.Future[float]] = {}
        self.welcome: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.handed: asyncio.Future[None] | None = None
        self.reader = asyncio.create_task(self.read())
        self.sent = 0
        # The assistant's answers: when each message left, by client id, then by the id
        # of its transcript line (from its ack); an answer's line says "re:<that id>".
        self.started: dict[str, float] = {}
        self.line_started: dict[int, float] = {}
        self.answers: list[float] = []

    async def read(self) -> None:
        try:
            await self._read()
        except ConnectionClosed as closed:
            for future in self.waiting.values():
                if not future.done():
                    future.set_exception(closed)

    async def _read(self) -> None:
        async for raw in self.socket:
            frame = json.loads(raw)
            kind = frame.get("type")
            if kind == "welcome" and not self.welcome.done():
                self.welcome.set_result(None)
            elif kind == "handoff" and self.handed is not None and not self.handed.done():
                self.handed.set_result(None)
            elif kind == "message" and str(frame.get("client_id", "")).startswith("re:"):
                started = self.line_started.pop(int(frame["client_id"][3:]), None)
                if started is not None:
                    self.answers.append(time.perf_counter() - started)
            elif kind in ("ack", "error") and frame.get("client_id") in self.waiting:
                started = self.started.pop(frame["client_id"], None)
                if kind == "ack" and started is not None and frame.get("id"):
                    self.line_started[frame["id"]] = started
                future = self.waiting.pop(frame["client_id"])
                if not future.done():
                    if kind == "ack":
                        future.set_result(time.perf_counter())
                    else:
                        future.set_exception(RuntimeError(frame["code"]))

    async def hand_over(self) -> None:
        await self.socket.send(json.dumps({"type": "handoff"}))

    async def say(self, text: str) -> float:
        self.sent += 1
        client_id = f"m{self.sent}"
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[client_id] = future
        started = self.started[client_id] = time.perf_counter()
        await self.socket.send(
            json.dumps({"type": "message", "client_id": client_id, "text": text})
        )
        return await asyncio.wait_for(future, 30) - started


async def _open(url: str, count: int, parallel: int, handoff: bool, warm: bool) -> list[Visitor]:
    visitors: list[Visitor] = []
    gate = asyncio.Semaphore(parallel)

    async def one() -> None:
        async with gate:
            sock = await connect(url, origin=ORIGIN, open_timeout=60, ping_interval=None)  # type: ignore[arg-type]
            visitor = Visitor(sock)
            await sock.send(json.dumps({"type": "hello", "lang": "fr"}))
            await asyncio.wait_for(visitor.welcome, 60)
            if warm:
                await visitor.say("Bonjour")
            if handoff:
                visitor.handed = asyncio.get_running_loop().create_future()
                await visitor.hand_over()
                await asyncio.wait_for(visitor.handed, 60)
            visitors.append(visitor)

    results = await asyncio.gather(*(one() for _ in range(count)), return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures:
        print(f"  {len(failures)} connections failed, e.g. {failures[0]!r}")
    return visitors


async def _load(
    visitors: list[Visitor], rate: float, seconds: float
) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    by_second: dict[int, list[float]] = {}
    errors = 0
    tasks: list[asyncio.Task[None]] = []

    async def one(visitor: Visitor, n: int) -> None:
        nonlocal errors
        try:
            latency = await visitor.say(f"Bonjour, question numéro {n}")
            latencies.append(latency)
            by_second.setdefault(int(time.perf_counter() - latency - started), []).append(latency)
        except Exception:
            errors += 1

    for visitor in visitors:  # the warm-up's answers are not the load's
        visitor.answers.clear()
        visitor.line_started.clear()
    started = time.perf_counter()
    n = 0
    # A steady schedule: message n leaves at started + n / rate, whatever the answers.
    while (due := started + n / rate) < started + seconds:
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(random.choice(visitors), n)))
        n += 1
    await asyncio.gather(*tasks)
    # The assistant's answers still on their way (a few seconds at most).
    for _ in range(50):
        if not any(v.line_started for v in visitors):
            break
        await asyncio.sleep(0.1)
    # p95 by period of the load (by when messages left): does a queue build up or drain?
    step = max(1, int(seconds) // 6)
    periods = []
    for first in range(0, int(seconds), step):
        sample = [x for s in range(first, first + step) for x in by_second.get(s, [])]
        if sample:
            periods.append(f"{first}-{first + step} s: {_percentile(sample, 0.95) * 1000:.0f}")
    print("p95 by period (ms): " + ", ".join(periods))
    return latencies, errors, time.perf_counter() - started


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def _database_sessions() -> list[int]:
    return [
        int(pid)
        for (pid,) in sql(
            f"SELECT pid FROM pg_stat_activity WHERE datname = '{DB}' AND pid <> pg_backend_pid()",
            DB,
        )
    ]


async def _run(args: argparse.Namespace, url: str, server_pid: int | None) -> None:
    opened_at = time.perf_counter()
    visitors = await _open(url, args.connections, args.parallel, args.handoff, args.warm)
    took = time.perf_counter() - opened_at
    print(f"opened {len(visitors)}/{args.connections} chats in {took:.1f} s")
    server_cpu = _cpu_seconds([server_pid]) if server_pid else 0.0
    sessions = {pid: _cpu_seconds([pid]) for pid in _database_sessions()} if server_pid else {}
    latencies, errors, elapsed = await _load(visitors, args.rate, args.seconds)
    if server_pid:
        # Sessions opened during the load count from zero; those closed are missed.
        sessions_cpu = sum(
            _cpu_seconds([pid]) - sessions.get(pid, 0.0) for pid in _database_sessions()
        )
        server_cpu = _cpu_seconds([server_pid]) - server_cpu
        done = len(latencies) or 1
        print(
            f"CPU per acknowledged message: server process {server_cpu * 1000 / done:.2f} ms,"
            f" its PostgreSQL sessions {sessions_cpu * 1000 / done:.2f} ms"
            f" ({server_cpu:.1f} s and {sessions_cpu:.1f} s in {elapsed:.0f} s)"
        )
    open_now = sum(1 for v in visitors if v.socket.state.name == "OPEN")
    ms = [x * 1000 for x in latencies]
    print(f"sustained connections: {open_now} open after {elapsed:.0f} s of load")
    print(
        f"messages: {len(ms)} acknowledged, {errors} failed, "
        f"{len(ms) / elapsed:.0f} messages/s (target {args.rate:.0f})"
    )
    if ms:
        print(
            f"latency send→ack: p50 {statistics.median(ms):.1f} ms,"
            f" p95 {_percentile(ms, 0.95):.1f} ms, p99 {_percentile(ms, 0.99):.1f} ms,"
            f" max {max(ms):.1f} ms"
        )
    answers = [x * 1000 for v in visitors for x in v.answers]
    if answers:
        print(
            f"assistant: {len(answers)} answers, send→answer p50"
            f" {statistics.median(answers):.1f} ms, p95 {_percentile(answers, 0.95):.1f} ms,"
            f" max {max(answers):.1f} ms"
        )
    for visitor in visitors:
        await visitor.socket.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=200.0, help="messages per second, in total")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--parallel", type=int, default=100, help="connections opened at once")
    parser.add_argument("--url", help="an already running server's ws://HOST:PORT/ws/chat/KEY/")
    parser.add_argument(
        "--uvicorn",
        default="",
        help='more uvicorn options, e.g. "--ws-per-message-deflate false --ws wsproto"',
    )
    parser.add_argument(
        "--warm",
        action="store_true",
        help="every visitor writes once while the chats open (their customer exists), so"
        " that the load measures chats under way rather than first messages",
    )
    parser.add_argument(
        "--handoff", action="store_true", help="every chat asks for a person before writing"
    )
    args = parser.parse_args()
    _raise_fd_limit()
    server = None
    if args.url:
        url = args.url
    else:
        key = _prepare()
        port = _free_port()
        server = _server(port, args.uvicorn.split())
        url = f"ws://127.0.0.1:{port}/ws/chat/{key}/"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f} before the run")
    try:
        asyncio.run(_run(args, url, server.pid if server is not None else None))
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        if not args.url:
            stored, done, span, batches = sql(
                "SELECT count(*), count(*) FILTER (WHERE status = 'done'),"
                " EXTRACT(EPOCH FROM max(processed_at) - min(received_at)),"
                # Rows written by one transaction share its id (xmin): one batch each.
                " count(DISTINCT xmin::text)"
                " FROM channels_inboundmessage WHERE channel = 'chat'",
                DB,
            )[0]
            rate = f", {done / float(span):.0f} messages/s" if span else ""
            print(
                f"server side: {stored} messages stored raw, {done} processed"
                f" in {float(span or 0):.0f} s{rate} (late ones included),"
                f" {stored / max(1, batches):.1f} messages per transaction"
            )


if __name__ == "__main__":
    main()
