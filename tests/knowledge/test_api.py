"""/api/v1/knowledge: live reads for every integrator, writes for editors only."""

from datetime import datetime, timedelta

import pytest

from suivi.core.clock import frozen_at
from suivi.knowledge.models import ArticleVersion
from tests.conftest import ApiClient

from .conftest import MONDAY, TUESDAY_WINDOW, live_article


@pytest.fixture
def editor_api(editor) -> ApiClient:
    return ApiClient(editor)


def test_an_editor_writes_schedules_and_the_window_publishes(editor_api, api):
    with frozen_at(MONDAY) as hand:
        # given an editor creates an article and schedules its draft
        created = editor_api.post(
            "/api/v1/knowledge/articles",
            {"kind": "answer", "language": "fr", "topic": "livraison",
             "title": "Délais de livraison", "body": "Trois jours ouvrés."},
        )  # fmt: skip
        assert created.status_code == 201, created.content
        article = created.json()
        (draft,) = article["versions"]
        assert draft["status"] == "draft"
        scheduled = editor_api.post(f"/api/v1/knowledge/versions/{draft['id']}/schedule")
        assert scheduled.json()["status"] == "scheduled"
        publish_at = datetime.fromisoformat(scheduled.json()["publish_at"])
        assert publish_at == TUESDAY_WINDOW
        # then nobody reads it before the window
        response = api.get(f"/api/v1/knowledge/articles/{article['id']}")
        assert (response.status_code, response.json()["code"]) == (404, "article_not_published")
        # and everybody reads it at the window
        hand.advance(TUESDAY_WINDOW - MONDAY)
        live = api.get(f"/api/v1/knowledge/articles/{article['id']}").json()
        hits = api.get("/api/v1/knowledge/search", q="livraison", language="fr").json()

    assert live["version_id"] == draft["id"]
    assert live["text"] == "Trois jours ouvrés."
    assert live["url"] == f"/help/fr/{article['id']}/"
    assert [h["version_id"] for h in hits] == [draft["id"]]
    assert set(hits[0]) == {
        "article_id", "version_id", "number", "language", "kind", "topic", "title", "excerpt",
        "url", "rank",
    }  # fmt: skip


def test_urgent_publication_needs_a_reason_then_is_live_at_once(editor_api, editor):
    article, _v1 = live_article(editor)
    draft = editor_api.post(
        f"/api/v1/knowledge/articles/{article.pk}/drafts", {"title": "Retours", "body": "60 jours."}
    ).json()

    refused = editor_api.post(f"/api/v1/knowledge/versions/{draft['id']}/publish", {"reason": " "})
    published = editor_api.post(
        f"/api/v1/knowledge/versions/{draft['id']}/publish", {"reason": "Nouvelle loi"}
    )

    assert (refused.status_code, refused.json()["code"]) == (422, "urgent_reason_required")
    assert published.status_code == 200
    assert published.json()["urgent_reason"] == "Nouvelle loi"
    assert editor_api.get(f"/api/v1/knowledge/articles/{article.pk}").json()["text"] == "60 jours."


def test_retired_is_never_served_and_editors_see_the_history(editor_api, editor, api):
    article, v1 = live_article(editor)

    retired = editor_api.post(f"/api/v1/knowledge/versions/{v1.pk}/retire")
    again = editor_api.post(f"/api/v1/knowledge/versions/{v1.pk}/retire")
    history = editor_api.get(f"/api/v1/knowledge/articles/{article.pk}/versions").json()

    assert retired.json()["status"] == "retired"
    assert again.json()["code"] == "version_already_retired"
    assert api.get(f"/api/v1/knowledge/articles/{article.pk}").status_code == 404
    assert api.get("/api/v1/knowledge/search", q="retourner").json() == []
    assert [v["status"] for v in history["versions"]] == ["retired"]


