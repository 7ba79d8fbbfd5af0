"""Reading knowledge. Every channel (help pages, advisor replies, the API, the chat
assistant) reads through `live_versions`, `live_version` and `search`: each asks which
version is live *as of now*, on the one clock, so they cannot disagree, and a scheduled
version reaches all of them at its window at the same instant.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_
from typing import Any, Literal

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.urls import reverse

from suivi.core import clock, statements
from suivi.core.errors import NotFound
from suivi.core.pagination import Page, keyset_page
from suivi.core.text import excerpt, search_key
from suivi.people.models import Advisor

from .errors import ArticleNotPublished, InvalidKnowledgeVersion, NotAnEditor
from .models import Article, ArticleVersion
from .services import LIVE_ORDER, SEARCH_CONFIGS, SERVABLE, can_edit_knowledge

Status = ArticleVersion.Status
LANGUAGES = tuple(SEARCH_CONFIGS)
SEARCH_LIMIT_MAX = 50
QUERY_MAX_CHARS = 200
EXCERPT_CHARS = 200


def _due(moment: datetime, prefix: str = "") -> Q:
    return Q(**{f"{prefix}status__in": SERVABLE, f"{prefix}publish_at__lte": moment})


def live_versions(moment: datetime | None = None) -> QuerySet[ArticleVersion]:
    """The versions live at `moment` (now by default): per article, of the scheduled or
    published versions whose time has come, the one that came last. One query wherever
    it is used; the help pages, the search, the API and the assistant all start here."""
    moment = moment or clock.now()
    first = (
        ArticleVersion.objects.filter(_due(moment), article_id=OuterRef("article_id"))
        .order_by(*LIVE_ORDER)
        .values("pk")[:1]
    )
    return ArticleVersion.objects.filter(_due(moment), pk=Subquery(first))


@dataclass(frozen=True)
class SearchHit:
    """A live answer as a channel needs it: enough to show, quote and cite."""

    article_id: int
    version_id: int
    number: int
    language: str
    kind: str
    topic: str
    title: str
    text: str
    excerpt: str
    rank: float

    @property
    def url(self) -> str:
        return help_url(language=self.language, article_id=self.article_id)


def help_url(*, language: str, article_id: int) -> str:
    """The public help page that shows an article's live version (a path)."""
    return reverse("help-article", args=[language, article_id])


def _hit(version: ArticleVersion, rank: float = 0.0) -> SearchHit:
    article = version.article
    return _hit_of_row(
        (
            version.article_id, version.pk, version.number, article.language, article.kind,
            article.topic, version.title, version.body_text, rank,
        )
    )  # fmt: skip


def live_version(*, article_id: int, language: str | None = None) -> ArticleVersion | None:
    """The live version of an article, or None. With `language`, the live version of
    its translation in that language when there is one, else of the article itself.
    One query."""
    versions = live_versions().select_related("article")
    if language is None:
        return versions.filter(article_id=article_id).first()
    group = Article.objects.filter(pk=article_id).values("translation_group")[:1]
    candidates = list(versions.filter(article__translation_group=Subquery(group)))
    wanted = [v for v in candidates if v.article.language == language]
    own = [v for v in candidates if v.article_id == article_id]
    return (wanted or own)[0] if (wanted or own) else None


def live_version_get(*, article_id: int, language: str | None = None) -> ArticleVersion:
    version = live_version(article_id=article_id, language=language)
    if version is None:
        raise ArticleNotPublished(article_id=article_id)
    return version


def live_hit(*, article_id: int, language: str | None = None) -> SearchHit | None:
    version = live_version(article_id=article_id, language=language)
    return _hit(version) if version else None


