"""Articles (answers, procedures, offers and prices) and their versions.

An article is written in one language; its translations share a `translation_group`.

What customers, advisors and the assistant read is the article's *live* version: of
its scheduled or published versions, the one whose `publish_at` came last
(`selectors.live_versions`). Every reader asks that same question of the same clock, so
channels cannot disagree, and a scheduled version goes live at its window on every
channel at once, whether or not the publication sweep has run yet. The sweep then only
brings the stored status in line (one `published` version per article; the database
refuses a second one).
"""

import uuid

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from suivi.core.vocabulary import Language


class Article(models.Model):
    class Kind(models.TextChoices):
        ANSWER = "answer", _("Answer")
        PROCEDURE = "procedure", _("Procedure")
        OFFER = "offer", _("Offer or price")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.ANSWER)
    topic = models.CharField(_("topic"), max_length=80, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=Language)
    # The French and the English article about one thing share this group.
    translation_group = models.UUIDField(_("translation group"), default=uuid.uuid4)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        "people.Advisor",
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["topic", "pk"]
        indexes = [models.Index(fields=["topic", "id"], name="knowledge_article_topic_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["translation_group", "language"], name="knowledge_one_article_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic or self.get_kind_display()} ({self.language})"


class ArticleVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body_html = models.TextField(_("text (HTML)"))  # sanitised by the service
    body_text = models.TextField(_("text"))  # what a reply or the assistant quotes
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.DRAFT)
    # When it goes (or went) live: the window of a scheduled version, the moment of an
    # urgent publication. Set for every scheduled and published version.
    publish_at = models.DateTimeField(_("goes live at"), null=True, blank=True)
    # When readers first saw it; stays empty for a version retired before it was served.
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    # Set only when the version skipped the publication window.
    urgent_reason = models.TextField(_("reason for urgent publication"), blank=True)
    author = models.ForeignKey(
        "people.Advisor",
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    published_by = models.ForeignKey(
        "people.Advisor",
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"))
    # Accent-free lower-case title and text: the SQLite search fallback reads it.
    search_text = models.TextField(editable=False, default="")
    # PostgreSQL full text (suivi_french / suivi_english); kept by the service, GIN-indexed
    # by migration 0002. Stays empty on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["article_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["article"],
                condition=models.Q(status="published"),
                name="knowledge_one_published_version",
            ),
            models.UniqueConstraint(fields=["article", "number"], name="knowledge_version_number"),
            models.CheckConstraint(
                condition=~models.Q(status__in=["scheduled", "published"])
                | models.Q(publish_at__isnull=False),
                name="knowledge_scheduled_has_window",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False),
                name="knowledge_published_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "publish_at"], name="knowledge_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.number}, {self.status})"
