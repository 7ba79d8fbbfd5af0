"""Knowledge: search latency over many live articles, and the publication sweep.

    .venv/bin/python bench/knowledge_search.py [--articles 5000] [--due 500] [--rounds 200]

Runs against SUIVI_DATABASE_URL (default: a suivi_bench_knowledge PostgreSQL database,
created and migrated when missing). Fills it once with bilingual articles (bulk insert,
then one UPDATE computes every tsvector), then prints p50/p95/max of
`selectors.search` (the call every channel makes) for a mix of French and English
queries, the EXPLAIN ANALYZE of one search, and the time of one sweep that publishes
`--due` scheduled versions.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "suivi.settings")
os.environ.setdefault("SUIVI_SECRET_KEY", "bench-only-not-a-secret")
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/suivi_bench_knowledge"
os.environ.setdefault("SUIVI_DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("SUIVI_LOG_LEVEL", "ERROR")


def _create_database() -> None:
    url = os.environ["SUIVI_DATABASE_URL"]
    if not url.startswith("postgres"):
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


_create_database()

import django  # noqa: E402

django.setup()

from django.contrib.postgres.search import SearchVector  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from suivi.core import clock  # noqa: E402
from suivi.knowledge import selectors, services  # noqa: E402
from suivi.knowledge.models import Article, ArticleVersion  # noqa: E402
from suivi.people.models import Advisor  # noqa: E402
from suivi.people.services import advisor_create  # noqa: E402

WORDS = {
    "fr": [
        "facture",
        "résiliation",
        "livraison",
        "garantie",
        "remboursement",
        "contrat",
        "compteur",
        "déménagement",
        "paiement",
        "échéancier",
        "abonnement",
        "fibre",
        "électricité",
        "gaz",
        "rendez-vous",
        "agence",
        "colis",
        "retour",
        "prélèvement",
        "index",
        "estimation",
        "coupure",
        "panne",
        "box",
        "décodeur",
        "mot",
        "passe",
        "espace",
        "client",
    ],
    "en": [
        "bill",
        "cancellation",
        "delivery",
        "warranty",
        "refund",
        "contract",
        "meter",
        "moving",
        "payment",
        "plan",
        "subscription",
        "fibre",
        "electricity",
        "gas",
        "appointment",
        "shop",
        "parcel",
        "return",
        "debit",
        "reading",
        "estimate",
        "outage",
        "fault",
        "box",
        "password",
        "account",
    ],
}
VOCABULARY = [
    "".join(random.Random(i).choice("bcdfglmnprstvaeiou") for _ in range(7)) for i in range(5000)
]
QUERIES = {
    "fr": ["résilier", "facture estimée", "livraison colis", "remboursement", "déménager",
           "mot de passe", "garantie box", "échéancier paiement"],
    "en": ["cancel", "estimated bill", "parcel delivery", "refunds", "moving home",
           "password", "warranty", "payment plan"],
}  # fmt: skip


def fill(articles: int, rng: random.Random) -> None:
    if Article.objects.count() >= articles:
        return
    editor = Advisor.objects.filter(role="lead").first() or advisor_create(
        username="bench-editor", password=None, display_name="Bench editor", role="lead"
    )
    now = clock.now()
    new = [
        Article(kind="answer", topic=f"t{i:05d}", language=("fr", "en")[i % 2], created_at=now,
                created_by=editor)
        for i in range(articles)
    ]  # fmt: skip
    Article.objects.bulk_create(new, batch_size=1000)
    versions = []
    for article in Article.objects.all():
        # Like a real knowledge base: each article is about a few topic words, in a text
        # of 150 words drawn from a large vocabulary.
        topic = rng.sample(WORDS[article.language], 3)
        title = " ".join(topic).capitalize()
        filler = [rng.choice(VOCABULARY) for _ in range(150)]
        text = " ".join(topic + filler) + "."
        versions.append(
            ArticleVersion(article=article, number=1, title=title, body_html=f"<p>{text}</p>",
                           body_text=text, search_text=text, status="published",
                           publish_at=now, published_at=now, created_at=now, author=editor)
        )  # fmt: skip
    ArticleVersion.objects.bulk_create(versions, batch_size=1000)
    for language, config in services.SEARCH_CONFIGS.items():
        ArticleVersion.objects.filter(article__language=language).update(
            search_vector=SearchVector("title", weight="A", config=config)
            + SearchVector("body_text", weight="B", config=config)
        )
    for table in ("knowledge_article", "knowledge_articleversion"):
        connection.cursor().execute(f"VACUUM ANALYZE {table}")


def bench_search(rounds: int, rng: random.Random) -> None:
    timings = []
    for _ in range(rounds):
        language = rng.choice(("fr", "en", None))
        query = rng.choice(QUERIES[language or rng.choice(("fr", "en"))])
        started = time.perf_counter()
        selectors.search(query=query, language=language, limit=10)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"search ({rounds} calls): p50 {statistics.median(timings):.1f} ms, "
        f"p95 {p95:.1f} ms, max {timings[-1]:.1f} ms"
    )


def bench_sweep(due: int) -> None:
    editor = Advisor.objects.filter(role="lead").first()
    assert editor is not None
    moment = clock.now()
    targets = list(Article.objects.order_by("?").values_list("pk", flat=True)[:due])
    last = {a: n for a, n in ArticleVersion.objects.filter(article_id__in=targets)
            .values_list("article_id", "number").order_by("article_id", "number")}  # fmt: skip
    ArticleVersion.objects.bulk_create(
        [ArticleVersion(article_id=a, number=n + 1, title="Nouveau", body_html="<p>x</p>",
                        body_text="x", status="scheduled", publish_at=moment,
                        created_at=moment, author=editor)
         for a, n in last.items()]
    )  # fmt: skip
    with clock.frozen_at(moment + timedelta(seconds=1)):
        started = time.perf_counter()
        published = services.publications_due()
        elapsed = time.perf_counter() - started
    print(f"sweep: {published} versions published in {elapsed:.2f} s "
          f"({elapsed / max(published, 1) * 1000:.1f} ms each)")  # fmt: skip


def explain() -> None:
    """The plan of the full-text part of a search: the GIN index must serve it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN ANALYZE SELECT id FROM knowledge_articleversion WHERE status IN "
            "('scheduled', 'published') AND search_vector @@ "
            "websearch_to_tsquery('suivi_french'::regconfig, 'facture')"
        )
        print("\n".join(row[0] for row in cursor.fetchall()[:6]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--due", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    rng = random.Random(1)
    started = time.perf_counter()
    fill(args.articles, rng)
    live = selectors.live_versions().count()
    print(f"{Article.objects.count()} articles, {live} live (filled in "
          f"{time.perf_counter() - started:.1f} s)")  # fmt: skip
    bench_search(args.rounds, rng)
    explain()
    bench_sweep(args.due)


if __name__ == "__main__":
    main()
