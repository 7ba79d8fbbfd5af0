"""E-mail ingestion throughput: from SMTP DATA to a routed interaction, on PostgreSQL.

    .venv/bin/python bench/email_ingest.py [--messages 1000] [--workers 1 2]

For each worker count: a fresh database (suivi_bench_email), `suivi smtpd` and the
real task workers (`db_worker`, django-tasks-db) as processes. Messages are sent with
smtplib over two connections; we time (a) SMTP acceptance (250 = committed) and (b) end
to end, until every message is an interaction on a case (customer identified or
created, threaded, acknowledged). Half the senders are known customers, a quarter write
twice on the same topic. Each row also gives the CPU milliseconds per message of the
receiver, the workers (after their start-up), every PostgreSQL process of the machine
(so run it alone) and this client: where the two cores went.
"""

import argparse
import os
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from _postgres import BASE, fresh_database, sql

ROOT = Path(__file__).resolve().parent.parent
TICK = os.sysconf("SC_CLK_TCK")
DB = os.environ.get("SUIVI_BENCH_DB", "suivi_bench_email")


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "SUIVI_DATABASE_URL": f"{BASE}/{DB}",
        "SUIVI_SECRET_KEY": "bench-only-not-a-secret",
        "SUIVI_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "SUIVI_LOG_LEVEL": "ERROR",
        "SUIVI_EMAIL_ACKS_PER_HOUR": "100000",
        "SUIVI_VAR_DIR": str(ROOT / "var" / "bench-email"),
    }


def _suivi(*args: str, **kwargs) -> subprocess.Popen:
    argv = [sys.executable, "-m", "suivi", *args]
    return subprocess.Popen(argv, cwd=ROOT, env=_env(), **kwargs)  # noqa: S603 - our own command


def _fresh_database() -> None:
    fresh_database(DB, _env())
    script = (
        "from suivi.customers.services import IdentityInput, customer_create\n"
        "for n in range(0, 100000, 2):\n"
        "    customer_create(given_name='Client', family_name=f'N{n}',"
        " identities=[IdentityInput('email', f'client{n}@example.org')])\n"
    )
    # Only the known half exists beforehand (bounded by the message count below).
    count = int(os.environ["BENCH_MESSAGES"])
    subprocess.run(  # noqa: S603 - our own command and script
        [sys.executable, "-m", "suivi", "shell", "-v", "0", "-c",
         script.replace("100000", str(count))],
        cwd=ROOT, env={**_env(), "SUIVI_TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend"},
        check=True,
    )  # fmt: skip


def _message(n: int) -> bytes:
    sender = n if n % 4 else n - 1 if n else n  # every 4th writes again, same topic
    return (
        f"From: Client {sender} <client{sender}@example.org>\r\n"
        "To: support@suivi.localhost\r\n"
        f"Subject: Question {sender}\r\nMessage-ID: <bench-{n}@example.org>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Bonjour,\r\n\r\nMa facture est fausse, pouvez-vous vérifier ?\r\n\r\nMerci\r\n"
        f"\r\nLe lun. 3 mars 2025 à 09:00, Support <support@suivi.localhost> a écrit :\r\n"
        "> Bonjour\r\n"
    ).encode()


def _wait_port(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("smtpd did not start")


def _cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def _postgres_cpu() -> float:
    """CPU seconds of every PostgreSQL process on this machine (backends come and go:
    read before and after a run, the difference is a lower bound of what it cost)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                comm = (entry / "comm").read_text().strip()
            except OSError:
                continue
            if comm.startswith("postgres"):
                total += _cpu_seconds(int(entry.name))
    return total


def run(messages: int, workers: int) -> dict[str, float]:
    os.environ["BENCH_MESSAGES"] = str(messages)
    _fresh_database()
    port = 2600 + workers
    smtpd = _suivi("smtpd", "--port", str(port), stdout=subprocess.DEVNULL)
    _wait_port(port)
    pool = [
        _suivi(
            "db_worker",
            "--interval",
            "0.05",
            "--no-startup-delay",
            "--worker-id",
            f"w{i}",
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in range(workers)
    ]
    # Started and idle: what they used to start (imports, connections) is left out.
    time.sleep(2)
    before = {p.pid: _cpu_seconds(p.pid) for p in [smtpd, *pool]}
    database_before, client_before = _postgres_cpu(), time.process_time()
    start = time.perf_counter()

    def send(numbers: range) -> None:
        with smtplib.SMTP("127.0.0.1", port) as client:
            for n in numbers:
                client.sendmail(f"client{n}@example.org", ["support@suivi.localhost"], _message(n))

    half = messages // 2
    threads = [
        threading.Thread(target=send, args=(range(0, half),)),
        threading.Thread(target=send, args=(range(half, messages),)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    accepted = time.perf_counter() - start
    while True:
        ((done,),) = sql(
            "SELECT count(*) FROM channels_inboundmessage WHERE status IN ('done','ignored')", DB
        )
        if done >= messages:
            break
        time.sleep(0.05)
    end_to_end = time.perf_counter() - start
    cpu = {
        "smtpd": _cpu_seconds(smtpd.pid) - before[smtpd.pid],
        "workers": sum(_cpu_seconds(p.pid) - before[p.pid] for p in pool),
        "postgres": _postgres_cpu() - database_before,
        "client": time.process_time() - client_before,
    }
    ((interactions,),) = sql(
        "SELECT count(*) FROM conversations_interaction WHERE direction = 'in'", DB
    )
    ((cases,),) = sql("SELECT count(*) FROM conversations_case", DB)
    for process in [smtpd, *pool]:
        process.send_signal(signal.SIGTERM)
    for process in [smtpd, *pool]:
        process.wait(timeout=30)
    assert interactions == messages, (interactions, messages)
    return {
        "workers": workers,
        "smtp_per_s": messages / accepted,
        "end_to_end_per_s": messages / end_to_end,
        "cases": cases,
        **{f"cpu_{k}": v * 1000 / messages for k, v in cpu.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    print(f"{args.messages} messages, PostgreSQL, smtpd + db_worker processes")
    print(
        "workers | SMTP accepted (msg/s) | SMTP DATA -> routed interaction (msg/s) | cases"
        " | load average (the machine is shared: figures move with it)"
        " | CPU ms per message: smtpd, workers, PostgreSQL, this client"
    )
    for workers in args.workers:
        row = run(args.messages, workers)
        print(
            f"{row['workers']:>7} | {row['smtp_per_s']:>21.0f} | "
            f"{row['end_to_end_per_s']:>39.0f} | {row['cases']:>5.0f} | {os.getloadavg()[0]:.1f}"
            f" | {row['cpu_smtpd']:.1f}, {row['cpu_workers']:.1f}, {row['cpu_postgres']:.1f},"
            f" {row['cpu_client']:.1f}"
        )
    sql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


if __name__ == "__main__":
    main()
