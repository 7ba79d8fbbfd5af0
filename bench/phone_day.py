"""A day of phone calls replayed against Suivi's CTI API, on PostgreSQL.

    .venv/bin/python bench/phone_day.py [--calls 20000] [--advisors 180] [--workers 2]
        [--seed 1] [--route-probe 1000] [--keep] [--no-pool]

A fresh database (suivi_bench_phone, or $SUIVI_BENCH_PHONE_DB), the real web server
(uvicorn, ASGI, with the connection pool unless --no-pool) and the real task workers
(`db_worker`) as processes; this script plays the PBX over real HTTP:

* arrivals follow a call-centre day (08:00–20:00, a morning peak at 10–11 h and an
  afternoon one at 14–15 h; Poisson within each hour);
* at each arrival the PBX asks `GET /api/v1/channels/phone/route?from=` (timed: the p95
  printed is what a PBX sees, signing and HTTP included), rings that extension if the
  advisor is free, waits for them up to 60 s, else offers the call to the first free
  colleague of the team; callers hang up after an exponential patience (mean 2 min), a
  quarter of them leaving a voicemail;
* every step is posted, signed, to `POST /api/v1/channels/phone/events` in simulated
  time order (`call.ringing`, `call.answered`, `call.ended`, `call.voicemail`).

Then it waits until every event is processed and prints, from the database: answered
share, continuity rate (answered by the customer's dedicated advisor), callbacks created
for missed calls (and that none is doubled), and callbacks kept. Suivi's clock cannot
follow a simulated day, so "kept" is simulated too: the advisor Suivi assigned makes the
callback at their first free 3 minutes after the missed call, in simulated time, and it
is kept when that is within the team's callback promise (policy `callback_minutes`).
"""

import argparse
import hashlib
import heapq
import hmac
import http.client
import json
import math
import os
import queue
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from _postgres import BASE, fresh_database, sql

ROOT = Path(__file__).resolve().parent.parent
DB = os.environ.get("SUIVI_BENCH_PHONE_DB", "suivi_bench_phone")
SECRET = "bench-phone-secret-not-a-secret"  # noqa: S105 - the bench server's only
PORT = int(os.environ.get("SUIVI_BENCH_PORT", "8765"))
# Share of the day's calls in each hour from 08:00 to 19:00 (a classic two-peak curve).
HOURLY = [4, 9, 12, 11, 8, 6, 9, 11, 10, 8, 7, 5]
TEAMS = 6
RING_SECONDS = (4, 12)
WAIT_FOR_OWN_ADVISOR = 60
PATIENCE_MEAN = 120
VOICEMAIL_SHARE = 0.25
HANDLING_MEDIAN = 200  # seconds, lognormal: mean about 4 minutes
CALLBACK_SECONDS = 180
ABSENT_SHARE = 0.05
UNKNOWN_CALLERS = 0.10
# Connections the PBX posts events on at once (the route questions go on their own).
SENDERS = 4


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "SUIVI_DATABASE_URL": f"{BASE}/{DB}",
        "SUIVI_SECRET_KEY": "bench-only-not-a-secret",
        "SUIVI_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "SUIVI_LOG_LEVEL": "ERROR",
        # Without the pool (--no-pool): under ASGI each request runs in its own thread and
        # kept connections pile up until PostgreSQL refuses new clients (seen at 400 calls
        # with CONN_MAX_AGE=60), so each request opens its own connection.
        "SUIVI_DATABASE_CONN_MAX_AGE": "0",
        "SUIVI_DATABASE_POOL": os.environ.get("SUIVI_DATABASE_POOL", "true"),
        "SUIVI_PHONE_WEBHOOK_SECRET": SECRET,
        "SUIVI_PHONE_RATE_LIMIT": "1000000",
        "SUIVI_VAR_DIR": str(ROOT / "var" / "bench-phone"),
    }


# --- The company ---------------------------------------------------------------------