def search(
    *,
    query: str,
    language: str | None = None,
    kind: str | None = None,
    limit: int = 10,
    match: Literal["all", "any"] = "all",
) -> list[SearchHit]:
    """Live versions matching `query`, best first; one query.

    PostgreSQL: full text over the stored tsvector with the language's configuration
    (accents ignored, words stemmed: "résilier" finds "résiliation"), ranked by ts_rank,
    the title weighing more. SQLite: every word's stem must appear (accents and case
    ignored), titles holding more of them first, then the most recently published.
    `language` None searches both languages, each with its own configuration. Retired,
    draft and not-yet-due versions are never returned. `match="any"`: a version matching
    any word of the query is a candidate (the chat assistant asks so, then judges
    coverage itself: a customer's sentence holds words no article has)."""
    query = query.strip()[:QUERY_MAX_CHARS]
    if match == "any":
        # Words only: websearch reads "-", quotes and "or" as operators.
        words = [w for w in re.findall(r"\w+", query) if w.casefold() != "or"][:12]
        query = " or ".join(words)
    if not query:
        return []
    limit = max(1, min(limit, SEARCH_LIMIT_MAX))
    languages = [language] if language in LANGUAGES else list(LANGUAGES)
    if connection.vendor != "postgresql":
        versions = live_versions().filter(article__language__in=languages)
        if kind:
            versions = versions.filter(article__kind=kind)
        versions = versions.select_related("article")
        # Each word by its stem, found inside the text's words: "livraisons" finds
        # "livraison", "résiliation" finds "résilier" (PostgreSQL's stemming, roughly).
        words = [_stem(w) for w in search_key(query).split()]
        words = [w for w in words if w != "or"] if match == "any" else words[:10]
        if not words:
            return []
        if match == "any":
            versions = versions.filter(reduce(or_, (Q(search_text__contains=w) for w in words)))
        else:
            for word in words:
                versions = versions.filter(search_text__contains=word)
        # The title weighs more (as on PostgreSQL): versions whose title holds more of
        # the words first, then the most recently published, among the latest matches.
        found = list(versions.order_by("-publish_at", "-pk")[: max(limit, SQLITE_CANDIDATES)])
        titled = {v.pk: sum(w in search_key(v.title) for w in words) for v in found}
        found.sort(key=lambda v: -titled[v.pk])  # stable: recency within the same score
        return [_hit(v) for v in found[:limit]]
    values: dict[str, Any] = {"query": query, "moment": clock.now()}
    if kind:
        values["kind"] = kind
    rows = _search_statement(tuple(languages), bool(kind), limit).rows(**values)
    return [_hit_of_row(row) for row in rows]


# Endings cut from a word for the embedded SQLite's search, longest first: French and
# English derivations and inflections. What is left is at least _STEM_MIN letters long.
_ENDINGS = sorted(
    {
        "ations", "ation", "ements", "ement", "ments", "ment", "euses", "euse", "eurs",
        "eur", "ances", "ance", "ences", "ence", "ites", "ite", "ives", "ive", "ifs", "if",
        "ees", "ee", "es", "er", "ez", "ir", "ons", "ings", "ing", "ions", "ion", "ness",
        "ers", "ed", "ly", "s", "x", "e",
    },
    key=len,
    reverse=True,
)  # fmt: skip
_STEM_MIN = 4
# Matches the embedded SQLite's search ranks by title (the most recent first).
SQLITE_CANDIDATES = 50


def _stem(word: str) -> str:
    """A search key's word without its derivation or inflection ending, when enough of
    it is left to mean something ("resiliation" → "resili", "livraisons" → "livrais")."""
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= _STEM_MIN:
            return word[: -len(ending)]
    return word


# The full-text search's statement depends on the languages, whether a kind is asked and
# the limit only: it is compiled once per such shape (compiling it through the ORM cost
# ~3 ms, which the chat assistant paid on every customer message) and run with the
# query, the clock's time and the kind filled in (suivi.core.statements).
_SEARCHES: dict[tuple[tuple[str, ...], bool, int], statements.Compiled[Any]] = {}
_HIT_FIELDS = (
    "article_id", "pk", "number", "article__language", "article__kind", "article__topic",
    "title", "body_text", "rank",
)  # fmt: skip


