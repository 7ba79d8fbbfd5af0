"""Full-text search on PostgreSQL: the unaccent extension, two text search
configurations that ignore accents (suivi_french, suivi_english: unaccent, then the
language's stemmer) and a GIN index over the versions' stored tsvector (scheduled
versions become searchable at their window without being re-indexed).
Nothing happens on SQLite, which searches with a simple fallback."""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

CONFIGS = {"suivi_french": "french", "suivi_english": "english"}
INDEX = "knowledge_search_idx"


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, base in CONFIGS.items():
        schema_editor.execute(
            f"DO $$ BEGIN "
            f"IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{name}') THEN "
            f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = {base}); "
            f"ALTER TEXT SEARCH CONFIGURATION {name} "
            f"ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {base}_stem; "
            f"END IF; END $$"
        )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON knowledge_articleversion "
        "USING gin (search_vector) WHERE status IN ('scheduled', 'published')"
    )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    for name in CONFIGS:
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    # UnaccentExtension does nothing on other databases.
    operations = [UnaccentExtension(), migrations.RunPython(add, remove)]
