"""Editor pages, public help pages."""

from datetime import timedelta

import pytest
from django.test import Client

from suivi.core.clock import frozen_at
from suivi.knowledge import services
from suivi.knowledge.models import Article, ArticleVersion

from .conftest import MONDAY, TUESDAY_WINDOW, live_article


@pytest.fixture
def editor_web(editor) -> Client:
    # The pages in English, so that the assertions read as the brief does.
    client = Client(headers={"accept-language": "en"})
    client.force_login(editor.user)
    return client


# Editors ---------------------------------------------------------------------------


def test_the_list_flags_missing_translations_and_shows_each_status(editor_web, editor):
    with frozen_at(MONDAY):
        fr, _ = live_article(editor, title="Garantie légale", topic="garantie")
        en, _ = live_article(
            editor, language="en", title="Legal warranty", topic="garantie", translation_of=fr
        )
        alone, _ = live_article(editor, title="Factures", topic="factures")
        v2 = services.version_draft_create(article=alone, title="Factures", body="v2", by=editor)
        services.version_schedule(version=v2, by=editor)
        services.version_draft_create(article=alone, title="Factures v3", body="v3", by=editor)

        page = editor_web.get("/knowledge/").content.decode()
        missing = editor_web.get("/knowledge/", {"missing": "1"}).content.decode()

    row = page.split(f'data-article="{alone.pk}"')[1].split("</tr>")[0]
    assert "missing translation" in row and f"?translation_of={alone.pk}" in row
    assert "v1" in row and "v2" in row and "v3" in row  # live, scheduled, draft
    translated = page.split(f'data-article="{fr.pk}"')[1].split("</tr>")[0]
    assert "translated" in translated
    assert f'data-article="{alone.pk}"' in missing
    assert f'data-article="{fr.pk}"' not in missing and f'data-article="{en.pk}"' not in missing


def test_the_list_is_a_fixed_number_of_queries(editor_web, editor, django_assert_num_queries):
    for i in range(3):
        live_article(editor, title=f"A{i}", topic=f"t{i}")
    editor_web.get("/knowledge/")  # session and permissions cached
    # session, user, advisor; articles with their translations' state; their versions
    with django_assert_num_queries(5):
        editor_web.get("/knowledge/")
    for i in range(6):
        live_article(editor, title=f"B{i}", topic=f"u{i}")
    with django_assert_num_queries(5):
        editor_web.get("/knowledge/")


def test_advisors_who_are_not_editors_cannot_open_the_editor_pages(advisor, editor):
    web = Client()
    web.force_login(advisor.user)
    article, version = live_article(editor)

    assert web.get("/knowledge/").status_code == 403
    assert web.get(f"/knowledge/{article.pk}/").status_code == 403
    assert web.post(f"/knowledge/versions/{version.pk}/retire/").status_code == 403
    assert ArticleVersion.objects.get(pk=version.pk).status == "published"


def test_an_editor_writes_a_translation_schedules_it_and_it_goes_live(editor_web, editor):
    fr, _ = live_article(editor, title="Délais de livraison", body="Trois jours.")
    with frozen_at(MONDAY) as hand:
        form = editor_web.get("/knowledge/new/", {"translation_of": fr.pk})
        created = editor_web.post(
            f"/knowledge/new/?translation_of={fr.pk}",
            {"kind": "answer", "language": "en", "topic": "", "title": "Delivery times",
             "body": "Three days.\n\n<b>Tracked</b>."},
        )  # fmt: skip
        en = Article.objects.get(language="en")
        draft = en.versions.get()
        scheduled = editor_web.post(f"/knowledge/versions/{draft.pk}/schedule/", follow=True)
        hand.advance(TUESDAY_WINDOW - MONDAY)
        article_page = editor_web.get(f"/knowledge/{en.pk}/").content.decode()

    assert form.status_code == 200 and 'value="en" selected' in form.content.decode()
    assert created.status_code == 302 and created["Location"] == f"/knowledge/{en.pk}/"
    assert en.translation_group == fr.translation_group
    assert "Scheduled for the next publication window." in scheduled.content.decode()
    # the window has come: the page shows it published, before any sweep
    assert f'data-version="{draft.pk}" data-status="published"' in article_page


