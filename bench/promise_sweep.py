"""Time of the promise sweep over 1,000,000 open promises on PostgreSQL.

    .venv/bin/python bench/promise_sweep.py [--promises 1000000] [--at-risk 5000]
                                            [--overdue 5000] [--tell 200] [--seed 1]

Runs against SUIVI_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/
suivi_bench_promises, created and migrated if missing). Every run empties the promise
tables and loads them again with COPY: the sweep changes what it reads. Then it times
  1. a sweep with a backlog (promises turning at risk, broken, customers to tell),
  2. the same sweep again (nothing left to do: the idempotent, steady cost),
  3. a sweep one minute later (what one minute of a 30-day horizon brings due),
and prints EXPLAIN ANALYZE of the three claim queries, which must read the partial
indexes only.
"""

import argparse
import os
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "suivi.settings")
os.environ.setdefault("SUIVI_SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault(
    "SUIVI_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/suivi_bench_promises"
)
os.environ.setdefault("SUIVI_LOG_LEVEL", "ERROR")
os.environ.setdefault("SUIVI_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")

import django
import psycopg

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from suivi.core.clock import frozen_at  # noqa: E402
from suivi.customers.models import Customer  # noqa: E402
from suivi.people import services as people  # noqa: E402
from suivi.people.models import Advisor, Team  # noqa: E402
from suivi.promises import sweep as sweep_module  # noqa: E402
from suivi.promises.models import Alert, Promise  # noqa: E402
from suivi.promises.services import promises_sweep  # noqa: E402

# A Wednesday, 10:00 in Paris: inside business hours.
T0 = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)


def ensure_database() -> None:
    db = settings.DATABASES["default"]
    admin = psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname="postgres",
        password=db["PASSWORD"] or None, autocommit=True,
    )  # fmt: skip
    with admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
        if exists.fetchone() is None:
            admin.execute(f'CREATE DATABASE "{db["NAME"]}"')
    call_command("migrate", verbosity=0)


def people_and_customers(customers: int, rng: random.Random) -> tuple[list[int], list[int], int]:
    team = Team.objects.filter(name="Bench").first() or people.team_create(name="Bench")
    advisors = list(Advisor.objects.filter(team=team).values_list("pk", flat=True))
    if not advisors:
        for n in range(50):
            advisors.append(
                people.advisor_create(
                    username=f"bench-promises-{n}", password=f"unused-{rng.random()}",
                    display_name=f"Bench {n}", team=team,
                ).pk
            )  # fmt: skip
        team.lead_id = advisors[0]
        team.save(update_fields=["lead"])
    have = Customer.objects.filter(team=team).count()
    if have < customers:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            columns = (
                "given_name, family_name, address_as, language, preferred_channel, "
                "contact_hours, dedicated_advisor_id, team_id, created_at, given_key, family_key"
            )
            with cursor.copy(f"COPY customers_customer ({columns}) FROM STDIN") as copy:
                for n in range(have, customers):
                    copy.write_row(
                        ("Client", f"Bench{n}", "", rng.choice("fe"), "sms", "",
                         rng.choice(advisors), team.pk, T0 - timedelta(days=400),
                         "client", f"bench{n}")
                    )  # fmt: skip
        print(f"customers: {customers - have:,} loaded in {time.perf_counter() - started:.1f} s")
    ids = list(Customer.objects.filter(team=team).values_list("pk", flat=True))
    return advisors, ids, team.pk


