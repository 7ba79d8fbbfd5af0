"""Fill a PostgreSQL database with a large Suivi dataset, fast.

    .venv/bin/python bench/generate.py [--customers 100000] [--interactions 2000000]
        [--heavy 20] [--heavy-size 5000] [--advisors 200] [--seed 1] [--reset]

Targets SUIVI_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/suivi_bench),
creates the database if missing and migrates it. Advisors and teams go through the
services; customers, identities, cases, interactions and handoffs are streamed with
COPY in chunks, with the secondary indexes dropped during the load and rebuilt after
(faster than maintaining them row by row) and foreign-key triggers off for the
session (we write ids we know exist). Derived columns are set as the services would:
name keys, the customer's team, first answers, each case's awaiting_reply_since and
last_interaction_at.
"""

import argparse
import io
import os
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "suivi.settings")
os.environ.setdefault("SUIVI_SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("SUIVI_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/suivi_bench")

STARTED = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:7.1f} s] {message}", flush=True)


def ensure_database(url: str) -> None:
    """Create the target database when it does not exist yet."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    name = config["NAME"]
    params = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            log(f"created database {name}")


ensure_database(os.environ["SUIVI_DATABASE_URL"])

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402

from suivi.conversations.models import Case, Handoff, Interaction  # noqa: E402
from suivi.core.text import search_key  # noqa: E402
from suivi.customers.models import Customer, Identity, PossibleDuplicate  # noqa: E402
from suivi.demo import texts  # noqa: E402
from suivi.people import services as people  # noqa: E402
from suivi.people.models import Advisor, Team  # noqa: E402

NOW = datetime.now(UTC).replace(microsecond=0)
CHANNELS_IN = ["email"] * 30 + ["phone"] * 28 + ["chat"] * 10 + ["visit"] * 8 + \
    ["web_form"] * 8 + ["sms"] * 8 + ["letter"] * 6 + ["whatsapp"] * 2  # fmt: skip
CHANNELS_OUT = ["email"] * 50 + ["phone"] * 30 + ["sms"] * 12 + ["chat"] * 8
LIVE = {"phone", "visit"}


def copy_text(value: Any) -> str:
    """One field in COPY's text format."""
    if value is None:
        return r"\N"
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    if any(ch in text for ch in "\\\t\n\r"):
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        text = text.replace("\r", "\\r")
    return text


class Copier:
    """Rows buffered in COPY text format, flushed into one table with COPY FROM STDIN."""

    def __init__(self, model: type[models.Model], fields: list[str]) -> None:
        meta = model._meta
        columns = ", ".join(f'"{meta.get_field(name).column}"' for name in fields)
        self.statement = f'COPY "{meta.db_table}" ({columns}) FROM STDIN'
        self.buffer = io.StringIO()
        self.rows = 0

    def add(self, *values: Any) -> None:
        self.buffer.write("\t".join(map(copy_text, values)))
        self.buffer.write("\n")
        self.rows += 1

    def flush(self) -> None:
        data = self.buffer.getvalue()
        if data:
            with connection.cursor() as cursor, cursor.copy(self.statement) as copy:
                copy.write(data.encode())
        self.buffer = io.StringIO()


@contextmanager
def secondary_indexes_dropped(tables: list[str]) -> Iterator[None]:
    """Drop every index that backs no constraint, then rebuild them all from their
    saved definitions: one sort per index instead of two million insertions."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
            """,
            [tables],
        )
        definitions = cursor.fetchall()
        for name, _definition in definitions:
            cursor.execute(f'DROP INDEX "{name}"')
    log(f"dropped {len(definitions)} secondary indexes")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for name, definition in definitions:
            started = time.perf_counter()
            cursor.execute(definition)
            log(f"  rebuilt {name} in {time.perf_counter() - started:.1f} s")


def texts_pool() -> dict[str, list[tuple[str, str, str, str, str, str, str]]]:
    """Every demo topic, written out once with fixed values: realistic lengths."""
    values = {
        "greeting": "Mme Durand", "advisor": "Léa", "amount": "84,20 €", "date": "12 mars",
        "city": "Lyon", "device": "Pixel 8", "offer": "Zen Fixe",
    }  # fmt: skip
    pool: dict[str, list[tuple[str, str, str, str, str, str, str]]] = {}
    for language, topics in (("fr", texts.FR_TOPICS), ("en", texts.EN_TOPICS)):
        pool[language] = [
            (topic.key, topic.subject.format(**values), topic.opening.format(**values),
             topic.reply.format(**values), topic.follow_up.format(**values),
             topic.closing.format(**values), topic.summary.format(**values))
            for topic in topics
        ]  # fmt: skip
    return pool


