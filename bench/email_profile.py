"""Where the cost of one inbound e-mail goes, in figures that do not depend on how busy
the machine is: SQL statements and CPU milliseconds per message, in Python and in the
PostgreSQL backend, for storing (what `suivi smtpd` does before its 250) and for
processing (what the task workers do), split by task.

    .venv/bin/python bench/email_profile.py [--messages 400] [--profile 25]

Same messages as bench/email_ingest.py (half the senders known, a quarter writing twice
on the same topic). One process: a fresh database (suivi_bench_email_profile), the
SMTP receiver's `store()` called for each message, then the real django-tasks-db worker
loop (`db_worker --batch`) run in-process until the queue is empty. Statements are
counted with `connection.execute_wrapper`; Python CPU is `time.process_time()`, the
database's is the CPU time of our PostgreSQL backend process read from /proc (the
server must run on this machine; otherwise that column reads 0). "Statements" counts
every statement PostgreSQL runs, "round trips" the executes that sent them (writes put
off to the end of a unit of work go several in one). `--profile N` adds a cProfile of
the processing, timed in CPU time (waits for PostgreSQL excluded), and prints its N
most expensive functions.
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = os.environ.get("SUIVI_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = os.environ.get("SUIVI_BENCH_DB", "suivi_bench_email_profile")
TICK = os.sysconf("SC_CLK_TCK")

os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "suivi.settings",
        "SUIVI_DATABASE_URL": f"{BASE}/{DB}",
        "SUIVI_SECRET_KEY": os.environ.get("SUIVI_SECRET_KEY", "bench-only-not-a-secret"),
        "SUIVI_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "SUIVI_LOG_LEVEL": "ERROR",
        "SUIVI_EMAIL_ACKS_PER_HOUR": "100000",
        "SUIVI_VAR_DIR": str(ROOT / "var" / "bench-email"),
    }
)
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


class Meter:
    """Statements, Python CPU and database CPU, accumulated per label."""

    def __init__(self) -> None:
        self.label = "queue"
        self.statements: Counter[str] = Counter()
        self.trips: Counter[str] = Counter()
        self.python: Counter[str] = Counter()
        self.database: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self.outcomes: Counter[str] = Counter()
        self.by_kind: dict[str, list[int]] = defaultdict(list)
        self.trips_by_kind: dict[str, list[int]] = defaultdict(list)

        self.show: list[str] | None = None  # statements of the task being shown

    _cpu = 0.0
    _db = 0.0

    def __call__(self, execute, sql, params, many, context):
        # Writes sent together (suivi.core.statements.together) are one round trip of
        # several statements.
        self.statements[self.label] += sql.count(";\n") + 1
        self.trips[self.label] += 1
        if self.show is not None:
            self.show.append(sql[:160])
        return execute(sql, params, many, context)


class BackendCpu:
    """CPU seconds used by the PostgreSQL processes that served `connection`, summed
    over reconnections and pooled connections (a new backend process starts from
    zero)."""

    def __init__(self, connection) -> None:
        self.connection = connection
        # The pool may hand out another connection (another backend) at any moment:
        # each backend's CPU is followed on its own.
        self.last: dict[int, float] = {}
        self.total = 0.0

    def __call__(self) -> float:
        self.connection.ensure_connection()
        pid = self.connection.connection.info.backend_pid
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return self.total
        used = (int(fields[11]) + int(fields[12])) / TICK
        self.total += used - self.last.get(pid, 0.0)
        self.last[pid] = used
        return self.total


def fresh_database(messages: int) -> None:
    import psycopg
    from django.core.management import call_command

    with psycopg.connect(f"{BASE}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")
    call_command("migrate", verbosity=0)
    from django_tasks_db.models import DBTaskResult

    from suivi.customers.services import IdentityInput, customer_create

    for n in range(0, messages, 2):
        customer_create(
            given_name="Client",
            family_name=f"N{n}",
            identities=[IdentityInput("email", f"client{n}@example.org")],
        )
    DBTaskResult.objects.all().delete()  # the seeds' duplicate detection is not measured


def kind_of(n: int) -> str:
    """What message n of email_ingest.py is (its sender and topic)."""
    if n and n % 4 == 0:
        return "continues a case"
    return "known sender, new case" if n % 2 == 0 else "new sender"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument("--sql", action="store_true", help="print one task of each kind's SQL")
    parser.add_argument("--profile-out", default="", help="also write the cProfile data here")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult
    from email_ingest import _message

    from suivi.channels.email.smtp import store
    from suivi.channels.models import InboundMessage

    fresh_database(args.messages)
    meter = Meter()
    backend_cpu = BackendCpu(connection)
    raws = [_message(n) for n in range(args.messages)]

    # 1. Storing: what the SMTP receiver does before answering 250.
    with connection.execute_wrapper(meter):
        meter.label = "store"
        cpu, db, wall = time.process_time(), backend_cpu(), time.perf_counter()
        for raw in raws:
            store(raw, mail_from="bench@example.org", rcpt_tos=["support@suivi.localhost"],
                  peer="127.0.0.1")  # fmt: skip
        meter.python["store"] += time.process_time() - cpu
        meter.database["store"] += backend_cpu() - db
        store_wall = time.perf_counter() - wall
    meter.calls["store"] = len(raws)
    kinds = {
        pk: kind_of(int(external.split("-")[1].split("@")[0]))
        for pk, external in InboundMessage.objects.values_list("pk", "external_id")
    }

    # 2. Processing: the real worker loop. Each task, and inside it the e-mail processor
    # (the same function before and after any change to the pipeline), on its own line;
    # "queue" is the worker loop itself (claiming tasks, recording their results).
    from django_tasks.base import Task

    from suivi.channels.email import processing

    stack: list[str] = []

    def charge() -> None:
        cpu, db = time.process_time(), backend_cpu()
        meter.python[meter.label] += cpu - meter._cpu
        meter.database[meter.label] += db - meter._db
        meter._cpu, meter._db = cpu, db

    def measured(label: str, function, *call_args, **call_kwargs):
        charge()
        stack.append(meter.label)
        meter.label = label
        meter.calls[label] += 1
        try:
            return function(*call_args, **call_kwargs)
        finally:
            charge()
            meter.label = stack.pop()

    original_call, original_process = Task.call, processing.process
    shown: dict[str, list[str]] = {}

    def measured_call(task, *call_args, **call_kwargs):
        return measured(task.name, original_call, task, *call_args, **call_kwargs)

    def measured_process(message):
        kind = kinds.get(message.pk, "?")
        before = meter.statements["e-mail processor"]
        trips_before = meter.trips["e-mail processor"]
        if args.sql and kind not in shown:
            meter.show = shown[kind] = []
        try:
            outcome = measured("e-mail processor", original_process, message)
        finally:
            meter.show = None
        meter.outcomes[outcome.outcome] += 1
        meter.by_kind[kind].append(meter.statements["e-mail processor"] - before)
        meter.trips_by_kind[kind].append(meter.trips["e-mail processor"] - trips_before)
        return outcome

    Task.call = measured_call  # type: ignore[method-assign]
    processing.process = measured_process
    worker = Worker(
        queue_names=["default"], interval=0, batch=True, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id="profile", excluded_queue_names=[],
    )  # fmt: skip
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    with connection.execute_wrapper(meter):
        meter.label = "queue"
        meter._cpu, meter._db = time.process_time(), backend_cpu()  # type: ignore[attr-defined]
        wall = time.perf_counter()
        if profiler:
            profiler.enable()
        worker.run()
        if profiler:
            profiler.disable()
        process_wall = time.perf_counter() - wall
        charge()
    Task.call = original_call  # type: ignore[method-assign]
    processing.process = original_process

    done = InboundMessage.objects.filter(status__in=["done", "ignored"]).count()
    tasks = DBTaskResult.objects.count()
    n = args.messages
    print(f"{n} messages, PostgreSQL, one process; {done} processed, {tasks} tasks run")
    print(f"store: {n / store_wall:.0f} msg/s wall; processing: {n / process_wall:.0f} msg/s wall")
    print()
    print(
        "per message                  | statements | round trips | Python CPU ms "
        "| database CPU ms | calls"
    )
    labels = ["store", *sorted(k for k in meter.calls if k != "store"), "queue"]
    print("(each line excludes the lines below it that it calls: a task excludes the processor)")
    for label in labels:
        print(
            f"{label:<28} | {meter.statements[label] / n:>10.1f} | "
            f"{meter.trips[label] / n:>11.1f} | {1000 * meter.python[label] / n:>13.2f} | "
            f"{1000 * meter.database[label] / n:>15.2f}"
            f" | {meter.calls[label] or '':>5}"
        )
    total = [sum(c.values()) for c in (meter.statements, meter.python, meter.database, meter.trips)]
    print(
        f"{'total':<28} | {total[0] / n:>10.1f} | {total[3] / n:>11.1f} | "
        f"{1000 * total[1] / n:>13.2f} | "
        f"{1000 * total[2] / n:>15.2f} |"
    )
    print()
    print("e-mail processor statements (round trips) by message kind (min / mean / max):")
    for kind, counts in sorted(meter.by_kind.items()):
        mean = sum(counts) / len(counts)
        trips = meter.trips_by_kind[kind]
        print(
            f"  {kind:<24} {min(counts):>3} / {mean:>5.1f} / {max(counts):>3}  "
            f"({min(trips)} / {sum(trips) / len(trips):.1f} / {max(trips)})  ({len(counts)})"
        )
    print("outcomes:", dict(meter.outcomes))
    for title, statements in shown.items():
        print(f"\n{title}: {len(statements)} statements")
        for sql in statements:
            print("   ", sql)
    if profiler:
        print()
        if args.profile_out:
            profiler.dump_stats(args.profile_out)
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(args.profile)
        stats.sort_stats("cumulative").print_stats("suivi", args.profile)


if __name__ == "__main__":
    main()
