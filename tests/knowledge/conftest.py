from datetime import UTC, datetime

import pytest

from suivi.knowledge import services
from suivi.knowledge.models import Article, ArticleVersion
from suivi.people.models import Advisor
from tests import builders

# A Monday; with the default window ("tue 10:00", Europe/Paris) the next publication is
# Tuesday 3 March 2026 at 09:00 UTC.
MONDAY = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
TUESDAY_WINDOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def editor(team) -> Advisor:
    return builders.advisor(team=team, role=Advisor.Role.LEAD, name="Nadia Lefèvre")


def live_article(
    editor: Advisor,
    *,
    title: str = "Retourner un produit",
    body: str = "Vous avez 30 jours pour retourner un produit.",
    language: str = "fr",
    kind: str = Article.Kind.ANSWER,
    topic: str = "retours",
    translation_of: Article | None = None,
) -> tuple[Article, ArticleVersion]:
    """An article whose first version is live (published urgently, for setup)."""
    article = services.article_create(
        kind=kind, language=language, title=title, body=body, by=editor, topic=topic,
        translation_of=translation_of,
    )  # fmt: skip
    version = services.version_publish_urgently(
        version=article.versions.get(), by=editor, reason="initial content"
    )
    return article, version
