"""Writing and publishing knowledge. Every write is one transaction.

Life of a version: draft → scheduled (for the next publication window) → published →
retired. Readers never look at the stored status alone: the live version of an article
is the scheduled or published version whose `publish_at` came last (see
`selectors.live_versions`), so a window switches every channel at the same instant.

Every write that changes a status first locks the article row, then `_settle`s it: the
stored statuses are brought in line with what readers already see (the due version is
marked published, the one it replaced retired). Writers of one article take turns, so
two workers, or a worker and an editor, never publish twice or leave two live versions
(the database refuses that too). An urgent fix skips the window with a recorded reason.
"""

import logging
from datetime import datetime

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import Max

from suivi.core import clock
from suivi.core.text import search_key
from suivi.people.models import Advisor

from . import errors, events, windows
from .models import Article, ArticleVersion
from .text import article_html, plain_text

logger = logging.getLogger("suivi.knowledge")

# PostgreSQL text search configurations made by migration 0002 (unaccent + stemming).
SEARCH_CONFIGS = {"fr": "suivi_french", "en": "suivi_english"}
Status = ArticleVersion.Status
# The statuses a reader may be served, once `publish_at` has come.
SERVABLE = (Status.SCHEDULED, Status.PUBLISHED)
# Among an article's servable versions whose time has come, readers are served the first
# in this order (the selectors use the same).
LIVE_ORDER = ("-publish_at", "-number")


def can_edit_knowledge(advisor: Advisor) -> bool:
    """Editors: team leads and administrators, or anyone given the Django permission
    `knowledge.change_article` (in the admin, per user or group)."""
    if advisor.role in (Advisor.Role.LEAD, Advisor.Role.ADMIN):
        return True
    user = advisor.user
    return bool(user.is_superuser or user.has_perm("knowledge.change_article"))


def _check_editor(advisor: Advisor) -> None:
    if not can_edit_knowledge(advisor):
        raise errors.NotAnEditor(advisor_id=advisor.pk)


def _content(title: str, body: str) -> tuple[str, str, str]:
    title = " ".join(title.split())
    html = article_html(body)
    text = plain_text(html)
    if not title or not text:
        raise errors.EmptyArticle()
    return title, html, text


def _index(version: ArticleVersion, language: str) -> None:
    """Keep the stored tsvector in step with the text (PostgreSQL only): the title
    weighs more than the text."""
    if connection.vendor != "postgresql":
        return
    config = SEARCH_CONFIGS.get(language, "simple")
    ArticleVersion.objects.filter(pk=version.pk).update(
        search_vector=SearchVector("title", weight="A", config=config)
        + SearchVector("body_text", weight="B", config=config)
    )


def _lock_article(article_id: int, *, skip_locked: bool = False) -> bool:
    """Lock the article row; False when `skip_locked` and someone else holds it.
    Always the article first, then its versions: every writer takes locks in this order,
    so two of them cannot deadlock."""
    locked = (
        Article.objects.select_for_update(skip_locked=skip_locked)
        .filter(pk=article_id)
        .values_list("pk")
        .first()
    )
    return locked is not None


def _settle(*, article_id: int, moment: datetime) -> bool:
    """Store as published the version readers see live at `moment`, and retire the ones
    it replaced. The caller holds the article lock. Returns True when a version was
    newly marked published."""
    due = list(
        ArticleVersion.objects.filter(
            article_id=article_id, status__in=SERVABLE, publish_at__lte=moment
        )
        .order_by(*LIVE_ORDER)
        .only("pk", "status", "publish_at", "published_at")
    )
    if not due:
        return False
    newest, replaced = due[0], [v.pk for v in due[1:]]
    if replaced:
        # Readers stopped seeing them when the newest went live. A scheduled one among
        # them was never served: its `published_at` stays empty.
        ArticleVersion.objects.filter(pk__in=replaced).update(
            status=Status.RETIRED, retired_at=newest.publish_at
        )
    if newest.status == Status.PUBLISHED:
        return False
    newest.status = Status.PUBLISHED
    newest.published_at = newest.publish_at
    newest.save(update_fields=["status", "published_at"])
    events.version_published.publish(article_id=article_id, version_id=newest.pk, urgent=False)
    return True