def create_people(advisor_count: int) -> list[Advisor]:
    teams = [people.team_create(name=f"Bench team {n:02d}") for n in range(1, 11)]
    advisors = []
    for n in range(advisor_count):
        team = teams[n % len(teams)]
        advisors.append(
            people.advisor_create(
                username=f"bench{n:04d}",
                password=None,
                display_name=f"Bench Advisor {n:04d}",
                team=team,
                role=Advisor.Role.LEAD if n < len(teams) else Advisor.Role.ADVISOR,
                languages=("fr", "en"),
            )
        )
    for n, advisor in enumerate(advisors):
        same_team = [a for a in advisors if a.team_id == advisor.team_id and a.pk != advisor.pk]
        people.advisor_set_backup(advisor=advisor, backup=same_team[n % len(same_team)])
    return advisors


def interaction_counts(rng: random.Random, args: argparse.Namespace) -> list[int]:
    """How many interactions each customer has: a few very heavy, the rest skewed."""
    heavy = [args.heavy_size + rng.randint(0, args.heavy_size // 5) for _ in range(args.heavy)]
    rest = args.customers - args.heavy
    budget = max(args.interactions - sum(heavy), rest)
    # Exponential weights: most customers have a handful, some a few hundred.
    weights = [rng.expovariate(1.0) ** 1.6 for _ in range(rest)]
    scale = (budget - rest) / sum(weights)
    counts = [1 + int(w * scale) for w in weights]
    # Rounding down lost less than one per customer: hand it back, one each.
    for index in rng.sample(range(rest), budget - sum(counts)):
        counts[index] += 1
    # Heavy customers are spread among the ids, not the first ones.
    result = counts
    for n, count in enumerate(heavy):
        result.insert((n * 7919) % len(result), count)
    return result


def generate(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    pool = texts_pool()
    advisors = create_people(args.advisors)
    log(f"{len(advisors)} advisors in 10 teams created through the services")
    by_team = {a.pk: a.team_id for a in advisors}
    from faker import Faker

    fakers = {"fr": Faker("fr_FR"), "en": Faker("en_GB")}
    names = {}
    for language, faker in fakers.items():
        faker.seed_instance(args.seed)
        names[language] = (
            [faker.first_name() for _ in range(600)],
            [faker.last_name() for _ in range(1500)],
        )
    counts = interaction_counts(rng, args)
    log(f"planned {sum(counts):,} interactions; heaviest customer has {max(counts):,}")

    customers = Copier(Customer, ["id", "given_name", "family_name", "address_as", "language",
                                  "preferred_channel", "contact_hours", "dedicated_advisor",
                                  "team", "created_at", "given_key", "family_key"])  # fmt: skip
    identities = Copier(Identity, ["id", "customer", "kind", "value", "loose_value",
                                   "created_at"])  # fmt: skip
    cases = Copier(Case, ["id", "customer", "subject", "topic", "status", "owner", "summary",
                          "opened_at", "resolved_at", "updated_at", "awaiting_reply_since",
                          "last_interaction_at"])  # fmt: skip
    interactions = Copier(Interaction, ["id", "customer", "case", "channel", "direction",
                                        "author_kind", "author_advisor", "text", "html",
                                        "occurred_at", "metadata", "first_answered_at",
                                        "created_at"])  # fmt: skip
    handoffs = Copier(Handoff, ["id", "case", "from_advisor", "to_advisor", "by", "context_note",
                                "created_at", "seen_at"])  # fmt: skip
    copiers = [customers, identities, cases, interactions, handoffs]
    ids = {"identity": 0, "case": 0, "interaction": 0, "handoff": 0}
    backups = {a.pk: a.backup_id for a in advisors}

    with transaction.atomic():
        with connection.cursor() as cursor:
            # We write ids we know exist; skipping the FK triggers halves the load time.
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("SET LOCAL synchronous_commit = off")
        tables = [m._meta.db_table for m in (Customer, Identity, Case, Interaction, Handoff)]
        with secondary_indexes_dropped(tables):
            for customer_id, count in enumerate(counts, start=1):
                language = "fr" if rng.random() < 0.8 else "en"
                given_pool, family_pool = names[language]
                given, family = rng.choice(given_pool), rng.choice(family_pool)
                advisor = rng.choice(advisors)
                created = NOW - timedelta(days=rng.uniform(200, 1500))
                customers.add(
                    customer_id, given, family, f"{given}" if rng.random() < 0.3 else "",
                    language, rng.choice(("email", "phone", "visit", "")), "", advisor.pk,
                    by_team[advisor.pk], created, search_key(given)[:120],
                    search_key(family)[:120],
                )  # fmt: skip
                slug = "".join(ch for ch in search_key(given + family) if ch.isalnum())
                email = f"{slug}.{customer_id}@example.org"
                phone_national = f"6{10000000 + customer_id:08d}"  # a valid French mobile
                for kind, value, loose in (
                    ("email", email, email),
                    ("phone", "+33" + phone_national, phone_national),
                    ("customer_number", f"B{customer_id:08d}", f"B{customer_id:08d}"),
                ):
                    ids["identity"] += 1
                    identities.add(ids["identity"], customer_id, kind, value, loose, created)
                write_history(rng, pool[language], customer_id, advisor.pk, backups, created,
                              count, ids, cases, interactions, handoffs)  # fmt: skip
                if customer_id % 5000 == 0:
                    for copier in copiers:
                        copier.flush()
                    log(f"  {customer_id:,} customers, {ids['interaction']:,} interactions")
            for copier in copiers:
                copier.flush()
            log(f"copied {ids['interaction']:,} interactions in {ids['case']:,} cases")
        with connection.cursor() as cursor:
            for model in (Customer, Identity, Case, Interaction, Handoff):
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'COALESCE((SELECT MAX(id) FROM "{table}"), 1))'
                )
    log("committed; analysing")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log("done")


def write_history(
    rng: random.Random,
    topics: list[tuple[str, str, str, str, str, str, str]],
    customer_id: int,
    advisor_id: int,
    backups: dict[int, int | None],
    created: datetime,
    count: int,
    ids: dict[str, int],
    cases: Copier,
    interactions: Copier,
    handoffs: Copier,
) -> None:
    """Cases of about six interactions each, spread from `created` to now; the last
    case of some customers still waits for an answer."""
    per_case = 6
    case_count = max(1, round(count / per_case))
    span = (NOW - created).total_seconds()
    awaiting = rng.random() < 0.05
    remaining = count
    for number in range(case_count):
        size = remaining if number == case_count - 1 else min(per_case, remaining - 1)
        if size <= 0:
            break
        remaining -= size
        last_case = number == case_count - 1
        ids["case"] += 1
        case_id = ids["case"]
        topic = rng.choice(topics)
        opened = created + timedelta(seconds=span * (number + rng.random() * 0.5) / case_count)
        moment = opened
        rows: list[list[Any]] = []
        pending: list[list[Any]] = []
        last = opened
        owner = advisor_id
        for step in range(size):
            ids["interaction"] += 1
            final = step == size - 1
            waits = awaiting and last_case
            # Settled cases end with the advisor's answer, the awaiting one with the customer.
            if (step % 2 == 0 and not final) or (final and (waits or size == 1)):
                # A one-contact settled case was a call or a visit, answered on the spot.
                channel = rng.choice(("phone", "visit") if final and not waits else CHANNELS_IN)
                text = topic[2] if step == 0 else topic[4]
                # Calls and visits are answered when someone picks up or greets them.
                answered = moment + timedelta(minutes=rng.uniform(1, 15)) if channel in LIVE \
                    else None  # fmt: skip
                row = [ids["interaction"], customer_id, case_id, channel, "in", "customer",
                       None, text, "", moment, "{}", answered, moment]  # fmt: skip
                if answered is None:
                    pending.append(row)
            else:
                channel = rng.choice(CHANNELS_OUT)
                text = topic[3] if step == 1 else topic[5]
                row = [ids["interaction"], customer_id, case_id, channel, "out", "advisor",
                       owner, text, "", moment, "{}", None, moment]  # fmt: skip
                # As interaction_record does: an answer answers everything before it.
                for waiting in pending:
                    waiting[11] = moment
                pending = []
            rows.append(row)
            last = moment
            if awaiting and last_case:
                moment = min(moment + timedelta(hours=rng.uniform(0.5, 30)), NOW)
            else:
                moment = min(moment + timedelta(hours=rng.uniform(0.2, 48)), NOW)
        for row in rows:
            interactions.add(*row)
        still_waiting = awaiting and last_case and bool(pending)
        status = "open" if still_waiting else "resolved"
        resolved = None if still_waiting else last + timedelta(minutes=30)
        if rng.random() < 0.03 and backups.get(owner):
            ids["handoff"] += 1
            to = backups[owner]
            handoffs.add(ids["handoff"], case_id, owner, to, owner,
                         "Reprise pendant mon absence : tout est dans le résumé.", opened,
                         None if still_waiting else last)  # fmt: skip
            owner = to  # type: ignore[assignment]
        cases.add(case_id, customer_id, topic[1], topic[0], status, owner, topic[6], opened,
                  resolved, max(last, resolved or last), pending[0][9] if still_waiting else None,
                  last)  # fmt: skip


def reset() -> None:
    tables = [m._meta.db_table for m in (Handoff, Interaction, Case, PossibleDuplicate,
                                          Identity, Customer)]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    Advisor.objects.filter(user__username__startswith="bench").delete()
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(username__startswith="bench").delete()
    Team.objects.filter(name__startswith="Bench team").delete()
    log("emptied the bench tables")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=2_000_000)
    parser.add_argument("--heavy", type=int, default=20, help="customers with a huge history")
    parser.add_argument("--heavy-size", type=int, default=5000)
    parser.add_argument("--advisors", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reset", action="store_true", help="empty the tables first")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("bench/generate.py needs PostgreSQL (COPY).")
    log(f"database {connection.settings_dict['NAME']}: migrating")
    call_command("migrate", interactive=False, verbosity=0)
    if args.reset:
        reset()
    elif Customer.objects.exists():
        raise SystemExit("The bench database already has customers; pass --reset.")
    generate(args)
    log(
        f"total {time.perf_counter() - STARTED:.0f} s: {Customer.objects.count():,} customers, "
        f"{Interaction.objects.count():,} interactions, {Case.objects.count():,} cases"
    )


if __name__ == "__main__":
    main()
