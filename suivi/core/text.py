"""Text helpers with one job each: search keys and sanitised HTML."""

import unicodedata

import nh3

# Tags an advisor or a customer's e-mail may legitimately use; everything else is dropped.
_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4",
    "hr", "i", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan"}}


def search_key(value: str) -> str:
    """Lower-case, accents removed, spaces collapsed: 'Hélène  Dupré' -> 'helene dupre'."""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def sanitise_html(html: str) -> str:
    """HTML from outside, reduced to harmless formatting; links get rel=noopener."""
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )


def excerpt(text: str, length: int = 160) -> str:
    """The first `length` characters of a text on one line, with an ellipsis if cut."""
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"
