"""The life of a version: draft → scheduled → published → retired, and how every
channel switches at the same instant."""

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from suivi.core.clock import frozen_at
from suivi.knowledge import errors, selectors, services, tasks
from suivi.knowledge.models import Article, ArticleVersion
from tests import builders

from .conftest import MONDAY, TUESDAY_WINDOW, live_article

Status = ArticleVersion.Status


def _every_channel_reads(article: Article) -> set[int]:
    """The version id each reader gets: help page, advisor search, API, assistant all go
    through these selectors."""
    seen = set()
    version = selectors.live_version(article_id=article.pk)
    seen.add(version.pk if version else None)
    seen |= {hit.version_id for hit in selectors.search(query="produit", language="fr")}
    seen |= {v.pk for v in selectors.live_list(language="fr") if v.article_id == article.pk}
    return seen


def test_a_new_article_is_a_draft_nobody_is_served(editor):
    article = services.article_create(
        kind="answer", language="fr", title="Retourner un produit",
        body="Vous avez 30 jours.", by=editor,
    )  # fmt: skip

    version = article.versions.get()
    assert version.status == Status.DRAFT
    assert version.number == 1
    assert selectors.live_version(article_id=article.pk) is None
    assert selectors.search(query="retourner", language="fr") == []


def test_scheduling_takes_the_next_window(editor):
    with frozen_at(MONDAY):
        article = services.article_create(
            kind="answer", language="fr", title="Retourner un produit", body="30 jours.", by=editor
        )
        version = services.version_schedule(version=article.versions.get(), by=editor)

    assert version.status == Status.SCHEDULED
    assert version.publish_at == TUESDAY_WINDOW
    assert version.published_at is None


def test_the_window_switches_every_channel_at_the_same_instant_without_the_sweep(editor):
    # given a live v1 and a v2 scheduled for Tuesday's window
    with frozen_at(MONDAY) as hand:
        article, v1 = live_article(editor)
        v2 = services.version_draft_create(
            article=article, title="Retourner un produit",
            body="Vous avez 60 jours pour retourner un produit.", by=editor,
        )  # fmt: skip
        services.version_schedule(version=v2, by=editor)
        # then, one second before the window, every channel reads v1
        hand.advance(TUESDAY_WINDOW - MONDAY - timedelta(seconds=1))
        assert _every_channel_reads(article) == {v1.pk}
        # and at the window, every channel reads v2, though no sweep has run
        hand.advance(timedelta(seconds=1))
        assert _every_channel_reads(article) == {v2.pk}
        assert ArticleVersion.objects.get(pk=v2.pk).status == Status.SCHEDULED
        # when the sweep runs, it only stores what readers already see
        assert tasks.publish_due.enqueue().return_value == 1
        assert _every_channel_reads(article) == {v2.pk}

    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v1.retired_at) == (Status.RETIRED, TUESDAY_WINDOW)
    assert (v2.status, v2.published_at) == (Status.PUBLISHED, TUESDAY_WINDOW)


def test_the_sweep_is_idempotent(editor):
    with frozen_at(MONDAY) as hand:
        article = services.article_create(
            kind="answer", language="fr", title="Titre", body="Texte.", by=editor
        )
        services.version_schedule(version=article.versions.get(), by=editor)
        assert services.publications_due() == 0
        hand.advance(timedelta(days=1))
        assert services.publications_due() == 1
        assert services.publications_due() == 0

    assert ArticleVersion.objects.filter(status=Status.PUBLISHED).count() == 1


def test_scheduling_a_newer_version_replaces_the_one_waiting(editor):
    with frozen_at(MONDAY) as hand:
        article = services.article_create(
            kind="answer", language="fr", title="Titre", body="v1", by=editor
        )
        v1 = services.version_schedule(version=article.versions.get(), by=editor)
        v2 = services.version_draft_create(article=article, title="Titre", body="v2", by=editor)
        services.version_schedule(version=v2, by=editor)
        hand.advance(timedelta(days=1))
        services.publications_due()

    v1.refresh_from_db()
    assert v1.status == Status.RETIRED
    assert v1.published_at is None  # never served
    assert selectors.live_version(article_id=article.pk).pk == v2.pk