SETUP = """
import queue
import random
from datetime import timedelta
from suivi.core import clock
from suivi.core.text import search_key
from suivi.customers.models import Customer, Identity
from suivi.people import services as people
from suivi.people.models import Absence

rng = random.Random({seed})
now = clock.now()
teams = [people.team_create(name=f"Team {{t}}") for t in range({teams})]
advisors = []
for n in range({advisors}):
    advisors.append(people.advisor_create(
        username=f"agent{{n}}", password=None, display_name=f"Agent {{n}}",
        team=teams[n % {teams}], extension=str(1000 + n), languages=["fr", "en"]))
for n, advisor in enumerate(advisors):
    people.advisor_set_backup(advisor=advisor, backup=advisors[(n + {teams}) % len(advisors)])
for advisor in rng.sample(advisors, int(len(advisors) * {absent})):
    Absence.objects.create(advisor=advisor, starts_at=now - timedelta(days=1),
                           ends_at=now + timedelta(days=2))
# Bulk rows, as bench/generate.py does: the services would enqueue a duplicate check each.
customers = [
    Customer(given_name="Client", family_name=f"N{{i}}", given_key="client",
             family_key=f"n{{i}}", dedicated_advisor=advisors[i % len(advisors)],
             team_id=advisors[i % len(advisors)].team_id, created_at=now)
    for i in range({customers})
]
Customer.objects.bulk_create(customers, batch_size=2000)
Identity.objects.bulk_create([
    Identity(customer=c, kind="phone", value=f"+3361{{i:07d}}", loose_value=f"61{{i:07d}}",
             created_at=now)
    for i, c in enumerate(customers)
], batch_size=2000)
"""


def _fresh_database(*, seed: int, advisors: int, customers: int) -> None:
    fresh_database(DB, _env())
    script = SETUP.format(
        seed=seed, teams=TEAMS, advisors=advisors, absent=ABSENT_SHARE, customers=customers
    )
    subprocess.run(  # noqa: S603 - our own command and script
        [sys.executable, "-m", "suivi", "shell", "-v", "0", "-c", script],
        cwd=ROOT, env={**_env(), "SUIVI_TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend"},
        check=True,
    )  # fmt: skip


# --- The PBX ---------------------------------------------------------------------------


@dataclass
class Agent:
    pk: int
    extension: str
    team_id: int
    absent: bool
    free_at: float = 0.0
    busy: list[tuple[float, float]] = field(default_factory=list)


class Suivi:
    """Signed HTTP to the running server, on one kept-alive connection."""

    def __init__(self) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        self.route_ms: list[float] = []
        self.event_ms: list[float] = []

    @staticmethod
    def _headers(signed: bytes) -> dict[str, str]:
        stamp = str(int(time.time()))
        digest = hmac.new(SECRET.encode(), stamp.encode() + b"." + signed, hashlib.sha256)
        return {"X-Suivi-Timestamp": stamp, "X-Suivi-Signature": f"sha256={digest.hexdigest()}"}

    def _request(self, method: str, path: str, body: bytes | None, signed: bytes) -> dict:
        headers = self._headers(signed)
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (ConnectionError, http.client.HTTPException):
            # The server closed an idle kept-alive connection: open another, once.
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        data = response.read()
        if response.status != 200:
            raise SystemExit(f"{method} {path}: {response.status} {data[:300]!r}")
        return json.loads(data)

    def route(self, number: str) -> dict:
        query = urlencode({"from": number})
        start = time.perf_counter()
        answer = self._request("GET", f"/api/v1/channels/phone/route?{query}", None, query.encode())
        self.route_ms.append((time.perf_counter() - start) * 1000)
        return answer

    def event(self, event: dict) -> None:
        body = json.dumps(event).encode()
        start = time.perf_counter()
        self._request("POST", "/api/v1/channels/phone/events", body, body)
        self.event_ms.append((time.perf_counter() - start) * 1000)


class Senders:
    """Events go out on a few connections at once, each call always on the same one, so
    a call's events leave in order while the server works on several calls."""

    def __init__(self, count: int) -> None:
        self.queues: list[queue.Queue] = [queue.Queue(maxsize=200) for _ in range(count)]
        self.clients = [Suivi() for _ in range(count)]
        self.threads = [
            threading.Thread(target=self._send, args=(q, c), daemon=True)
            for q, c in zip(self.queues, self.clients, strict=True)
        ]
        self.errors: list[BaseException] = []
        for thread in self.threads:
            thread.start()

    def _send(self, inbox: queue.Queue, client: "Suivi") -> None:
        while (event := inbox.get()) is not None:
            if self.errors:
                continue  # drain, so that the replay never blocks on a dead sender
            try:
                client.event(event)
            except BaseException as error:  # reported by close()
                self.errors.append(error)

    def put(self, call_number: int, event: dict) -> None:
        self.queues[call_number % len(self.queues)].put(event)

    def close(self) -> list[float]:
        for inbox in self.queues:
            inbox.put(None)
        for thread in self.threads:
            thread.join()
        if self.errors:
            raise SystemExit(f"an event could not be sent: {self.errors[0]!r}")
        return [ms for client in self.clients for ms in client.event_ms]


