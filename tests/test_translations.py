"""The French and English catalogues are complete, well formed and compiled.

Fixing a failure here: run `make messages`, translate the new entries of
suivi/locale/fr/LC_MESSAGES/django.po (and drop their "#, fuzzy" flag), then run
`make messages` again so that the .mo files are compiled. Commit the .po and the .mo.
"""

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils import translation

import suivi

PACKAGE = Path(suivi.__file__).resolve().parent
LOCALE = PACKAGE / "locale"
LANGUAGES = ("fr", "en")
HOW_TO_FIX = (
    "Run `make messages`, translate the new French entries in "
    "suivi/locale/fr/LC_MESSAGES/django.po (remove '#, fuzzy'), then `make messages` again."
)


@dataclass
class Entry:
    msgid: str
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def label(self) -> str:
        context = f"[{self.msgctxt}] " if self.msgctxt else ""
        return f"line {self.line}: {context}{self.msgid!r}"


def parse_po(path: Path) -> list[Entry]:
    """A small reader for the PO files written by gettext; obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    entry: Entry | None = None
    flags: set[str] = set()
    target: tuple[str, int] | None = None

    def start(line_number: int) -> Entry:
        nonlocal entry, flags
        if entry is None:
            entry = Entry(msgid="", flags=flags, line=line_number)
            entries.append(entry)
            flags = set()
        return entry

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            entry, target = None, None
            continue
        if line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.startswith('"'):
            value, rest = line, None
        else:
            value = rest
        text = ast.literal_eval(value)
        if rest is None:  # continuation of the previous keyword
            assert entry is not None and target is not None, f"{path}:{number}: stray string"
        elif keyword == "msgctxt":
            # msgctxt opens an entry, unless a blank line was missing.
            start(number).msgctxt = ""
            target = ("msgctxt", 0)
        elif keyword == "msgid":
            start(number)
            target = ("msgid", 0)
        elif keyword == "msgid_plural":
            target = ("msgid_plural", 0)
            assert entry is not None
            entry.msgid_plural = ""
        elif keyword == "msgstr":
            target = ("msgstr", 0)
            assert entry is not None
            entry.msgstr[0] = ""
        elif match := re.fullmatch(r"msgstr\[(\d+)\]", keyword):
            target = ("msgstr", int(match.group(1)))
            assert entry is not None
            entry.msgstr[target[1]] = ""
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
        assert entry is not None and target is not None
        name, index = target
        if name == "msgstr":
            entry.msgstr[index] += text
        else:
            setattr(entry, name, (getattr(entry, name) or "") + text)
    return entries


def catalogue(language: str) -> list[Entry]:
    path = LOCALE / language / "LC_MESSAGES" / "django.po"
    assert path.is_file(), f"{path} is missing. {HOW_TO_FIX}"
    entries = parse_po(path)
    header = [entry for entry in entries if entry.msgid == "" and entry.msgctxt is None]
    assert len(header) == 1, f"{path}: expected one header"
    return [entry for entry in entries if entry is not header[0]]


def header(language: str) -> Entry:
    path = LOCALE / language / "LC_MESSAGES" / "django.po"
    return next(entry for entry in parse_po(path) if entry.msgid == "")


PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|\{(\w*)[^{}]*\}")


def placeholders(text: str) -> list[str]:
    return sorted(named or brace for named, brace in PLACEHOLDER.findall(text))


# (a) Both catalogues are complete and well formed.


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_header_is_ready(language):
    entry = header(language)
    assert "fuzzy" not in entry.flags, f"{language}: remove '#, fuzzy' from the header"
    text = entry.msgstr[0]
    assert f"Language: {language}\n" in text
    assert "charset=UTF-8" in text
    expected_plural = "plural=(n > 1);" if language == "fr" else "plural=(n != 1);"
    assert expected_plural in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_not_fuzzy(language):
    entries = catalogue(language)
    assert entries, f"{language}: empty catalogue. {HOW_TO_FIX}"
    fuzzy = [entry.label for entry in entries if "fuzzy" in entry.flags]
    untranslated = [
        entry.label
        for entry in entries
        if not entry.msgstr
        or any(not text for text in entry.msgstr.values())
        or (entry.msgid_plural is not None and sorted(entry.msgstr) != [0, 1])
    ]
    assert not (fuzzy or untranslated), (
        f"{language}: untranslated entries:\n"
        + "\n".join(untranslated)
        + "\nfuzzy entries (check the translation, then remove '#, fuzzy'):\n"
        + "\n".join(fuzzy)
        + f"\n{HOW_TO_FIX}"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_their_placeholders(language):
    wrong = []
    for entry in catalogue(language):
        for index, text in entry.msgstr.items():
            source = entry.msgid_plural if index and entry.msgid_plural else entry.msgid
            if placeholders(text) != placeholders(source):
                wrong.append(f"{entry.label} -> {text!r}")
    assert not wrong, f"{language}: placeholders differ:\n" + "\n".join(wrong)


# French conventions: typographic apostrophe, « » quotes, and a non-breaking space (U+00A0)
# before : ; ? ! and inside « ».
def test_french_typography_is_consistent():
    problems = []
    for entry in catalogue("fr"):
        for text in entry.msgstr.values():
            bare = PLACEHOLDER.sub("X", text).replace("://", "")
            if "'" in bare:
                problems.append(f"{entry.label}: use ’ rather than '")
            if re.search(r'["“”]', bare):
                problems.append(f'{entry.label}: use « » rather than " or “ ”')
            if re.search(r"(?<!\u00a0)[:;?!]|«(?!\u00a0)|(?<!\u00a0)»", bare):
                problems.append(f"{entry.label}: a non-breaking space before : ; ? ! »")
    assert not problems, "\n".join(problems)


# (b) The catalogues hold exactly the strings marked in the source.


def _gettext_tools_missing() -> bool:
    return not all(shutil.which(tool) for tool in ("xgettext", "msgmerge", "msguniq"))


@pytest.mark.skipif(_gettext_tools_missing(), reason="GNU gettext (xgettext) is not installed")
def test_catalogue_holds_exactly_the_marked_strings(tmp_path):
    copy = tmp_path / "suivi"
    shutil.copytree(
        PACKAGE,
        copy,
        ignore=shutil.ignore_patterns("__pycache__", "migrations", "static", "*.mo"),
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "suivi.settings",
        "SUIVI_SECRET_KEY": "insecure-key-for-messages",
        "SUIVI_VAR_DIR": str(tmp_path / "var"),
    }
    command = [sys.executable, "-m", "django", "makemessages", "-l", "fr", "--no-obsolete"]
    command += ["--ignore", "migrations/*", "--settings", "suivi.settings"]
    result = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr

    def msgids(root: Path) -> set[tuple[str | None, str]]:
        return {entry.key for entry in parse_po(root / "fr/LC_MESSAGES/django.po") if entry.msgid}

    source, committed = msgids(copy / "locale"), msgids(LOCALE)
    missing = sorted(msgid for _, msgid in source - committed)
    stale = sorted(msgid for _, msgid in committed - source)
    assert not missing, (
        "Strings marked for translation but missing from the catalogues:\n"
        + "\n".join(f"  {msgid!r}" for msgid in missing)
        + f"\n{HOW_TO_FIX}"
    )
    assert not stale, (
        "Strings in the catalogues that the source no longer uses:\n"
        + "\n".join(f"  {msgid!r}" for msgid in stale)
        + "\nRun `make messages`."
    )


# (c) The committed .mo files match the .po files.


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_po(language):
    mo = LOCALE / language / "LC_MESSAGES" / "django.mo"
    assert mo.is_file(), f"{mo} is missing: run `make messages`."
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in catalogue(language):
        if "fuzzy" in entry.flags or not all(entry.msgstr.values()):
            continue  # not compiled, on purpose; the tests above report them
        if entry.msgid_plural is None:
            if entry.msgctxt is None:
                got = compiled.gettext(entry.msgid)
            else:
                got = compiled.pgettext(entry.msgctxt, entry.msgid)
            if got != entry.msgstr[0]:
                stale.append(f"{entry.label}: .mo has {got!r}")
            continue
        # n=1 picks msgstr[0] and n=2 msgstr[1], in French as in English.
        for n, index in ((1, 0), (2, 1)):
            if entry.msgctxt is None:
                got = compiled.ngettext(entry.msgid, entry.msgid_plural, n)
            else:
                got = compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
            if got != entry.msgstr[index]:
                stale.append(f"{entry.label} (n={n}): .mo has {got!r}")
    assert not stale, f"{mo} is out of date: run `make messages` and commit the .mo.\n" + "\n".join(
        stale
    )


@pytest.mark.parametrize(
    ("language", "source", "expected"),
    [
        ("fr", "Hello %(name)s", "Bonjour %(name)s"),
        ("fr", "Not found.", "Introuvable."),
        (
            "fr",
            "A handoff needs a context note: it is what the customer would otherwise repeat.",
            "Une passation demande une note de passation\u00a0: "
            "sans elle, le client devrait tout répéter.",
        ),
        (
            "fr",
            "“%(value)s” is not a valid e-mail address.",
            "«\u00a0%(value)s\u00a0» n’est pas une adresse e-mail valide.",
        ),
        ("en", "Hello %(name)s", "Hello %(name)s"),
        ("en", "Not found.", "Not found."),
    ],
)
def test_django_uses_the_catalogues(language, source, expected):
    with translation.override(language):
        assert translation.gettext(source) == expected


def test_django_uses_the_plural_forms():
    singular, plural = "%(counter)s customer found", "%(counter)s customers found"
    with translation.override("fr"):
        assert translation.ngettext(singular, plural, 0) == "%(counter)s client trouvé"
        assert translation.ngettext(singular, plural, 1) == "%(counter)s client trouvé"
        assert translation.ngettext(singular, plural, 2) == "%(counter)s clients trouvés"
    with translation.override("en"):
        assert translation.ngettext(singular, plural, 0) == plural
        assert translation.ngettext(singular, plural, 1) == singular
