"""The public help pages: no account, one language per URL, only live versions.

What a customer reads here is exactly what advisors insert into replies and what the
assistant answers from (the same `live_versions` selector). Every request counts against
a per-IP budget, like the booking pages.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from suivi.core.ratelimit import over_limit
from suivi.knowledge import selectors
from suivi.knowledge.models import Article

RATE_WINDOW_SECONDS = 600
LANGUAGES = selectors.LANGUAGES


def _over_budget(request: HttpRequest) -> bool:
    return over_limit(
        scope="help",
        client=request.META.get("REMOTE_ADDR", "unknown"),
        limit=int(settings.SUIVI_HELP_RATE_LIMIT),
        window_seconds=RATE_WINDOW_SECONDS,
    )


def help_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Rate-limited, GET only, in the language of the URL."""

    @require_GET
    @wraps(view)
    def wrapper(request: HttpRequest, language: str, *args: Any, **kwargs: Any) -> HttpResponse:
        if language not in LANGUAGES:
            raise Http404
        with translation.override(language):
            if _over_budget(request):
                response = render(
                    request,
                    "web/help/error.html",
                    {"message": _("Too many requests. Please try again in a few minutes."),
                     "language": language},
                    status=429,
                )  # fmt: skip
                response["Retry-After"] = str(RATE_WINDOW_SECONDS)
                return response
            return view(request, language, *args, **kwargs)

    return wrapper


@help_view
def help_index(request: HttpRequest, language: str) -> HttpResponse:
    q = request.GET.get("q", "").strip()[: selectors.QUERY_MAX_CHARS]
    context: dict[str, Any] = {"language": language, "q": q}
    if q:
        context["hits"] = selectors.search(query=q, language=language, limit=20)
    else:
        versions = selectors.live_list(language=language)
        context["groups"] = [
            (label, [v for v in versions if v.article.kind == kind])
            for kind, label in Article.Kind.choices
        ]
    return render(request, "web/help/index.html", context)


@help_view
def help_article(request: HttpRequest, language: str, article_id: int) -> HttpResponse:
    version = selectors.live_version(article_id=article_id)
    if version is None or version.article.language != language:
        # Not live (draft, retired, not yet due) or another language: it does not exist here.
        raise Http404
    translations = selectors.live_translations(article=version.article)
    return render(
        request,
        "web/help/article.html",
        {"language": language, "version": version, "translations": translations},
    )


@require_GET
def help_root(request: HttpRequest) -> HttpResponse:
    """/help/ goes to the help in the visitor's language (French by default)."""
    language = (translation.get_language() or "fr")[:2]
    return redirect("help", language if language in LANGUAGES else "fr")


urlpatterns = [
    path("help/", help_root, name="help-root"),
    path("help/<str:language>/", help_index, name="help"),
    path("help/<str:language>/<int:article_id>/", help_article, name="help-article"),
]
