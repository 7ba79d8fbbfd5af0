"""The promise of the knowledge base: at a publication window every channel switches to
the new version at the same instant, and a retired version is served by none of them.
Each channel is read through its real entry point: the public help page, the advisors'
suggestions on the case page, the API (and the search selector the assistant calls)."""

from datetime import timedelta

import pytest
from django.test import Client

from suivi.channels.chat import assistant
from suivi.core.clock import frozen_at
from suivi.knowledge import selectors, services
from tests.conftest import ApiClient

from .conftest import MONDAY, TUESDAY_WINDOW, live_article


@pytest.fixture
def channels(advisor):
    public = Client()
    desk = Client()
    desk.force_login(advisor.user)
    api = ApiClient(advisor)

    def read(article_id: int) -> dict[str, str | None]:
        """What each channel tells a customer about the article, by its text."""
        page = public.get(f"/help/fr/{article_id}/")
        suggestion = desk.get("/knowledge/suggest/", {"q": "retard livraison", "language": "fr"})
        answer = api.get(f"/api/v1/knowledge/articles/{article_id}")
        hits = selectors.search(query="retard livraison", language="fr")
        said = assistant.reply_to(question="Un retard de livraison ?", language="fr")
        html = page.content.decode() if page.status_code == 200 else ""
        return {
            "help page": next((t for t in TEXTS if t in html), None),
            "advisor suggestion": next(
                (t for t in TEXTS if t in suggestion.content.decode()), None
            ),
            "api": answer.json().get("text") if answer.status_code == 200 else None,
            "assistant search": hits[0].text if hits else None,
            "chat assistant": said.text if said.hit else None,
        }

    return read


TEXTS = (
    "En cas de retard de livraison, comptez 3 jours.",
    "En cas de retard de livraison, comptez 5 jours.",
)


def test_a_window_switches_every_channel_at_the_same_instant(channels, editor):
    with frozen_at(MONDAY) as hand:
        article, _v1 = live_article(editor, title="Retard de livraison", body=TEXTS[0])
        v2 = services.version_draft_create(
            article=article, title="Retard de livraison", body=TEXTS[1], by=editor
        )
        services.version_schedule(version=v2, by=editor)

        hand.advance(TUESDAY_WINDOW - MONDAY - timedelta(seconds=1))
        before = channels(article.pk)
        hand.advance(timedelta(seconds=1))
        at_window = channels(article.pk)  # no sweep has run yet
        services.publications_due()
        after_sweep = channels(article.pk)

    assert set(before.values()) == {TEXTS[0]}, before
    assert set(at_window.values()) == {TEXTS[1]}, at_window
    assert after_sweep == at_window


def test_a_retired_version_is_served_by_no_channel(channels, editor):
    article, v1 = live_article(editor, title="Retard de livraison", body=TEXTS[0])
    assert set(channels(article.pk).values()) == {TEXTS[0]}

    services.version_retire(version=v1, by=editor)

    assert set(channels(article.pk).values()) == {None}