def test_urgent_publication_bypasses_the_window_and_keeps_the_reason(editor):
    with frozen_at(MONDAY):
        article, v1 = live_article(editor)
        v2 = services.version_draft_create(article=article, title="Tarif", body="12 €", by=editor)
        published = services.version_publish_urgently(
            version=v2, by=editor, reason="  Wrong price   on the site "
        )

    v1.refresh_from_db()
    assert published.status == Status.PUBLISHED
    assert published.publish_at == published.published_at == MONDAY
    assert published.urgent_reason == "Wrong price on the site"
    assert published.published_by == editor
    assert v1.status == Status.RETIRED
    assert selectors.live_version(article_id=article.pk).pk == v2.pk


def test_urgent_publication_needs_a_reason(editor):
    article = services.article_create(kind="offer", language="fr", title="T", body="B", by=editor)

    with pytest.raises(errors.UrgentReasonRequired):
        services.version_publish_urgently(version=article.versions.get(), by=editor, reason="  ")


def test_an_urgent_fix_retires_an_older_version_waiting_for_its_window(editor):
    # given v2 waiting for Tuesday; v3 is an urgent fix made on Monday
    with frozen_at(MONDAY) as hand:
        article, _v1 = live_article(editor)
        v2 = services.version_draft_create(article=article, title="T", body="v2", by=editor)
        services.version_schedule(version=v2, by=editor)
        v3 = services.version_draft_create(article=article, title="T", body="v3", by=editor)
        services.version_publish_urgently(version=v3, by=editor, reason="legal fix")
        # then on Tuesday the fix is still what everyone reads
        hand.advance(timedelta(days=2))
        services.publications_due()
        assert selectors.live_version(article_id=article.pk).pk == v3.pk

    v2.refresh_from_db()
    assert v2.status == Status.RETIRED


def test_retired_versions_are_never_served(editor):
    article, v1 = live_article(editor)

    services.version_retire(version=v1, by=editor)

    assert selectors.live_version(article_id=article.pk) is None
    assert selectors.search(query="retourner", language="fr") == []
    assert selectors.live_list(language="fr") == []
    with pytest.raises(errors.ArticleNotPublished):
        selectors.live_version_get(article_id=article.pk)
    with pytest.raises(errors.VersionAlreadyRetired):
        services.version_retire(version=v1, by=editor)


def test_a_retired_version_cannot_be_published_again(editor):
    _article, v1 = live_article(editor)
    services.version_retire(version=v1, by=editor)

    with pytest.raises(errors.VersionNotPublishable):
        services.version_publish_urgently(version=v1, by=editor, reason="back")


def test_only_a_draft_can_be_edited_and_unscheduling_stops_at_the_window(editor):
    with frozen_at(MONDAY) as hand:
        article = services.article_create(
            kind="answer", language="fr", title="T", body="B", by=editor
        )
        version = services.version_schedule(version=article.versions.get(), by=editor)
        with pytest.raises(errors.VersionNotEditable):
            services.version_draft_update(version=version, title="T2", body="B2", by=editor)
        version = services.version_unschedule(version=version, by=editor)
        assert (version.status, version.publish_at) == (Status.DRAFT, None)
        edited = services.version_draft_update(version=version, title="T2", body="B2", by=editor)
        assert edited.title == "T2"
        services.version_schedule(version=edited, by=editor)
        hand.advance(timedelta(days=1))
        # the window has come: it is live, no longer waiting
        with pytest.raises(errors.VersionNotScheduled):
            services.version_unschedule(version=edited, by=editor)


def test_the_database_refuses_two_published_versions(editor):
    article, _v1 = live_article(editor)
    v2 = services.version_draft_create(article=article, title="T", body="B", by=editor)

    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleVersion.objects.filter(pk=v2.pk).update(
            status=Status.PUBLISHED, publish_at=v2.created_at, published_at=v2.created_at
        )


