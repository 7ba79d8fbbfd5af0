"""What is new in a reply: quoted history and signatures removed, in French and English.

The full message stays one click away (the stored raw message); this only decides what
the timeline shows first. When in doubt we keep text: a cut too early loses what the
customer wrote, a cut too late only shows a little history.
"""

import re

# A line that starts the quoted history. "Le … a écrit :" and "On … wrote:" are often
# wrapped over two lines by the mail client, so they are matched on a line and the next.
_ATTRIBUTION = re.compile(
    r"^(le\s.+\sa\s+[ée]crit\s*:|on\s.+\swrote\s*:|.+\s(a\s+[ée]crit|wrote)\s*:)\s*$",
    re.IGNORECASE | re.DOTALL,
)
_SEPARATOR = re.compile(
    r"^\s*(-{2,}\s*(original message|message d'origine|message d’origine|"
    r"forwarded message|message transf[ée]r[ée])\s*-{2,}|_{10,})\s*$",
    re.IGNORECASE,
)
_HEADER_FROM = re.compile(r"^\s*\*?(de|from)\s*:\s*\*?\s*\S", re.IGNORECASE)
_HEADER_OTHER = re.compile(
    r"^\s*\*?(envoy[ée]|sent|date|[àa]|to|objet|subject|cc)\s*:", re.IGNORECASE
)
_SIGNATURE = re.compile(
    r"^(--\s*|envoy[ée] (de|depuis) mon \w+.*|sent from my \w+.*|"
    r"get outlook for \w+.*|t[ée]l[ée]charger outlook pour \w+.*)$",
    re.IGNORECASE,
)


def _is_outlook_block(lines: list[str], index: int) -> bool:
    """'De : … / Envoyé : … / À : …' or 'From: … / Sent: … / To: …' right below."""
    if not _HEADER_FROM.match(lines[index]):
        return False
    following = [line for line in lines[index + 1 : index + 5] if line.strip()]
    return sum(bool(_HEADER_OTHER.match(line)) for line in following) >= 2


def _cut_at(lines: list[str]) -> int | None:
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if _SEPARATOR.match(stripped) or _is_outlook_block(lines, index):
            return index
        if _ATTRIBUTION.match(stripped):
            return index
        if index + 1 < len(lines):
            joined = f"{stripped} {lines[index + 1].strip()}"
            if (
                len(stripped) < 200
                and _ATTRIBUTION.match(joined)
                and (stripped.lower().startswith(("le ", "on ")))
            ):
                return index
        if stripped.startswith(">"):
            # A block of "> " lines with nothing new after it is the quoted history.
            rest = [item for item in lines[index:] if item.strip()]
            if all(
                item.lstrip().startswith(">") or _SIGNATURE.match(item.strip()) for item in rest
            ):
                return index
    return None


def strip_quoted(text: str) -> str:
    lines = text.replace("\r\n", "\n").split("\n")
    cut = _cut_at(lines)
    if cut is not None:
        lines = lines[:cut]
    for index, line in enumerate(lines):
        if _SIGNATURE.match(line.strip()) and index > 0:
            lines = lines[:index]
            break
    visible = "\n".join(lines).strip()
    # Nothing new at all (a bare forward, a reply above an empty line): keep everything.
    return visible or text.strip()
