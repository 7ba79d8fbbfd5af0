"""Knowledge pages: editors write, schedule, publish and retire articles; advisors find
a live answer to insert into a reply (the case page's reply form).

Forms work without JavaScript (post, then redirect); with htmx the version actions
swap the versions panel in place (`hx-select` on the page answered after the redirect).
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from suivi.core.errors import DomainError
from suivi.knowledge import selectors, services
from suivi.knowledge.errors import NotAnEditor
from suivi.knowledge.models import Article
from suivi.people.models import Advisor

from ..access import advisor_view, cursor_of, form_error

SUGGESTIONS = 5
LANGUAGE_CHOICES = [("fr", gettext_lazy("French")), ("en", gettext_lazy("English"))]


class DraftForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    body = forms.CharField(
        label=gettext_lazy("Text"),
        max_length=50_000,
        help_text=gettext_lazy("Plain paragraphs separated by a blank line, or simple HTML."),
        widget=forms.Textarea(attrs={"rows": 12}),
    )


class ArticleForm(DraftForm):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Article.Kind.choices)
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=LANGUAGE_CHOICES)
    topic = forms.CharField(label=gettext_lazy("Topic"), max_length=80, required=False)
    field_order = ["kind", "language", "topic", "title", "body"]


class UrgentForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why it cannot wait for the next window"),
        max_length=2000,
        required=False,  # the service owns the rule and its message
        widget=forms.Textarea(attrs={"rows": 2, "required": True}),
    )


def _editor(me: Advisor) -> None:
    if not services.can_edit_knowledge(me):
        raise NotAnEditor(advisor_id=me.pk)


@require_GET
@advisor_view
def knowledge_list(request: HttpRequest, me: Advisor) -> HttpResponse:
    _editor(me)
    filters: dict[str, Any] = {
        "language": request.GET.get("language", ""),
        "kind": request.GET.get("kind", ""),
        "missing_translation": request.GET.get("missing") == "1",
    }
    page = selectors.articles_for_editors(
        language=filters["language"], kind=filters["kind"],
        missing_translation=filters["missing_translation"], cursor=cursor_of(request),
    )  # fmt: skip
    return render(
        request,
        "web/knowledge/list.html",
        {
            "page": page,
            "filters": filters,
            "kinds": Article.Kind.choices,
            "languages": LANGUAGE_CHOICES,
        },
    )


@require_http_methods(["GET", "POST"])
@advisor_view
def knowledge_new(request: HttpRequest, me: Advisor) -> HttpResponse:
    _editor(me)
    original = None
    if original_id := request.GET.get("translation_of", ""):
        original = selectors.article_for_editor(
            by=me, article_id=int(original_id) if original_id.isdigit() else 0
        )
    initial: dict[str, Any] = {}
    if original is not None:
        other = "en" if original.language == "fr" else "fr"
        initial = {"kind": original.kind, "language": other, "topic": original.topic}
    form = ArticleForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                article = services.article_create(
                    kind=data["kind"], language=data["language"], topic=data["topic"],
                    title=data["title"], body=data["body"], by=me, translation_of=original,
                )  # fmt: skip
            except DomainError as error:
                status = form_error(form, error)
            else:
                messages.success(request, _("Article created as a draft."))
                return redirect("knowledge-article", article_id=article.pk)
    return render(
        request, "web/knowledge/new.html", {"form": form, "original": original}, status=status
    )


def _render_article(
    request: HttpRequest, me: Advisor, article: Article, *, bound: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:  # fmt: skip
    rows = selectors.article_versions(article=article)
    draft = next((row.version for row in rows if row.version.status == "draft"), None)
    context: dict[str, Any] = {
        "article": article,
        "rows": rows,
        "draft": draft,
        "draft_form": DraftForm(
            initial={"title": draft.title, "body": draft.body_html} if draft else None
        ),
        "urgent_form": UrgentForm(),
        "translations": selectors.article_translations(article=article),
        **(bound or {}),
    }
    return render(request, "web/knowledge/article.html", context, status=status)


@require_GET
@advisor_view
def knowledge_article(request: HttpRequest, me: Advisor, article_id: int) -> HttpResponse:
    return _render_article(request, me, selectors.article_for_editor(by=me, article_id=article_id))


@require_POST
@advisor_view
def knowledge_draft_new(request: HttpRequest, me: Advisor, article_id: int) -> HttpResponse:
    """A new draft starting from the newest version's text."""
    article = selectors.article_for_editor(by=me, article_id=article_id)
    newest = article.versions.order_by("-number").first()
    if newest is None:  # pragma: no cover - an article is created with its first draft
        return redirect("knowledge-article", article_id=article.pk)
    services.version_draft_create(article=article, title=newest.title, body=newest.body_html, by=me)
    messages.success(request, _("New draft created from the latest version."))
    return redirect("knowledge-article", article_id=article.pk)