def test_urgent_publication_without_reason_is_refused_on_the_page(editor_web, editor):
    article, v1 = live_article(editor)
    editor_web.post(f"/knowledge/{article.pk}/drafts/")
    draft = article.versions.get(status="draft")

    refused = editor_web.post(f"/knowledge/versions/{draft.pk}/publish/", {"reason": "  "})
    published = editor_web.post(
        f"/knowledge/versions/{draft.pk}/publish/", {"reason": "Prix erroné"}
    )

    assert refused.status_code == 422
    assert "cannot wait for the next publication window" in refused.content.decode()
    assert published.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.urgent_reason) == ("published", "Prix erroné")
    assert draft.body_text == v1.body_text  # the new draft started from the latest text


def test_saving_a_draft_with_htmx_and_a_conflict_become_messages(editor_web, editor):
    article, v1 = live_article(editor)
    editor_web.post(f"/knowledge/{article.pk}/drafts/")
    draft = article.versions.get(status="draft")

    saved = editor_web.post(
        f"/knowledge/versions/{draft.pk}/", {"title": "Nouveau titre", "body": "Nouveau texte"},
        headers={"HX-Request": "true"}, follow=True,
    )  # fmt: skip
    empty = editor_web.post(f"/knowledge/versions/{draft.pk}/", {"title": "T", "body": " "})
    not_a_draft = editor_web.post(f"/knowledge/versions/{v1.pk}/", {"title": "T", "body": "B"})

    assert 'id="versions"' in saved.content.decode()
    assert ArticleVersion.objects.get(pk=draft.pk).title == "Nouveau titre"
    assert empty.status_code == 422
    assert not_a_draft.status_code == 409


def test_editor_writes_need_the_csrf_token(editor):
    _article, version = live_article(editor)
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor.user)

    response = client.post(f"/knowledge/versions/{version.pk}/retire/")

    assert response.status_code == 403
    assert ArticleVersion.objects.get(pk=version.pk).status == "published"


# Public help pages -----------------------------------------------------------------


def test_help_pages_serve_live_versions_without_login(client, editor):
    fr, _ = live_article(
        editor, title="Garantie", body='<p>Deux ans.</p><img src=x onerror="alert(1)">'
    )
    en, _ = live_article(
        editor, language="en", title="Warranty", body="Two years.", translation_of=fr
    )
    draft = services.article_create(
        kind="answer", language="fr", title="Brouillon", body="x", by=editor
    )

    index = client.get("/help/fr/").content.decode()
    page = client.get(f"/help/fr/{fr.pk}/")
    body = page.content.decode()

    assert client.get("/help/").status_code == 302
    assert "Garantie" in index and "Brouillon" not in index and "Warranty" not in index
    assert page.status_code == 200
    assert "Deux ans." in body and "onerror" not in body
    assert f'href="/help/en/{en.pk}/"' in body
    assert '<html lang="fr">' in body
    assert client.get(f"/help/fr/{draft.pk}/").status_code == 404
    assert client.get(f"/help/en/{fr.pk}/").status_code == 404  # wrong language
    assert client.get(f"/help/de/{fr.pk}/").status_code == 404
    assert client.post(f"/help/fr/{fr.pk}/").status_code == 405


def test_help_search_and_the_switch_at_the_window(client, editor):
    with frozen_at(MONDAY) as hand:
        article, _v1 = live_article(editor, title="Livraison", body="Trois jours.")
        v2 = services.version_draft_create(
            article=article, title="Livraison", body="Cinq jours.", by=editor
        )
        services.version_schedule(version=v2, by=editor)
        before = client.get(f"/help/fr/{article.pk}/").content.decode()
        hand.advance(timedelta(days=1))
        after = client.get(f"/help/fr/{article.pk}/").content.decode()
        found = client.get("/help/fr/", {"q": "livraisons"}).content.decode()

    assert "Trois jours." in before and "Cinq jours." not in before
    assert "Cinq jours." in after and "Trois jours." not in after
    assert f'href="/help/fr/{article.pk}/"' in found


def test_retired_articles_disappear_from_the_help_pages(client, editor):
    article, version = live_article(editor)
    services.version_retire(version=version, by=editor)

    assert client.get(f"/help/fr/{article.pk}/").status_code == 404
    assert "Retourner" not in client.get("/help/fr/").content.decode()


def test_help_pages_are_rate_limited(client, settings, editor):
    from django.core.cache import cache

    cache.clear()
    settings.SUIVI_HELP_RATE_LIMIT = 3
    statuses = [client.get("/help/en/").status_code for _ in range(4)]
    cache.clear()

    assert statuses == [200, 200, 200, 429]
