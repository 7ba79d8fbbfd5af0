"""django-helpdesk's own e-mail import against Suivi's, on the same corpus (issue 4).

django-helpdesk is never a dependency of Suivi: install it in a throwaway virtualenv
and run this script with that virtualenv's python (it needs Django, helpdesk and
psycopg; Suivi itself runs from /work/main/.venv in subprocesses):

    python3 -m venv /tmp/helpdesk-venv
    /tmp/helpdesk-venv/bin/pip install django-helpdesk 'psycopg[binary]'
    /tmp/helpdesk-venv/bin/python bench/helpdesk_compare.py [--messages 400] [--skip-ingest]

The mailbox holds N copies of tests/channels/email/corpus/*.eml, each with a unique
Message-ID and a unique From address (the local part gets a ".cN" suffix), so every
message is a new sender. Three measurements, all on PostgreSQL (127.0.0.1, user
postgres, trust auth; SUIVI_BENCH_PG changes the server):

1. django-helpdesk: a minimal project in a temp dir (INSTALLED_APPS per its install
   docs, teams mode off so pinax-teams is not needed), database helpdesk_bench, one
   Queue with email_box_type "local" on the mailbox directory; `get_email` is timed
   in-process (call_command, interpreter start-up and Django set-up excluded); tickets,
   follow-ups and files left are counted. Its acknowledgements go to a file backend.
2. Suivi, same messages, same shape: one process, in a loop, each message stored as an
   InboundMessage and processed right after its commit (django-tasks ImmediateBackend):
   parse, quote-strip, identify or create the customer, thread, record, acknowledge
   (acknowledgements written as .eml files, as in the demo). Database
   suivi_bench_helpdesk_cmp.
3. Unless --skip-ingest: bench/email_ingest.py's own figure for the same message count
   with 1 worker (SMTP DATA -> routed interaction, smtpd + db_worker processes).

Before the timed run, one copy of the corpus goes through django-helpdesk alone to show
what it does with each message; corpus files it cannot read at all (its local-mailbox
reader opens files as UTF-8 text and a decoding error aborts the whole queue) are left
out of the timed set, for both systems, and listed.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "channels" / "email" / "corpus"
SUIVI_PYTHON = ROOT / ".venv" / "bin" / "python"
BASE = os.environ.get("SUIVI_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
HELPDESK_DB = "helpdesk_bench"
SUIVI_DB = "suivi_bench_helpdesk_cmp"
SUPPORT = "support@suivi.localhost"

SETTINGS = """\
from pathlib import Path

BASE = Path(__file__).resolve().parent
SECRET_KEY = "bench-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
SITE_ID = 1
USE_TZ = True
ROOT_URLCONF = "bench_urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.sites",
    "django.contrib.admin",
    "django.contrib.messages",
    "django.contrib.humanize",
    "rest_framework",
    "helpdesk",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
        "django.template.context_processors.request",
    ]},
}]
DATABASES = {"default": {
    "ENGINE": "django.db.backends.postgresql",
    "NAME": %(db)r, "HOST": %(host)r, "PORT": %(port)r, "USER": %(user)r,
}}
HELPDESK_TEAMS_MODE_ENABLED = False
MEDIA_ROOT = str(BASE / "media")
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = str(BASE / "outbox")
DEFAULT_FROM_EMAIL = %(support)r
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"err": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["err"], "level": "WARNING"},
}
"""

URLS = """\
from django.urls import include, path

urlpatterns = [path("helpdesk/", include("helpdesk.urls"))]
"""

HELPDESK_SETUP = """\
from django.contrib.sites.models import Site
from helpdesk.models import Queue
Site.objects.update_or_create(pk=1, defaults={"domain": "helpdesk.localhost", "name": "bench"})
Queue.objects.all().delete()
Queue.objects.create(
    title="Support", slug="support", email_address=%(support)r,
    allow_email_submission=True, email_box_type="local", email_box_local_dir=%(mailbox)r,
    email_box_interval=0, logging_type="warn",
)
"""

HELPDESK_RUN = """\
import json, time
from django.core.management import call_command
from helpdesk.models import FollowUp, Ticket
start = time.perf_counter()
call_command("get_email")
elapsed = time.perf_counter() - start
print("RESULT " + json.dumps({
    "seconds": elapsed, "tickets": Ticket.objects.count(),
    "followups": FollowUp.objects.count(),
}))
"""

HELPDESK_CLASSIFY = """\
import json, logging
from pathlib import Path
from django.utils import encoding
from helpdesk.email import extract_email_metadata
from helpdesk.models import Queue
queue = Queue.objects.get(slug="support")
logger = logging.getLogger("bench")
outcome = {}
for path in sorted(Path(%(corpus)r).glob("*.eml")):
    try:
        with open(path, "r") as f:  # as helpdesk.email.process_queue reads local mail
            message = encoding.force_str(f.read(), errors="replace")
        ticket = extract_email_metadata(message=message, queue=queue, logger=logger)
        outcome[path.name] = "ticket" if ticket else "left"
    except Exception as error:
        outcome[path.name] = f"{type(error).__name__}: {str(error)[:60]}"