def _arrivals(rng: random.Random, calls: int) -> list[float]:
    """Seconds since 08:00 of each call, following HOURLY."""
    total = sum(HOURLY)
    times: list[float] = []
    for hour, weight in enumerate(HOURLY):
        count = round(calls * weight / total)
        times += [hour * 3600 + rng.random() * 3600 for _ in range(count)]
    while len(times) < calls:
        times.append(rng.random() * len(HOURLY) * 3600)
    return sorted(times[:calls])


def simulate(rng: random.Random, calls: int, agents: dict[str, Agent], customers: int) -> list:
    """The day's arrivals: (t, n, caller) in time order; the fate of each call is played
    when it arrives, from Suivi's routing answer (`_play_call`)."""
    team_ids = sorted({agent.team_id for agent in agents.values()})
    arrivals = []
    for n, arrival in enumerate(_arrivals(rng, calls)):
        known = rng.random() >= UNKNOWN_CALLERS
        index = rng.randrange(customers)
        number = f"+3361{index:07d}" if known else f"+3377{rng.randrange(10**7):07d}"
        # The team the caller reaches: their advisor's (customers are spread over
        # advisors in order, advisors over teams in order), or the line's for a stranger.
        team = team_ids[(index % len(agents)) % TEAMS] if known else rng.choice(team_ids)
        call = {
            "call_id": f"bench-{n}",
            "from": number,
            "to": "+33180000000",
            "team": team,
            "patience": rng.expovariate(1 / PATIENCE_MEAN),
        }
        arrivals.append((arrival, n, call))
    return arrivals


def _play_call(
    rng: random.Random, arrival: float, call: dict, answer: dict, agents: dict[str, Agent],
    by_team: dict[int, list[Agent]],
) -> list[tuple[float, dict]]:  # fmt: skip
    """Decide the call's fate from the PBX's view of who is free; its events."""
    events: list[tuple[float, dict]] = []
    base = {"call_id": call["call_id"], "from": call["from"], "to": call["to"]}
    own = agents.get(answer.get("extension") or "")
    chosen: Agent | None = None
    start = 0.0
    ring = rng.uniform(*RING_SECONDS)
    limit = arrival + call["patience"]
    if own is not None and own.free_at <= arrival + min(WAIT_FOR_OWN_ADVISOR, call["patience"]):
        chosen, start = own, max(arrival, own.free_at)
    else:
        first = min(by_team[call["team"]], key=lambda a: a.free_at)
        if first.free_at <= limit:
            chosen, start = first, max(arrival, first.free_at)
    if chosen is not None and start + ring <= limit:
        answered = start + ring
        events.append((start, {**base, "type": "call.ringing", "advisor": chosen.extension}))
        wait = int(answered - arrival)
        talk = int(rng.lognormvariate(math.log(HANDLING_MEDIAN), 0.6))
        events.append(
            (answered, {**base, "type": "call.answered", "advisor": chosen.extension,
                        "queue_wait_seconds": wait})
        )  # fmt: skip
        events.append(
            (answered + talk, {**base, "type": "call.ended", "advisor": chosen.extension,
                               "duration_seconds": talk})
        )  # fmt: skip
        chosen.free_at = answered + talk
        chosen.busy.append((start, answered + talk))
        return events
    wait = int(call["patience"])
    if rng.random() < VOICEMAIL_SHARE:
        events.append((limit, {**base, "type": "call.voicemail", "queue_wait_seconds": wait}))
        events.append((limit + 40, {**base, "type": "call.ended"}))
    else:
        events.append((limit, {**base, "type": "call.ended", "queue_wait_seconds": wait}))
    return events