def _search_statement(
    languages: tuple[str, ...], of_kind: bool, limit: int
) -> statements.Compiled[Any]:
    """The PostgreSQL search of one shape, compiled on its first run."""
    key = (languages, of_kind, limit)
    if key in _SEARCHES:
        return _SEARCHES[key]

    def build(*, query: str, moment: datetime, kind: str = "") -> QuerySet[Any]:
        versions = live_versions(moment).filter(article__language__in=languages)
        if of_kind:
            versions = versions.filter(article__kind=kind)
        matches = Q()
        ranks = []
        for code in languages:
            wanted = SearchQuery(query, config=SEARCH_CONFIGS[code], search_type="websearch")
            matches |= Q(article__language=code, search_vector=wanted)
            ranks.append(When(article__language=code, then=SearchRank(F("search_vector"), wanted)))
        return (
            versions.filter(matches)
            .annotate(rank=Case(*ranks, default=Value(0.0), output_field=FloatField()))
            .order_by("-rank", "-publish_at", "-pk")
            .values_list(*_HIT_FIELDS)[:limit]
        )

    _SEARCHES[key] = statements.Compiled(build)
    return _SEARCHES[key]


def _hit_of_row(row: tuple[Any, ...]) -> SearchHit:
    """A hit from the columns of `_HIT_FIELDS`, in that order."""
    article_id, version_id, number, language, kind, topic, title, text, rank = row
    return SearchHit(
        article_id=article_id,
        version_id=version_id,
        number=number,
        language=language,
        kind=kind,
        topic=topic,
        title=title,
        text=text,
        excerpt=excerpt(text, EXCERPT_CHARS),
        rank=float(rank),
    )


def live_list(*, language: str, kind: str | None = None) -> list[ArticleVersion]:
    """Every live version in a language (the help pages' index). One query."""
    versions = live_versions().filter(article__language=language)
    if kind:
        versions = versions.filter(article__kind=kind)
    return list(versions.select_related("article").order_by("article__kind", "title", "pk"))


def version_used_in_reply(*, version_id: int) -> ArticleVersion:
    """A version an advisor quoted in a reply: it must be live, or have been (it may
    have been replaced since the advisor inserted it). Drafts and versions retired
    unseen were never an answer to customers. One query."""
    version = (
        ArticleVersion.objects.select_related("article")
        .filter(Q(published_at__isnull=False) | Q(pk__in=live_versions().values("pk")))
        .filter(pk=version_id)
        .first()
    )
    if version is None:
        raise InvalidKnowledgeVersion(version_id=version_id)
    return version


def reply_metadata(*, version_id: int) -> dict[str, int | str]:
    """What an interaction records when its text quotes a published answer (any
    channel: e-mail and chat replies, the chat assistant). The title, number and
    language are copied so that a timeline shows the article without a query. One
    query."""
    version = version_used_in_reply(version_id=version_id)
    return {
        "knowledge_version_id": version.pk,
        "knowledge_article_id": version.article_id,
        "knowledge_number": version.number,
        "knowledge_title": version.title,
        "knowledge_language": version.article.language,
    }


def hit_metadata(hit: SearchHit) -> dict[str, int | str]:
    """`reply_metadata` for a live answer already read (no query)."""
    return {
        "knowledge_version_id": hit.version_id,
        "knowledge_article_id": hit.article_id,
        "knowledge_number": hit.number,
        "knowledge_title": hit.title,
        "knowledge_language": hit.language,
    }


# Editors ---------------------------------------------------------------------------


def shown_status(version: ArticleVersion, *, live_id: int | None, moment: datetime) -> str:
    """The status as readers experience it: a scheduled version whose window has come
    is published (or, if another took over, retired) even before the sweep stores it."""
    if version.status in SERVABLE and version.publish_at and version.publish_at <= moment:
        return Status.PUBLISHED if version.pk == live_id else Status.RETIRED
    return version.status


def _live_among(versions: list[ArticleVersion], moment: datetime) -> ArticleVersion | None:
    due = [v for v in versions if v.status in SERVABLE and v.publish_at and v.publish_at <= moment]
    due.sort(key=lambda v: (v.publish_at, v.number), reverse=True)
    return due[0] if due else None


@dataclass(frozen=True)
class ArticleRow:
    """One line of the editors' list."""

    article: Article
    live: ArticleVersion | None
    scheduled: ArticleVersion | None  # waiting for its window
    draft: ArticleVersion | None  # the newest draft
    has_translation: bool  # an article in the other language exists
    translation_live: bool  # ... and it is live

    @property
    def missing_translation(self) -> bool:
        return not self.translation_live

    @property
    def title(self) -> str:
        for version in (self.draft, self.scheduled, self.live):
            if version is not None:
                return version.title
        return str(self.article)