print("RESULT " + json.dumps(outcome))
"""

SUIVI_RUN = """\
import json, time
from pathlib import Path
from django.db.models import Count
from suivi.channels.email.parsing import external_id
from suivi.channels.inbound import inbound_store
from suivi.channels.models import InboundMessage
from suivi.conversations.models import Case, Interaction
raws = [p.read_bytes() for p in sorted(Path(%(mailbox)r).iterdir())]
start = time.perf_counter()
for raw in raws:
    inbound_store(channel="email", external_id=external_id(raw), raw=raw, source="bench",
                  envelope={"rcpt_tos": [%(support)r]})
elapsed = time.perf_counter() - start
statuses = dict(InboundMessage.objects.values_list("status").annotate(n=Count("id")))
print("RESULT " + json.dumps({
    "seconds": elapsed, "messages": len(raws), "statuses": statuses,
    "cases": Case.objects.count(),
    "interactions_in": Interaction.objects.filter(direction="in").count(),
}))
"""


def _sql(query: str, db: str = "postgres") -> None:
    with psycopg.connect(f"{BASE}/{db}", autocommit=True) as conn:
        conn.execute(query)


def _fresh(db: str) -> None:
    _sql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
    _sql(f"CREATE DATABASE {db}")


def _result(completed: subprocess.CompletedProcess) -> dict:
    for line in completed.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    sys.stderr.write(completed.stdout + completed.stderr)
    raise SystemExit("no result line")


def _rewrite(raw: bytes, n: int, stem: str) -> bytes:
    """A unique Message-ID and From address for copy n of one corpus message."""
    sep = b"\r\n\r\n" if b"\r\n\r\n" in raw else b"\n\n"
    head, _, body = raw.partition(sep)
    eol = sep[: len(sep) // 2]
    lines: list[bytes] = []
    skipping = False
    for line in head.split(eol):
        if line[:1] in (b" ", b"\t") and skipping:
            continue
        skipping = line.lower().startswith(b"message-id:")
        if not skipping:
            lines.append(line)
    for i, line in enumerate(lines):
        if line.lower().startswith(b"from:"):
            lines[i] = re.sub(rb"([^\s<>@\"]+)@", rb"\1.c%d@" % n, line, count=1)
            break
    lines.append(b"Message-ID: <cmp-%d-%s@bench.example>" % (n, stem.encode()))
    return eol.join(lines) + sep + body


def _fill(mailbox: Path, files: list[Path], count: int, first: int = 0) -> None:
    mailbox.mkdir(parents=True, exist_ok=True)
    for n in range(first, first + count):
        source = files[n % len(files)]
        (mailbox / f"{n:06d}-{source.stem}.eml").write_bytes(
            _rewrite(source.read_bytes(), n, source.stem)
        )


class Helpdesk:
    def __init__(self, workdir: Path) -> None:
        self.dir = workdir / "helpdesk_project"
        self.dir.mkdir()
        self.mailbox = workdir / "helpdesk_mailbox"
        dsn = psycopg.conninfo.conninfo_to_dict(BASE)
        (self.dir / "bench_settings.py").write_text(
            SETTINGS
            % {
                "db": HELPDESK_DB,
                "host": dsn.get("host", "127.0.0.1"),
                "port": str(dsn.get("port", "5432")),
                "user": dsn.get("user", "postgres"),
                "support": SUPPORT,
            }
        )
        (self.dir / "bench_urls.py").write_text(URLS)

    def _manage(self, *args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench_settings"}
        env["PYTHONPATH"] = str(self.dir)
        argv = [sys.executable, "-m", "django", *args]
        completed = subprocess.run(argv, cwd=self.dir, env=env, capture_output=True, text=True)  # noqa: S603
        if completed.returncode:
            sys.stderr.write(completed.stdout + completed.stderr)
            raise SystemExit(f"django-helpdesk project: {' '.join(args[:1])} failed")
        return completed

    def reset(self) -> None:
        _fresh(HELPDESK_DB)
        self._manage("migrate", "--verbosity", "0")
        shutil.rmtree(self.mailbox, ignore_errors=True)
        self.mailbox.mkdir()
        setup = HELPDESK_SETUP % {"support": SUPPORT, "mailbox": str(self.mailbox)}
        self._manage("shell", "-c", setup)

    def shell(self, script: str) -> subprocess.CompletedProcess:
        return self._manage("shell", "-c", script)

    def get_email(self) -> tuple[dict, list[str], str]:
        completed = self.shell(HELPDESK_RUN)
        result = _result(completed)
        return result, sorted(p.name for p in self.mailbox.iterdir()), completed.stderr


def _suivi_env(workdir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "SUIVI_DATABASE_URL": f"{BASE}/{SUIVI_DB}",
        "SUIVI_SECRET_KEY": "bench-only-not-a-secret",
        "SUIVI_TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "SUIVI_LOG_LEVEL": "ERROR",
        "SUIVI_EMAIL_ACKS_PER_HOUR": "100000",
        "SUIVI_VAR_DIR": str(workdir / "suivi_var"),
    }


def _suivi(workdir: Path, mailbox: Path) -> dict:
    _fresh(SUIVI_DB)
    env = _suivi_env(workdir)
    migrate = [str(SUIVI_PYTHON), "-m", "suivi", "migrate", "--verbosity", "0"]
    subprocess.run(migrate, cwd=ROOT, env=env, check=True)  # noqa: S603 - our own command
    script = SUIVI_RUN % {"mailbox": str(mailbox), "support": SUPPORT}
    completed = subprocess.run(  # noqa: S603 - our own command and script
        [str(SUIVI_PYTHON), "-m", "suivi", "shell", "-v", "0", "-c", script],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return _result(completed)


def _ingest_bench(messages: int) -> str:
    completed = subprocess.run(  # noqa: S603 - our own bench
        [str(SUIVI_PYTHON), "bench/email_ingest.py", "--messages", str(messages), "--workers", "1"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return completed.stdout.strip().splitlines()[-1]


def _versions() -> str:
    from importlib.metadata import version

    import django

    suivi_django = subprocess.run(  # noqa: S603 - our own interpreter
        [str(SUIVI_PYTHON), "-c", "import django; print(django.get_version())"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    with psycopg.connect(f"{BASE}/postgres") as conn:
        (server,) = conn.execute("SHOW server_version").fetchone()
    return (
        f"django-helpdesk {version('django-helpdesk')} on Django {django.get_version()} "
        f"(throwaway venv, Python {sys.version.split()[0]}); Suivi on Django {suivi_django}; "
        f"PostgreSQL {server}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--skip-ingest", action="store_true", help="skip bench/email_ingest.py")
    args = parser.parse_args()
    try:
        import helpdesk
    except ImportError:
        raise SystemExit("run with a venv holding django-helpdesk (see the docstring)") from None

    print(_versions())
    corpus = sorted(CORPUS.glob("*.eml"))
    workdir = Path(tempfile.mkdtemp(prefix="helpdesk-compare-"))
    try:
        helpdesk = Helpdesk(workdir)

        # 1. Each corpus message once through django-helpdesk's reader and importer.
        helpdesk.reset()
        outcome = _result(helpdesk.shell(HELPDESK_CLASSIFY % {"corpus": str(CORPUS)}))
        failing = {name: what for name, what in outcome.items() if what not in ("ticket", "left")}
        left = [name for name, what in outcome.items() if what == "left"]
        print(
            f"\nCorpus once through django-helpdesk: {len(outcome) - len(failing) - len(left)} "
            f"tickets, {len(left)} left unprocessed ({', '.join(left)}), {len(failing)} raise "
            "(in get_email such an exception aborts the whole queue run):"
        )
        for name, what in failing.items():
            print(f"  {name}: {what}")
        readable = [p for p in corpus if p.name not in failing]

        # 2. The timed run, same messages for both.
        count = args.messages
        helpdesk.reset()
        _fill(helpdesk.mailbox, readable, count)
        suivi_mailbox = workdir / "suivi_mailbox"
        _fill(suivi_mailbox, readable, count)
        hd, left, log = helpdesk.get_email()
        if "Queue processing failed" in log:
            print(log[-2000:])
            raise SystemExit("django-helpdesk aborted the queue run; figures not comparable")
        hd_rate = count / hd["seconds"]
        print(f"\n{count} messages ({len(readable)} corpus messages repeated), one process each")
        print(
            f"django-helpdesk get_email (local mailbox): {hd['seconds']:.2f} s, "
            f"{hd_rate:.0f} msg/s; {hd['tickets']} tickets, {hd['followups']} follow-ups, "
            f"{len(left)} files left"
        )
        suivi = _suivi(workdir, suivi_mailbox)
        suivi_rate = count / suivi["seconds"]
        print(
            f"Suivi inbound_store + processing (inline): {suivi['seconds']:.2f} s, "
            f"{suivi_rate:.0f} msg/s; statuses {suivi['statuses']}, {suivi['cases']} cases, "
            f"{suivi['interactions_in']} inbound interactions"
        )
        print(f"ratio Suivi / django-helpdesk (same messages, inline): {suivi_rate / hd_rate:.2f}")

        # 3. Suivi's published figure: SMTP DATA -> routed interaction, 1 worker.
        if not args.skip_ingest:
            row = _ingest_bench(count)
            end_to_end = float(row.split("|")[2])
            print(f"\nbench/email_ingest.py --messages {count} --workers 1: {row.strip()}")
            print(
                f"ratio Suivi end to end (SMTP + db_worker, {end_to_end:.0f} msg/s) / "
                f"django-helpdesk get_email: {end_to_end / hd_rate:.2f}"
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        _sql(f"DROP DATABASE IF EXISTS {HELPDESK_DB} WITH (FORCE)")
        _sql(f"DROP DATABASE IF EXISTS {SUIVI_DB} WITH (FORCE)")


if __name__ == "__main__":
    main()