@require_POST
@advisor_view
def knowledge_draft_save(request: HttpRequest, me: Advisor, version_id: int) -> HttpResponse:
    version = selectors.version_for_editor(by=me, version_id=version_id)
    form = DraftForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            services.version_draft_update(
                version=version, title=form.cleaned_data["title"], body=form.cleaned_data["body"],
                by=me,
            )  # fmt: skip
        except DomainError as error:
            status = form_error(form, error)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("knowledge-article", article_id=version.article_id)
    return _render_article(request, me, version.article, bound={"draft_form": form}, status=status)


def _version_action(action: str) -> Any:
    @require_POST
    @advisor_view
    def view(request: HttpRequest, me: Advisor, version_id: int) -> HttpResponse:
        version = selectors.version_for_editor(by=me, version_id=version_id)
        try:
            if action == "schedule":
                done = services.version_schedule(version=version, by=me)
                messages.success(request, _("Scheduled for the next publication window."))
            elif action == "unschedule":
                done = services.version_unschedule(version=version, by=me)
                messages.success(request, _("Back to draft."))
            elif action == "retire":
                done = services.version_retire(version=version, by=me)
                messages.success(request, _("Version retired: it is no longer served."))
            else:
                form = UrgentForm(request.POST)
                reason = form.cleaned_data["reason"] if form.is_valid() else ""
                try:
                    done = services.version_publish_urgently(version=version, by=me, reason=reason)
                except DomainError as error:
                    form_error(form, error, "reason")
                    return _render_article(
                        request, me, version.article, bound={"urgent_form": form},
                        status=error.status,
                    )  # fmt: skip
                messages.success(request, _("Published now on every channel."))
        except DomainError as error:
            messages.error(request, str(error.message))
            return redirect("knowledge-article", article_id=version.article_id)
        return redirect("knowledge-article", article_id=done.article_id)

    view.__name__ = f"knowledge_version_{action}"
    return view


@require_GET
@advisor_view
def knowledge_suggest(request: HttpRequest, me: Advisor) -> HttpResponse:
    """Live answers for the reply form of the case page (any advisor): a fragment."""
    q = request.GET.get("q", "")
    language = request.GET.get("language") or None
    hits = selectors.search(query=q, language=language, limit=SUGGESTIONS) if q.strip() else []
    return render(request, "web/knowledge/_suggestions.html", {"hits": hits, "q": q.strip()})


urlpatterns = [
    path("knowledge/", knowledge_list, name="knowledge"),
    path("knowledge/new/", knowledge_new, name="knowledge-new"),
    path("knowledge/suggest/", knowledge_suggest, name="knowledge-suggest"),
    path("knowledge/<int:article_id>/", knowledge_article, name="knowledge-article"),
    path("knowledge/<int:article_id>/drafts/", knowledge_draft_new, name="knowledge-draft-new"),
    path("knowledge/versions/<int:version_id>/", knowledge_draft_save, name="knowledge-draft-save"),
    *(
        path(f"knowledge/versions/<int:version_id>/{action}/", _version_action(action),
             name=f"knowledge-{action}")
        for action in ("schedule", "unschedule", "publish", "retire")
    ),
]  # fmt: skip
