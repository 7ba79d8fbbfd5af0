"""/api/v1/knowledge: search the live answers, read one, and (editors) write, schedule,
publish urgently and retire versions. Reads serve only what is live now, the same as
the help pages and the advisors' suggestions (docs/knowledge.md)."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from suivi.knowledge import selectors, services
from suivi.knowledge.models import Article, ArticleVersion

from .auth import current_advisor

router = Router(tags=["knowledge"])

LanguageName = Literal["fr", "en"]
KindName = Literal[tuple(Article.Kind.values)]  # type: ignore[valid-type]


class SearchQueryIn(Schema):
    q: str = Field(max_length=200)
    language: LanguageName | None = None
    kind: KindName | None = None  # type: ignore[valid-type]
    limit: int = Field(10, ge=1, le=selectors.SEARCH_LIMIT_MAX)


class HitOut(Schema):
    article_id: int
    version_id: int
    number: int
    language: str
    kind: str
    topic: str
    title: str
    excerpt: str
    url: str
    rank: float


class LiveArticleOut(Schema):
    article_id: int
    version_id: int
    number: int
    language: str
    kind: str
    topic: str
    title: str
    html: str
    text: str
    url: str
    live_since: datetime


class VersionOut(Schema):
    id: int
    article_id: int
    number: int
    title: str
    html: str
    text: str
    status: str
    publish_at: datetime | None
    published_at: datetime | None
    retired_at: datetime | None
    urgent_reason: str


class ArticleIn(Schema):
    kind: KindName = "answer"  # type: ignore[valid-type]
    language: LanguageName
    topic: str = Field("", max_length=80)
    title: str = Field(max_length=200)
    body: str = Field(max_length=50_000)
    translation_of: int | None = Field(None, ge=1, le=2**62)


class ArticleOut(Schema):
    id: int
    kind: str
    language: str
    topic: str
    translation_group: str
    versions: list[VersionOut]


class DraftIn(Schema):
    title: str = Field(max_length=200)
    body: str = Field(max_length=50_000)


class UrgentIn(Schema):
    reason: str = Field("", max_length=2000)


def _version_out(version: ArticleVersion) -> dict:
    return {
        "id": version.pk,
        "article_id": version.article_id,
        "number": version.number,
        "title": version.title,
        "html": version.body_html,
        "text": version.body_text,
        "status": version.status,
        "publish_at": version.publish_at,
        "published_at": version.published_at,
        "retired_at": version.retired_at,
        "urgent_reason": version.urgent_reason,
    }


def _article_out(article: Article) -> dict:
    rows = selectors.article_versions(article=article)
    return {
        "id": article.pk,
        "kind": article.kind,
        "language": article.language,
        "topic": article.topic,
        "translation_group": str(article.translation_group),
        "versions": [{**_version_out(row.version), "status": row.status} for row in rows],
    }


@router.get("/search", response=list[HitOut])
def search(request: HttpRequest, query: Query[SearchQueryIn]) -> list[dict]:
    """Live answers matching `q`, best first (PostgreSQL full text: accents ignored,
    words stemmed)."""
    hits = selectors.search(
        query=query.q, language=query.language, kind=query.kind, limit=query.limit
    )
    return [{**hit.__dict__, "url": hit.url} for hit in hits]


@router.get("/articles/{int:article_id}", response=LiveArticleOut)
def live_article(
    request: HttpRequest, article_id: int, language: LanguageName | None = None
) -> dict:
    """The live version of an article (with `language`, of its translation in that
    language when one is live). 404 `article_not_published` when nothing is live."""
    version = selectors.live_version_get(article_id=article_id, language=language)
    article = version.article
    return {
        "article_id": article.pk,
        "version_id": version.pk,
        "number": version.number,
        "language": article.language,
        "kind": article.kind,
        "topic": article.topic,
        "title": version.title,
        "html": version.body_html,
        "text": version.body_text,
        "url": selectors.help_url(language=article.language, article_id=article.pk),
        "live_since": version.publish_at,
    }


# Editors ---------------------------------------------------------------------------


@router.post("/articles", response={201: ArticleOut})
def article_create(request: HttpRequest, payload: ArticleIn) -> Status[dict]:
    me = current_advisor(request)
    original = None
    if payload.translation_of is not None:
        original = selectors.article_for_editor(by=me, article_id=payload.translation_of)
    article = services.article_create(
        kind=payload.kind, language=payload.language, topic=payload.topic, title=payload.title,
        body=payload.body, by=me, translation_of=original,
    )  # fmt: skip
    return Status(201, _article_out(article))


@router.get("/articles/{int:article_id}/versions", response=ArticleOut)
def article_versions(request: HttpRequest, article_id: int) -> dict:
    """Every version with its status as readers experience it (editors)."""
    article = selectors.article_for_editor(by=current_advisor(request), article_id=article_id)
    return _article_out(article)


@router.post("/articles/{int:article_id}/drafts", response={201: VersionOut})
def draft_create(request: HttpRequest, article_id: int, payload: DraftIn) -> Status[dict]:
    me = current_advisor(request)
    article = selectors.article_for_editor(by=me, article_id=article_id)
    version = services.version_draft_create(
        article=article, title=payload.title, body=payload.body, by=me
    )
    return Status(201, _version_out(version))


@router.patch("/versions/{int:version_id}", response=VersionOut)
def draft_update(request: HttpRequest, version_id: int, payload: DraftIn) -> dict:
    me = current_advisor(request)
    version = selectors.version_for_editor(by=me, version_id=version_id)
    return _version_out(
        services.version_draft_update(
            version=version, title=payload.title, body=payload.body, by=me
        )
    )


@router.post("/versions/{int:version_id}/schedule", response=VersionOut)
def schedule(request: HttpRequest, version_id: int) -> dict:
    """Goes live at the next publication window (`SUIVI_KNOWLEDGE_WINDOWS`)."""
    me = current_advisor(request)
    version = selectors.version_for_editor(by=me, version_id=version_id)
    return _version_out(services.version_schedule(version=version, by=me))


@router.post("/versions/{int:version_id}/unschedule", response=VersionOut)
def unschedule(request: HttpRequest, version_id: int) -> dict:
    me = current_advisor(request)
    version = selectors.version_for_editor(by=me, version_id=version_id)
    return _version_out(services.version_unschedule(version=version, by=me))


@router.post("/versions/{int:version_id}/publish", response=VersionOut)
def publish_urgently(request: HttpRequest, version_id: int, payload: UrgentIn) -> dict:
    """Urgent fix: live now on every channel, bypassing the window; `reason` required."""
    me = current_advisor(request)
    version = selectors.version_for_editor(by=me, version_id=version_id)
    return _version_out(
        services.version_publish_urgently(version=version, by=me, reason=payload.reason)
    )


@router.post("/versions/{int:version_id}/retire", response=VersionOut)
def retire(request: HttpRequest, version_id: int) -> dict:
    me = current_advisor(request)
    version = selectors.version_for_editor(by=me, version_id=version_id)
    return _version_out(services.version_retire(version=version, by=me))