def _locked_version(version: ArticleVersion, moment: datetime) -> ArticleVersion:
    """The version re-read under its article's lock, after settling the article."""
    _lock_article(version.article_id)
    _settle(article_id=version.article_id, moment=moment)
    return ArticleVersion.objects.select_related("article").get(pk=version.pk)


@transaction.atomic
def article_create(
    *,
    kind: str,
    language: str,
    title: str,
    body: str,
    by: Advisor,
    topic: str = "",
    translation_of: Article | None = None,
) -> Article:
    """A new article with its first draft. `translation_of` links it to the article it
    translates (one article per language in a translation group)."""
    _check_editor(by)
    if language not in SEARCH_CONFIGS:
        raise errors.UnknownLanguage(language=language)
    if kind not in Article.Kind.values:
        raise errors.UnknownKind(kind=kind)
    title, html, text = _content(title, body)
    group = translation_of.translation_group if translation_of else None
    if group and Article.objects.filter(translation_group=group, language=language).exists():
        raise errors.TranslationExists(language=language)
    moment = clock.now()
    article = Article(
        kind=translation_of.kind if translation_of else kind,
        topic=" ".join(topic.split())[:80] or (translation_of.topic if translation_of else ""),
        language=language,
        created_at=moment,
        created_by=by,
    )
    if group:
        article.translation_group = group
    article.save()
    _version_add(article=article, title=title, html=html, text=text, by=by, moment=moment)
    return article


def _version_add(
    *, article: Article, title: str, html: str, text: str, by: Advisor, moment: datetime
) -> ArticleVersion:
    last = article.versions.aggregate(last=Max("number"))["last"] or 0
    version = ArticleVersion.objects.create(
        article=article,
        number=last + 1,
        title=title,
        body_html=html,
        body_text=text,
        search_text=search_key(f"{title} {text}"),
        author=by,
        created_at=moment,
    )
    _index(version, article.language)
    return version


@transaction.atomic
def version_draft_create(*, article: Article, title: str, body: str, by: Advisor) -> ArticleVersion:
    """A new draft of an article; what is live stays live until the draft is published."""
    _check_editor(by)
    title, html, text = _content(title, body)
    # The article lock makes two simultaneous drafts take different numbers.
    _lock_article(article.pk)
    return _version_add(
        article=article, title=title, html=html, text=text, by=by, moment=clock.now()
    )


@transaction.atomic
def version_draft_update(
    *, version: ArticleVersion, title: str, body: str, by: Advisor
) -> ArticleVersion:
    _check_editor(by)
    title, html, text = _content(title, body)
    locked = ArticleVersion.objects.select_for_update().select_related("article").get(pk=version.pk)
    if locked.status != Status.DRAFT:
        raise errors.VersionNotEditable(version_id=version.pk)
    locked.title, locked.body_html, locked.body_text = title, html, text
    locked.search_text = search_key(f"{title} {text}")
    locked.author = by
    locked.save(update_fields=["title", "body_html", "body_text", "search_text", "author"])
    _index(locked, locked.article.language)
    return locked


def _retire_other_scheduled(version: ArticleVersion, moment: datetime, older_only: bool) -> None:
    """At most one version of an article waits for a window: the one just scheduled
    replaces any other, which is retired unseen."""
    waiting = ArticleVersion.objects.filter(
        article_id=version.article_id, status=Status.SCHEDULED
    ).exclude(pk=version.pk)
    if older_only:
        waiting = waiting.filter(number__lt=version.number)
    waiting.update(status=Status.RETIRED, retired_at=moment)