def load_promises(args: argparse.Namespace, rng: random.Random) -> None:
    advisors, customers, team_id = people_and_customers(args.customers, rng)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE promises_alert, promises_promise RESTART IDENTITY CASCADE")
        # System messages of earlier runs, so that the timeline does not grow forever.
        cursor.execute("DELETE FROM conversations_interaction WHERE author_kind = 'system'")
        columns = (
            "customer_id, kind, what, made_by_id, by_policy, team_id, channel, status, "
            "created_at, due_at, at_risk_from, tell_customer_from, cancel_reason"
        )
        kinds = ["personal", "callback", "first_answer", "resolution"]
        specials = [("at_risk", args.at_risk), ("tell", args.tell), ("overdue", args.overdue)]
        future = args.promises - sum(count for _name, count in specials)
        with cursor.copy(f"COPY promises_promise ({columns}) FROM STDIN") as copy:

            def row(due: datetime, at_risk_from: datetime, tell_from: datetime) -> None:
                copy.write_row(
                    (rng.choice(customers), rng.choice(kinds), "Rappel", rng.choice(advisors),
                     False, team_id, "", "open", T0 - timedelta(days=1), due, at_risk_from,
                     tell_from, "")
                )  # fmt: skip

            for _ in range(future):  # due over the next 30 days, not at risk yet
                due = T0 + timedelta(seconds=rng.randint(3601, 30 * 86400))
                row(due, due - timedelta(hours=1), due - timedelta(minutes=30))
            for _ in range(args.at_risk):  # due in 40-59 min: at risk, not yet to tell
                due = T0 + timedelta(minutes=rng.randint(40, 59))
                row(due, due - timedelta(hours=1), due - timedelta(minutes=30))
            for _ in range(args.tell):  # due in 10-29 min: at risk and to tell
                due = T0 + timedelta(minutes=rng.randint(10, 29))
                row(due, due - timedelta(hours=1), due - timedelta(minutes=30))
            for _ in range(args.overdue):  # overdue and already told: to break
                due = T0 - timedelta(minutes=rng.randint(1, 600))
                row(due, T0 + timedelta(days=365), T0 + timedelta(days=365))
        cursor.execute("ANALYZE promises_promise")
    print(f"promises: {args.promises:,} open loaded in {time.perf_counter() - started:.1f} s")


PHASES = ("_flag_at_risk", "_tell_customers", "_break_overdue")
phase_seconds: dict[str, float] = {}


def _timed(name: str, phase: Callable[[datetime], Any]) -> Callable[[datetime], Any]:
    def run(moment: datetime) -> Any:
        started = time.perf_counter()
        try:
            return phase(moment)
        finally:
            phase_seconds[name] = time.perf_counter() - started

    return run


for _name in PHASES:
    setattr(sweep_module, _name, _timed(_name, getattr(sweep_module, _name)))


def timed_sweep(label: str, moment: datetime) -> None:
    with frozen_at(moment):
        started = time.perf_counter()
        result = promises_sweep(now=moment)
        elapsed = time.perf_counter() - started
    phases = "  ".join(f"{name.strip('_')} {phase_seconds[name]:.3f} s" for name in PHASES)
    print(
        f"{label:<40} {elapsed:7.3f} s   at risk {result.at_risk:>6,}  "
        f"told {result.customers_told:>4,}  broken {result.broken:>6,}  alerts {result.alerts:>6,}"
        f"\n{'':<40} ({phases})"
    )


def explain(moment: datetime) -> None:
    running = Promise.objects.filter(status="open", paused_at__isnull=True)
    claims = {
        "at risk": running.filter(
            at_risk_at__isnull=True, at_risk_from__lte=moment, due_at__gt=moment
        ).order_by("at_risk_from", "pk"),
        "tell": running.filter(
            customer_told_at__isnull=True, tell_customer_from__lte=moment
        ).order_by("tell_customer_from", "pk"),
        "overdue": running.filter(due_at__lte=moment).order_by("due_at", "pk"),
    }
    for name, queryset in claims.items():
        sql, params = queryset.values("pk")[: sweep_module.BATCH].query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql} FOR UPDATE SKIP LOCKED", params)
            plan = [line for (line,) in cursor.fetchall()]
        print(f"\n-- claim: {name}")
        print("\n".join(plan))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--promises", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--at-risk", type=int, default=5_000)
    parser.add_argument("--tell", type=int, default=200)
    parser.add_argument("--overdue", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    ensure_database()
    load_promises(args, rng)
    print(f"open promises: {Promise.objects.filter(status='open').count():,}\n")
    timed_sweep("1. sweep with a backlog", T0)
    timed_sweep("2. same sweep again (nothing to do)", T0)
    explain(T0 + timedelta(minutes=1))
    print()
    timed_sweep("3. one minute later", T0 + timedelta(minutes=1))
    print(f"\nalerts: {Alert.objects.count():,}")


if __name__ == "__main__":
    main()
