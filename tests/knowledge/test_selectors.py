from django.utils import translation

from suivi.knowledge import selectors, services

from .conftest import live_article


def test_the_editor_list_is_keyset_paginated_by_topic(editor):
    for topic in ("d", "a", "c", "b", "e"):
        live_article(editor, title=topic.upper(), topic=topic)

    first = selectors.articles_for_editors(limit=2)
    second = selectors.articles_for_editors(limit=2, cursor=first.next_cursor)
    third = selectors.articles_for_editors(limit=2, cursor=second.next_cursor)

    topics = [r.article.topic for page in (first, second, third) for r in page.rows]
    assert topics == ["a", "b", "c", "d", "e"]
    assert third.next_cursor is None


def test_versions_show_the_status_readers_see(editor):
    article, v1 = live_article(editor)
    v2 = services.version_draft_create(article=article, title="T", body="B", by=editor)

    rows = selectors.article_versions(article=article)

    assert [(r.version.pk, r.status) for r in rows] == [(v2.pk, "draft"), (v1.pk, "published")]
    with translation.override("en"):
        assert str(rows[1].status_label) == "Published"
    with translation.override("fr"):
        assert str(rows[1].status_label) == "Publiée"


def test_live_version_in_a_language_reads_the_translation_else_the_article(editor):
    fr, v_fr = live_article(editor)
    en = services.article_create(
        kind="answer", language="en", title="Returns", body="30 days.", by=editor,
        translation_of=fr,
    )  # fmt: skip

    assert selectors.live_version(article_id=fr.pk, language="en").pk == v_fr.pk
    assert selectors.live_version(article_id=en.pk, language="fr").pk == v_fr.pk
    assert selectors.live_version(article_id=en.pk, language="en") is None
    assert selectors.live_version(article_id=en.pk) is None