@transaction.atomic
def version_schedule(*, version: ArticleVersion, by: Advisor) -> ArticleVersion:
    """Queue a draft for the next publication window (see `windows`)."""
    _check_editor(by)
    moment = clock.now()
    locked = _locked_version(version, moment)
    if locked.status != Status.DRAFT:
        raise errors.VersionNotEditable(version_id=version.pk)
    _retire_other_scheduled(locked, moment, older_only=False)
    locked.status = Status.SCHEDULED
    locked.publish_at = windows.next_window(moment)
    locked.published_by = by
    locked.save(update_fields=["status", "publish_at", "published_by"])
    return locked


@transaction.atomic
def version_unschedule(*, version: ArticleVersion, by: Advisor) -> ArticleVersion:
    """Back to draft, to change it before its window. Once the window has come the
    version is live and can only be replaced or retired."""
    _check_editor(by)
    locked = _locked_version(version, clock.now())
    if locked.status != Status.SCHEDULED:
        raise errors.VersionNotScheduled(version_id=version.pk)
    locked.status, locked.publish_at, locked.published_by = Status.DRAFT, None, None
    locked.save(update_fields=["status", "publish_at", "published_by"])
    return locked


@transaction.atomic
def version_publish_urgently(
    *, version: ArticleVersion, by: Advisor, reason: str
) -> ArticleVersion:
    """Publish now, bypassing the window; the reason is kept with the version. The
    version live until now is retired at the same instant on every channel."""
    _check_editor(by)
    reason = " ".join(reason.split())
    if not reason:
        raise errors.UrgentReasonRequired(version_id=version.pk)
    moment = clock.now()
    locked = _locked_version(version, moment)
    if locked.status not in (Status.DRAFT, Status.SCHEDULED):
        raise errors.VersionNotPublishable(version_id=version.pk)
    ArticleVersion.objects.filter(article_id=locked.article_id, status=Status.PUBLISHED).update(
        status=Status.RETIRED, retired_at=moment
    )
    # An older version waiting for its window would undo the fix there: retired unseen.
    _retire_other_scheduled(locked, moment, older_only=True)
    locked.status = Status.PUBLISHED
    locked.publish_at = locked.published_at = moment
    locked.urgent_reason = reason[:2000]
    locked.published_by = by
    locked.save(
        update_fields=["status", "publish_at", "published_at", "urgent_reason", "published_by"]
    )
    events.version_published.publish(
        article_id=locked.article_id, version_id=locked.pk, urgent=True
    )
    logger.info("Version %s published urgently by %s: %s", locked.pk, by.pk, reason)
    return locked


@transaction.atomic
def version_retire(*, version: ArticleVersion, by: Advisor) -> ArticleVersion:
    """Take a version out of service. A retired version is never served again; retiring
    the live one takes the article offline on every channel (until a scheduled version's
    window, if one is waiting)."""
    _check_editor(by)
    moment = clock.now()
    locked = _locked_version(version, moment)
    if locked.status == Status.RETIRED:
        raise errors.VersionAlreadyRetired(version_id=version.pk)
    locked.status = Status.RETIRED
    locked.retired_at = moment
    locked.save(update_fields=["status", "retired_at"])
    return locked


def publications_due() -> int:
    """Store as published the scheduled versions whose window has come; returns how many.

    Idempotent and safe with several workers: each article is settled in its own short
    transaction under its row lock (one article at a time, so an editor is never held
    up by the whole sweep). An article locked by another worker or an editor is skipped
    (SKIP LOCKED), so workers share the work; what is skipped is settled by its holder
    or by the next sweep, and readers already see it live either way."""
    moment = clock.now()
    due_articles = list(
        ArticleVersion.objects.filter(status=Status.SCHEDULED, publish_at__lte=moment)
        .order_by("article_id")
        .values_list("article_id", flat=True)
        .distinct()
    )
    published = 0
    for article_id in due_articles:
        with transaction.atomic():
            if _lock_article(article_id, skip_locked=True):
                published += _settle(article_id=article_id, moment=moment)
    return published
