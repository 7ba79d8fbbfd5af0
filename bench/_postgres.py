"""The benches' own PostgreSQL databases: statements outside Django, and a fresh,
migrated database for one run (`SUIVI_BENCH_PG` names the server)."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BASE = os.environ.get("SUIVI_BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def sql(query: str, db: str = "postgres", params: tuple = ()) -> list[tuple]:
    """One statement in autocommit (CREATE/DROP DATABASE need it); its rows, if any."""
    with psycopg.connect(f"{BASE}/{db}", autocommit=True) as conn:
        cur = conn.execute(query, params)  # type: ignore[arg-type]
        return cur.fetchall() if cur.description else []


def fresh_database(db: str, env: dict[str, str]) -> None:
    """Drop `db` (whoever is connected) and create it again, migrated by `suivi migrate`
    run with `env` (which points SUIVI_DATABASE_URL at it)."""
    sql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
    sql(f"CREATE DATABASE {db}")
    subprocess.run(
        [sys.executable, "-m", "suivi", "migrate", "--verbosity", "0"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
