"""On the embedded SQLite the migrations apply (the full-text parts are PostgreSQL only)
and search falls back to accent- and case-insensitive matching of word stems. Run in a
subprocess on a fresh SQLite file, whatever database the rest of the suite uses."""

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
from suivi.knowledge import selectors, services
from suivi.people.services import advisor_create
editor = advisor_create(username="ed", password="a-long-test-password", display_name="Ed",
                        role="lead")
a = services.article_create(kind="answer", language="fr", title="Résiliation du contrat",
                            body="Résilier depuis l'espace client.", by=editor)
services.version_publish_urgently(version=a.versions.get(), by=editor, reason="setup")
d = services.article_create(kind="answer", language="fr", title="Résiliation brouillon",
                            body="Jamais publié.", by=editor)
print([h.title for h in selectors.search(query="RESILIATION contrat", language="fr")])
print([h.title for h in selectors.search(query="résiliation", language="fr")])
print([h.title for h in selectors.search(query="résiliation", language="en")])
print([h.title for h in selectors.search(query="contrats", language="fr")])
m = services.article_create(kind="answer", language="fr", title="Déménager",
                            body="Pensez à résilier ou transférer.", by=editor)
services.version_publish_urgently(version=m.versions.get(), by=editor, reason="setup")
print([h.title for h in selectors.search(query="résilier", language="fr")])
print([h.title for h in selectors.search(query="déménagement", language="fr")])
from suivi.channels.chat import assistant
said = assistant.reply_to(question="Bonjour, comment résilier mon contrat ?", language="fr")
print(said.outcome, said.hit.title, said.text)
print(assistant.reply_to(question="Un téléphone volé en Espagne ?", language="fr").outcome)
print(assistant.reply_to(question="résilier mon contrat", language="en").outcome)
"""


def test_sqlite_migrates_and_searches_with_the_fallback(tmp_path: Path):
    env = {
        **os.environ,
        "SUIVI_DATABASE_URL": f"sqlite:///{tmp_path / 'suivi.sqlite3'}",
        "SUIVI_VAR_DIR": str(tmp_path),
        "SUIVI_SECRET_KEY": "insecure-test-key",
    }

    def suivi(*args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "suivi", *args],
            env=env, capture_output=True, text=True, timeout=180, check=True,
        ).stdout  # fmt: skip

    suivi("migrate", "--verbosity", "0")
    lines = suivi("shell", "--no-imports", "-c", SCRIPT).strip().splitlines()

    assert lines == [
        "['Résiliation du contrat']",
        "['Résiliation du contrat']",
        "[]",
        "['Résiliation du contrat']",  # a plural finds the singular
        # a derived word finds its kin; the title weighs more than recency
        "['Résiliation du contrat', 'Déménager']",
        "['Déménager']",
        "answered Résiliation du contrat Résilier depuis l'espace client.",
        "unknown",
        "unknown",
    ]
