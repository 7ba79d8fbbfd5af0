"""What can go wrong when writing or publishing knowledge, with stable codes."""

from django.utils.translation import gettext_lazy as _

from suivi.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied


class NotAnEditor(PermissionDenied):
    code = "not_a_knowledge_editor"
    default_message = _("Only knowledge editors can change articles.")


class ArticleNotPublished(NotFound):
    """No live version: for customers and channels, the article does not exist."""

    code = "article_not_published"
    default_message = _("This article is not published.")


class VersionNotEditable(Conflict):
    code = "version_not_editable"
    default_message = _("Only a draft can be changed.")


class VersionNotPublishable(Conflict):
    code = "version_not_publishable"
    default_message = _("Only a draft or a scheduled version can be published.")


class VersionAlreadyRetired(Conflict):
    code = "version_already_retired"
    default_message = _("This version is already retired.")


class UrgentReasonRequired(InvalidInput):
    """Bypassing the publication window is the exception; the reason is kept."""

    code = "urgent_reason_required"
    default_message = _("Say why this fix cannot wait for the next publication window.")


class EmptyArticle(InvalidInput):
    code = "empty_article"
    default_message = _("An article needs a title and a text.")


class TranslationExists(Conflict):
    code = "translation_exists"
    default_message = _("This article already has a version in that language.")


class VersionNotScheduled(Conflict):
    code = "version_not_scheduled"
    default_message = _("Only a scheduled version waiting for its window can go back to draft.")


class UnknownLanguage(InvalidInput):
    code = "unknown_language"
    default_message = _("Articles are written in French or English.")


class UnknownKind(InvalidInput):
    code = "unknown_article_kind"
    default_message = _("An article is an answer, a procedure, or an offer or price.")


class InvalidKnowledgeVersion(InvalidInput):
    """A reply may only quote a version that customers were served."""

    code = "invalid_knowledge_version"
    default_message = _("This article version was never published.")
