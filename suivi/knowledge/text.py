"""An article's text in its two forms: sanitised HTML (help pages) and plain text
(replies, the assistant, search). Editors may type plain paragraphs or simple HTML."""

import re
from html import escape
from html.parser import HTMLParser

from suivi.core.text import sanitise_html

_BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "tr", "ul", "ol", "blockquote", "pre"}
_TAG = re.compile(r"<[a-zA-Z/][^>]*>")


def article_html(body: str) -> str:
    """Sanitised HTML; text without tags becomes paragraphs (blank line = new paragraph)."""
    if not _TAG.search(body):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", body.strip()) if p.strip()]
        body = "".join(
            "<p>" + "<br>".join(escape(line) for line in p.splitlines()) + "</p>"
            for p in paragraphs
        )
    return sanitise_html(body).strip()


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(re.sub(r"\s+", " ", data))


def plain_text(html: str) -> str:
    """What an advisor pastes into a reply: paragraphs separated by a blank line."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