def _wait_port(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the web server did not start")


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def run(*, calls: int, advisors: int, workers: int, seed: int, route_probe: int) -> None:
    rng = random.Random(seed)
    customers = max(advisors * 200, calls)
    started = time.perf_counter()
    _fresh_database(seed=seed, advisors=advisors, customers=customers)
    print(f"setup: {advisors} advisors in {TEAMS} teams, {customers} customers "
          f"({time.perf_counter() - started:.0f} s)", flush=True)  # fmt: skip
    rows = sql(
        "SELECT a.id, a.extension, a.team_id, EXISTS (SELECT 1 FROM people_absence b"
        " WHERE b.advisor_id = a.id AND b.ends_at > now()) FROM people_advisor a",
        DB,
    )
    agents = {ext: Agent(pk, ext, team, absent) for pk, ext, team, absent in rows}
    by_team: dict[int, list[Agent]] = defaultdict(list)
    for agent in agents.values():
        if not agent.absent:
            by_team[agent.team_id].append(agent)
    env = _env()
    web = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "uvicorn", "suivi.asgi:application", "--port", str(PORT),
         "--workers", "2", "--log-level", "warning", "--no-access-log"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    worker = [sys.executable, "-m", "suivi", "db_worker", "--interval", "0.2",
              "--no-startup-delay"]  # fmt: skip
    pool = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [*worker, "--worker-id", f"w{i}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in range(workers)
    ]
    try:
        _wait_port(PORT)
        suivi = Suivi()
        senders = Senders(SENDERS)
        day = datetime.now(UTC).replace(hour=7, minute=0, second=0, microsecond=0) - timedelta(
            days=1
        )
        steps = simulate(rng, calls, agents, customers)
        # Events waiting to be sent, in simulated time order with the arrivals.
        pending: list[tuple[float, int, int, dict]] = []
        sequence = 0
        sent = 0
        replay_start = time.perf_counter()
        for arrival, n, call in steps:
            while pending and pending[0][0] <= arrival:
                at, _seq, number, event = heapq.heappop(pending)
                senders.put(number, _stamped(event, day, at))
                sent += 1
            answer = suivi.route(call["from"])
            for at, event in _play_call(rng, arrival, call, answer, agents, by_team):
                sequence += 1
                heapq.heappush(pending, (at, sequence, n, event))
            if n and n % 2000 == 0:
                print(f"  {n} calls routed, {time.perf_counter() - replay_start:.0f} s", flush=True)
        while pending:
            at, _seq, number, event = heapq.heappop(pending)
            senders.put(number, _stamped(event, day, at))
            sent += 1
        suivi.event_ms = senders.close()
        replayed = time.perf_counter() - replay_start
        print(f"replayed {calls} calls, {sent} events in {replayed:.0f} s "
              f"({(calls + sent) / replayed:.0f} requests/s)", flush=True)  # fmt: skip
        while True:
            ((waiting,),) = sql(
                "SELECT count(*) FROM channels_inboundmessage"
                " WHERE status IN ('received', 'processing')",
                DB,
            )
            if not waiting:
                break
            time.sleep(1)
        processed = time.perf_counter() - replay_start
        # The same question again once the day is processed: the endpoint alone, with no
        # event traffic or processing of ours competing for the CPU.
        probe = Suivi()
        for _ in range(route_probe):
            probe.route(f"+3361{rng.randrange(customers):07d}")
        if calls:
            _report(suivi, calls, sent, processed, agents, day)
        if probe.route_ms:
            print(f"route endpoint, idle server    p50 {_p(probe.route_ms, 50):.1f} ms, "
                  f"p95 {_p(probe.route_ms, 95):.1f} ms, p99 {_p(probe.route_ms, 99):.1f} ms "
                  f"({route_probe} questions once the day was processed)")  # fmt: skip
    finally:
        for process in [web, *pool]:
            process.send_signal(signal.SIGTERM)
        for process in [web, *pool]:
            process.wait(timeout=60)


def _stamped(event: dict, day: datetime, at: float) -> dict:
    return {
        "id": f"{event['call_id']}-{event['type']}",
        "direction": "inbound",
        "occurred_at": (day + timedelta(hours=1, seconds=at)).isoformat(),
        **event,
    }


def _report(
    suivi: Suivi, calls: int, sent: int, seconds: float, agents: dict[str, Agent], day: datetime
) -> None:
    ((total, answered, by_dedicated, missed),) = sql(
        "SELECT count(*), count(*) FILTER (WHERE p.outcome = 'answered'),"
        " count(*) FILTER (WHERE p.outcome = 'answered'"
        "   AND p.answered_by_id = c.dedicated_advisor_id),"
        " count(*) FILTER (WHERE p.outcome IN ('missed', 'voicemail'))"
        " FROM channels_phonecall p LEFT JOIN customers_customer c ON c.id = p.customer_id",
        DB,
    )
    ((parked,),) = sql(
        "SELECT count(*) FROM channels_inboundmessage WHERE status = 'needs_attention'", DB
    )
    ((created,),) = sql(
        "SELECT count(*) FROM scheduling_callback cb"
        " JOIN channels_phonecall p ON p.callback_id = cb.id WHERE cb.source = 'missed_call'",
        DB,
    )
    ((all_missed_call_callbacks,),) = sql(
        "SELECT count(*) FROM scheduling_callback WHERE source = 'missed_call'", DB
    )
    ((new_customers,),) = sql("SELECT count(*) FROM channels_phonecall WHERE customer_created", DB)
    ((interactions,),) = sql(
        "SELECT count(*) FROM conversations_interaction WHERE channel = 'phone'", DB
    )
    ((policy_minutes,),) = sql(
        "SELECT coalesce((SELECT callback_minutes FROM promises_policy"
        " WHERE team_id IS NULL AND channel IN ('', 'phone') ORDER BY channel DESC LIMIT 1),"
        " 240)",
        DB,
    )
    # Callbacks in simulated time: the assigned advisor's first free 3 minutes.
    rows = sql(
        "SELECT a.extension, p.ended_at FROM scheduling_callback cb"
        " JOIN channels_phonecall p ON p.callback_id = cb.id"
        " LEFT JOIN people_advisor a ON a.id = cb.assigned_to_id ORDER BY p.ended_at",
        DB,
    )
    origin = day + timedelta(hours=1)
    kept = 0
    for extension, ended_at in rows:
        agent = agents.get(extension or "")
        if agent is None or agent.absent:
            continue
        missed_at = (ended_at - origin).total_seconds()
        slot = _first_gap(agent, missed_at)
        if slot - missed_at <= policy_minutes * 60:
            kept += 1
            agent.busy.append((slot, slot + CALLBACK_SECONDS))
            agent.busy.sort()
    print()
    print(f"calls                          {total:>8}   (sent {calls}; phone interactions "
          f"{interactions}; new callers {new_customers})")  # fmt: skip
    print(f"answered share                 {answered / total:>8.1%}")
    print(f"continuity rate                {by_dedicated / max(answered, 1):>8.1%}"
          "   (answered by the dedicated advisor / answered)")  # fmt: skip
    print(f"missed or voicemail            {missed:>8}")
    doubled = all_missed_call_callbacks - created
    print(f"callbacks created              {created:>8}   (missed-call callbacks in all: "
          f"{all_missed_call_callbacks}; doubled: {doubled})")  # fmt: skip
    print(f"callbacks kept (simulated)     {kept:>8}   ({kept / max(created, 1):.1%} within "
          f"{policy_minutes} min)")  # fmt: skip
    print(
        f"route endpoint, PBX side       p50 {_p(suivi.route_ms, 50):.1f} ms, "
        f"p95 {_p(suivi.route_ms, 95):.1f} ms, p99 {_p(suivi.route_ms, 99):.1f} ms"
    )
    print(
        f"events endpoint, PBX side      p50 {_p(suivi.event_ms, 50):.1f} ms, "
        f"p95 {_p(suivi.event_ms, 95):.1f} ms"
    )
    print(
        f"all {sent} events processed   {seconds:.0f} s after the replay began "
        f"({sent / seconds:.0f} events/s); parked: {parked}"
    )


def _first_gap(agent: Agent, after: float) -> float:
    moment = after
    for start, end in sorted(agent.busy):
        if end <= moment:
            continue
        if start >= moment + CALLBACK_SECONDS:
            break
        moment = max(moment, end)
    return moment


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--advisors", type=int, default=180)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--route-probe", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    parser.add_argument(
        "--no-pool", action="store_true", help="A new PostgreSQL connection per request."
    )
    args = parser.parse_args()
    if args.no_pool:
        os.environ["SUIVI_DATABASE_POOL"] = "false"
    print(f"{args.calls} calls over a simulated day, PostgreSQL, uvicorn + "
          f"{args.workers} db_worker processes, "
          f"{'no connection pool' if args.no_pool else 'connection pool'}")  # fmt: skip
    run(
        calls=args.calls,
        advisors=args.advisors,
        workers=args.workers,
        seed=args.seed,
        route_probe=args.route_probe,
    )
    if not args.keep:
        sql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


if __name__ == "__main__":
    main()
