"""Server time of the customer file and the inbox on a large dataset.

    .venv/bin/python bench/customer_file.py [--customers 300] [--inbox 200] [--seed 1]

Runs against SUIVI_DATABASE_URL (default the suivi_bench database that
bench/generate.py fills). Requests go through Django's test Client: the real URL
routing, middleware, authentication, views and serialisation, in process, without a
socket. Prints p50/p95/p99/max per endpoint and the SQL queries per request, then
EXPLAIN ANALYZE of the queries behind the customer file of the heaviest customer.
"""

import argparse
import os
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "suivi.settings")
os.environ.setdefault("SUIVI_SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("SUIVI_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/suivi_bench")
# The test Client calls itself "testserver".
os.environ.setdefault("SUIVI_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("SUIVI_LOG_LEVEL", "ERROR")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from suivi.conversations.models import Case, Interaction  # noqa: E402
from suivi.customers.models import Customer  # noqa: E402
from suivi.people.models import Advisor, ApiToken  # noqa: E402
from suivi.people.services import api_token_create  # noqa: E402

TOKEN_NAME = "bench"  # noqa: S105 - a label, not a secret


class Endpoint:
    def __init__(self, name: str) -> None:
        self.name = name
        self.times: list[float] = []
        self.queries: list[int] = []
        self.statuses: dict[int, int] = {}

    def call(self, get: Callable[..., Any], *args: Any, count_queries: bool, **kwargs: Any) -> Any:
        """Time one request; count its queries on a separate pass so that capturing
        them does not weigh on the timing."""
        started = time.perf_counter()
        response = get(*args, **kwargs)
        self.times.append((time.perf_counter() - started) * 1000)
        status = response.status_code
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if count_queries:
            with CaptureQueriesContext(connection) as captured:
                get(*args, **kwargs)
            self.queries.append(len(captured.captured_queries))
        return response

    def row(self) -> str:
        times = sorted(self.times)

        def pct(p: float) -> float:
            return times[min(len(times) - 1, round(p / 100 * (len(times) - 1)))]

        queries = (
            f"{min(self.queries)}-{max(self.queries)}"
            if self.queries and min(self.queries) != max(self.queries)
            else str(self.queries[0] if self.queries else "-")
        )
        statuses = ",".join(f"{k}×{v}" for k, v in sorted(self.statuses.items()))
        return (
            f"| {self.name:<38} | {len(times):>5} | {pct(50):>7.1f} | {pct(95):>7.1f} | "
            f"{pct(99):>7.1f} | {times[-1]:>7.1f} | {statistics.mean(times):>7.1f} | "
            f"{queries:>7} | {statuses} |"
        )


def _outer_table(sql: str) -> str:
    """The table of the outermost FROM, skipping those of subqueries."""
    depth = 0
    for position, char in enumerate(sql):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and sql.startswith(" FROM ", position):
            found = re.match(r' FROM "(\w+)"', sql[position:])
            return found.group(1) if found else "?"
    return "?"


def explain_request(title: str, get: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """EXPLAIN ANALYZE every SELECT a real request runs, as it ran: the plans follow
    the selectors whenever they change."""
    with CaptureQueriesContext(connection) as captured:
        get(*args, **kwargs)
    print(f"\n### {title}: {len(captured.captured_queries)} queries")
    for number, query in enumerate(captured.captured_queries, start=1):
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            lines = [row[0] for row in cursor.fetchall()]
        table = _outer_table(sql)
        timing = next((line for line in lines if line.startswith("Execution Time")), "")
        print(f"\n{number}. {table} ({timing})")
        for line in lines if os.environ.get("BENCH_FULL_PLANS") else []:
            print(f"        {line}")
        for line in [] if os.environ.get("BENCH_FULL_PLANS") else lines:
            if "Scan" in line or "Sort" in line.split("(")[0]:
                print(f"    {line.strip()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--inbox", type=int, default=200)
    parser.add_argument("--heavy", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    heavy_ids = list(
        Interaction.objects.values_list("customer_id", flat=True)
        .annotate(n=Count("id"))
        .order_by("-n")[: args.heavy]
        .values_list("customer_id", flat=True)
    )
    heavy_counts = dict(
        Interaction.objects.filter(customer_id__in=heavy_ids)
        .values_list("customer_id")
        .annotate(n=Count("id"))
        .values_list("customer_id", "n")
    )
    max_id = Customer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    sample = rng.sample(range(1, max_id + 1), min(args.customers, max_id))
    owners = dict(
        Customer.objects.filter(pk__in=sample + heavy_ids).values_list("pk", "dedicated_advisor")
    )
    advisors = {a.pk: a for a in Advisor.objects.select_related("user")}
    tokens: dict[int, str] = {}

    def token(advisor_id: int) -> dict[str, str]:
        if advisor_id not in tokens:
            _token, clear = api_token_create(user_id=advisors[advisor_id].user_id, name=TOKEN_NAME)
            tokens[advisor_id] = clear
        return {"Authorization": f"Bearer {tokens[advisor_id]}"}

    api = Client()
    sessions: dict[int, Client] = {}

    def session(advisor_id: int) -> Client:
        if advisor_id not in sessions:
            sessions[advisor_id] = Client()
            sessions[advisor_id].force_login(advisors[advisor_id].user)
        return sessions[advisor_id]

    some_owner = owners[heavy_ids[0]]
    web_available = session(some_owner).get(f"/customers/{heavy_ids[0]}/").status_code != 404
    home_available = session(some_owner).get("/").status_code == 200
    # Warm up: connections, URL resolvers, template loaders, pydantic schemas.
    for customer_id in sample[:20]:
        api.get(f"/api/v1/customers/{customer_id}/file", headers=token(owners[customer_id]))
        if web_available:
            session(owners[customer_id]).get(f"/customers/{customer_id}/")

    file_random = Endpoint("API file, random customers")
    file_heavy = Endpoint("API file, heavy customers (5,000+)")
    file_heavy_p2 = Endpoint("API file page 2 (cursor), heavy")
    inbox = Endpoint("API inbox (advisors/me/inbox)")
    web_random = Endpoint("web /customers/{id}/, random")
    web_heavy = Endpoint("web /customers/{id}/, heavy")
    web_home = Endpoint("web / (desk with inbox)")

    for n, customer_id in enumerate(sample):
        headers = token(owners[customer_id])
        url = f"/api/v1/customers/{customer_id}/file"
        file_random.call(api.get, url, headers=headers, count_queries=n < 30)
    for _round in range(3):
        for n, customer_id in enumerate(heavy_ids):
            headers = token(owners[customer_id])
            url = f"/api/v1/customers/{customer_id}/file"
            response = file_heavy.call(api.get, url, headers=headers, count_queries=n < 5)
            cursor = response.json()["timeline"]["next_cursor"]
            file_heavy_p2.call(
                api.get, url, {"cursor": cursor}, headers=headers, count_queries=n < 5
            )
    advisor_ids = list(advisors)
    for n in range(args.inbox):
        headers = token(rng.choice(advisor_ids))
        inbox.call(api.get, "/api/v1/advisors/me/inbox", headers=headers, count_queries=n < 30)
    endpoints = [file_random, file_heavy, file_heavy_p2, inbox]
    if web_available:
        for n, customer_id in enumerate(sample):
            client, url = session(owners[customer_id]), f"/customers/{customer_id}/"
            web_random.call(client.get, url, count_queries=n < 30)
        for _round in range(3):
            for n, customer_id in enumerate(heavy_ids):
                client, url = session(owners[customer_id]), f"/customers/{customer_id}/"
                web_heavy.call(client.get, url, count_queries=n < 5)
        endpoints += [web_random, web_heavy]
    else:
        print("(web customer page not available: skipped)")
    if home_available:
        for n in range(min(args.inbox, 100)):
            client = session(rng.choice(advisor_ids))
            web_home.call(client.get, "/", count_queries=n < 20)
        endpoints.append(web_home)

    print(
        f"\nDataset: {Customer.objects.count():,} customers, "
        f"{Interaction.objects.count():,} interactions, {Case.objects.count():,} cases; "
        f"heavy customers: {min(heavy_counts.values()):,}-{max(heavy_counts.values()):,} "
        f"interactions each.\n"
    )
    print("| endpoint | n | p50 ms | p95 ms | p99 ms | max ms | mean ms | queries | statuses |")
    print("|---|---|---|---|---|---|---|---|---|")
    for endpoint in endpoints:
        print(endpoint.row())

    heaviest = max(heavy_counts, key=lambda pk: heavy_counts[pk])
    advisor = advisors[owners[heaviest]]
    print(f"\nEXPLAIN ANALYZE, heaviest customer #{heaviest} ({heavy_counts[heaviest]:,} "
          f"interactions), as their advisor #{advisor.pk}")  # fmt: skip
    headers = token(advisor.pk)
    url = f"/api/v1/customers/{heaviest}/file"
    explain_request("API customer file, first page", api.get, url, headers=headers)
    cursor = api.get(url, headers=headers).json()["timeline"]["next_cursor"]
    explain_request("API customer file, page 2", api.get, url, {"cursor": cursor}, headers=headers)
    busiest = (
        Case.objects.filter(awaiting_reply_since__isnull=False)
        .values_list("owner")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("owner", flat=True)
        .first()
    )
    if busiest is not None:
        explain_request(
            f"API inbox of the busiest advisor #{busiest}",
            api.get,
            "/api/v1/advisors/me/inbox",
            headers=token(busiest),
        )
    ApiToken.objects.filter(name=TOKEN_NAME).delete()


if __name__ == "__main__":
    main()