def test_only_editors_write(advisor, editor):
    with pytest.raises(errors.NotAnEditor):
        services.article_create(kind="answer", language="fr", title="T", body="B", by=advisor)
    _article, version = live_article(editor)
    with pytest.raises(errors.NotAnEditor):
        services.version_retire(version=version, by=advisor)
    assert services.can_edit_knowledge(builders.advisor(role="admin"))


def test_bad_input_is_a_domain_error(editor):
    with pytest.raises(errors.EmptyArticle):
        services.article_create(kind="answer", language="fr", title=" ", body="B", by=editor)
    with pytest.raises(errors.EmptyArticle):
        services.article_create(kind="answer", language="fr", title="T", body="<p> </p>", by=editor)
    with pytest.raises(errors.UnknownLanguage):
        services.article_create(kind="answer", language="de", title="T", body="B", by=editor)
    with pytest.raises(errors.UnknownKind):
        services.article_create(kind="poem", language="fr", title="T", body="B", by=editor)


def test_article_text_is_sanitised_and_kept_as_plain_text(editor):
    article = services.article_create(
        kind="procedure", language="fr", title="Étapes",
        body='<p onclick="x()">Un</p><script>alert(1)</script><ul><li>deux</li></ul>', by=editor,
    )  # fmt: skip

    version = article.versions.get()
    assert "script" not in version.body_html and "onclick" not in version.body_html
    assert version.body_text == "Un\n\n- deux"


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_workers_publishing_at_once_publish_each_version_once(team):
    # given twenty articles each with a live v1 and a v2 due at Tuesday's window
    editor = builders.advisor(team=team, role="lead")
    with frozen_at(MONDAY):
        pairs = []
        for i in range(20):
            article, v1 = live_article(editor, title=f"Article {i}")
            v2 = services.version_draft_create(
                article=article, title=f"Article {i}", body="v2", by=editor
            )
            pairs.append((article, v1, services.version_schedule(version=v2, by=editor)))
    barrier = threading.Barrier(2)
    results, failures = [], []

    def worker():
        try:
            barrier.wait()
            results.append(services.publications_due())
        except Exception as error:  # pragma: no cover - reported below
            failures.append(error)
        finally:
            connection.close()

    # when two workers sweep at the same moment
    with frozen_at(TUESDAY_WINDOW + timedelta(seconds=30)):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    # then each v2 went live once, each v1 was retired once
    assert failures == []
    assert sum(results) == 20
    assert ArticleVersion.objects.filter(status=Status.PUBLISHED, number=2).count() == 20
    assert ArticleVersion.objects.filter(status=Status.RETIRED, number=1).count() == 20


def test_the_sweep_is_registered_with_the_clock():
    from suivi.core import periodic

    paths = [task.task_path for task in periodic.registered()]
    assert "suivi.knowledge.tasks.publish_due" in paths


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_the_sweep_skips_an_article_someone_holds_and_settles_it_next_time(team):
    editor = builders.advisor(team=team, role="lead")
    with frozen_at(MONDAY):
        article = services.article_create(
            kind="answer", language="fr", title="T", body="B", by=editor
        )
        version = services.version_schedule(version=article.versions.get(), by=editor)
    holding, release = threading.Event(), threading.Event()

    def editor_holds_the_article():
        with transaction.atomic():
            Article.objects.select_for_update().get(pk=article.pk)
            holding.set()
            release.wait(10)
        connection.close()

    holder = threading.Thread(target=editor_holds_the_article)
    holder.start()
    holding.wait(10)
    with frozen_at(TUESDAY_WINDOW):
        # readers see it live at once; the sweep does not wait for the lock
        assert selectors.live_version(article_id=article.pk).pk == version.pk
        assert services.publications_due() == 0
        release.set()
        holder.join()
        assert services.publications_due() == 1