def _other_language() -> Q:
    return Q(translation_group=OuterRef("translation_group")) & ~Q(language=OuterRef("language"))


@dataclass(frozen=True)
class ArticlePage:
    rows: list[ArticleRow]
    next_cursor: str | None


def articles_for_editors(
    *,
    language: str | None = None,
    kind: str | None = None,
    missing_translation: bool = False,
    cursor: str | None = None,
    limit: int = 100,
) -> ArticlePage:
    """Articles by topic with their live, waiting and draft versions and the state of
    their translation; keyset-paginated. Two queries, whatever the number of articles."""
    moment = clock.now()
    others = Article.objects.filter(_other_language())
    articles = Article.objects.annotate(
        has_translation=Exists(others),
        translation_live=Exists(
            others.filter(
                Exists(ArticleVersion.objects.filter(_due(moment), article_id=OuterRef("pk")))
            )
        ),
    )
    if language in LANGUAGES:
        articles = articles.filter(language=language)
    if kind in Article.Kind.values:
        articles = articles.filter(kind=kind)
    if missing_translation:
        articles = articles.filter(translation_live=False)
    current = ArticleVersion.objects.exclude(status=Status.RETIRED).order_by("-number")
    page: Page[Article] = keyset_page(
        articles.prefetch_related(Prefetch("versions", queryset=current, to_attr="current")),
        field="topic",
        descending=False,
        cursor=cursor,
        limit=limit,
    )
    rows = []
    for article in page.items:
        versions: list[ArticleVersion] = article.current  # type: ignore[attr-defined]
        live = _live_among(versions, moment)
        waiting = [v for v in versions if v.status == Status.SCHEDULED and v != live]
        waiting = [v for v in waiting if v.publish_at and v.publish_at > moment]
        drafts = [v for v in versions if v.status == Status.DRAFT]
        rows.append(
            ArticleRow(
                article=article,
                live=live,
                scheduled=waiting[0] if waiting else None,
                draft=drafts[0] if drafts else None,
                has_translation=article.has_translation,  # type: ignore[attr-defined]
                translation_live=article.translation_live,  # type: ignore[attr-defined]
            )
        )
    return ArticlePage(rows=rows, next_cursor=page.next_cursor)


def article_get(*, article_id: int) -> Article:
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        raise NotFound(article_id=article_id)
    return article


@dataclass(frozen=True)
class VersionRow:
    version: ArticleVersion
    status: str  # as readers experience it (see `shown_status`)

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)


def article_versions(*, article: Article) -> list[VersionRow]:
    """Every version of an article, newest first, with its status as readers see it.
    One query."""
    moment = clock.now()
    versions = list(article.versions.select_related("author", "published_by").order_by("-number"))
    live = _live_among(versions, moment)
    live_id = live.pk if live else None
    return [VersionRow(v, shown_status(v, live_id=live_id, moment=moment)) for v in versions]


def article_translations(*, article: Article) -> list[Article]:
    """The other-language articles of its translation group."""
    return list(
        Article.objects.filter(translation_group=article.translation_group)
        .exclude(pk=article.pk)
        .order_by("language")
    )


def version_get(*, version_id: int) -> ArticleVersion:
    version = ArticleVersion.objects.select_related("article").filter(pk=version_id).first()
    if version is None:
        raise NotFound(version_id=version_id)
    return version


def live_translations(*, article: Article) -> list[ArticleVersion]:
    """The live versions of the article's translations (its other languages). One query."""
    return list(
        live_versions()
        .filter(article__translation_group=article.translation_group)
        .exclude(article_id=article.pk)
        .select_related("article")
        .order_by("article__language")
    )


def article_for_editor(*, by: Advisor, article_id: int) -> Article:
    """An article to edit: the caller must be an editor (checked before the fetch)."""
    if not can_edit_knowledge(by):
        raise NotAnEditor(advisor_id=by.pk)
    return article_get(article_id=article_id)


def version_for_editor(*, by: Advisor, version_id: int) -> ArticleVersion:
    if not can_edit_knowledge(by):
        raise NotAnEditor(advisor_id=by.pk)
    return version_get(version_id=version_id)