def test_only_editors_write(api, editor):
    article, v1 = live_article(editor)
    calls = [
        ("post", "/api/v1/knowledge/articles",
         {"kind": "answer", "language": "fr", "title": "T", "body": "B"}),
        ("post", f"/api/v1/knowledge/articles/{article.pk}/drafts", {"title": "T", "body": "B"}),
        ("get", f"/api/v1/knowledge/articles/{article.pk}/versions", None),
        ("patch", f"/api/v1/knowledge/versions/{v1.pk}", {"title": "T", "body": "B"}),
        ("post", f"/api/v1/knowledge/versions/{v1.pk}/retire", None),
        ("post", f"/api/v1/knowledge/versions/{v1.pk}/publish", {"reason": "x"}),
        ("post", f"/api/v1/knowledge/versions/{v1.pk}/schedule", None),
        ("post", "/api/v1/knowledge/versions/999999/schedule", None),
    ]  # fmt: skip
    for method, path, data in calls:
        response = api.get(path) if method == "get" else getattr(api, method)(path, data)
        assert (response.status_code, response.json()["code"]) == (403, "not_a_knowledge_editor")
    assert ArticleVersion.objects.get(pk=v1.pk).status == "published"


def test_translations_are_linked_and_read_in_the_asked_language(editor_api, editor, api):
    fr, _ = live_article(editor, title="Garantie", body="Deux ans.")
    en = editor_api.post(
        "/api/v1/knowledge/articles",
        {"language": "en", "title": "Warranty", "body": "Two years.", "translation_of": fr.pk},
    ).json()
    duplicate = editor_api.post(
        "/api/v1/knowledge/articles",
        {"language": "en", "title": "Warranty 2", "body": "Two.", "translation_of": fr.pk},
    )
    # the English draft is not live: French is served, even when English is asked
    assert api.get(f"/api/v1/knowledge/articles/{fr.pk}", language="en").json()["language"] == "fr"
    en_draft = en["versions"][0]["id"]
    editor_api.post(f"/api/v1/knowledge/versions/{en_draft}/publish", {"reason": "new"})
    english = api.get(f"/api/v1/knowledge/articles/{fr.pk}", language="en").json()

    assert en["translation_group"] == str(fr.translation_group)
    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "translation_exists")
    assert (english["article_id"], english["title"]) == (en["id"], "Warranty")


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"q": "x" * 201}, "invalid_input"),
        ({"q": "x", "language": "de"}, "invalid_input"),
        ({"q": "x", "limit": 0}, "invalid_input"),
        ({"q": "x", "kind": "poem"}, "invalid_input"),
    ],
)
def test_bad_search_queries_are_422(api, params, code):
    response = api.get("/api/v1/knowledge/search", **params)

    assert (response.status_code, response.json()["code"]) == (422, code)


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"language": "fr", "title": "", "body": "B"}, 422, "empty_article"),
        ({"language": "fr", "title": "T", "body": "<script></script>"}, 422, "empty_article"),
        ({"language": "de", "title": "T", "body": "B"}, 422, "invalid_input"),
        ({"language": "fr", "title": "T", "body": "B", "translation_of": 999999}, 404, "not_found"),
        ({"language": "fr", "title": "T"}, 422, "invalid_input"),
    ],
)
def test_bad_articles_are_refused_with_a_code(editor_api, payload, status, code):
    response = editor_api.post("/api/v1/knowledge/articles", payload)

    assert (response.status_code, response.json()["code"]) == (status, code)


def test_a_live_version_cannot_be_edited_or_unscheduled(editor_api, editor):
    with frozen_at(MONDAY) as hand:
        _article, v1 = live_article(editor)
        patch = editor_api.patch(f"/api/v1/knowledge/versions/{v1.pk}", {"title": "T", "body": "B"})
        unschedule = editor_api.post(f"/api/v1/knowledge/versions/{v1.pk}/unschedule")
        hand.advance(timedelta(minutes=1))

    assert (patch.status_code, patch.json()["code"]) == (409, "version_not_editable")
    assert (unschedule.status_code, unschedule.json()["code"]) == (409, "version_not_scheduled")
