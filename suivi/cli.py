"""The `suivi` command: Django's management commands plus a few short names.

suivi run                 web server and task worker together
suivi demo                set up var/, load the demo once, then `run`
suivi worker              the task worker alone
suivi createadvisor ...   create an advisor account
suivi token create USER   print a new API token for USER
suivi <django command>    anything manage.py does
"""

import os
import sys

ALIASES = {
    "worker": ["db_worker"],
    "imap-poll": ["imap_poll"],
    "promises-sweep": ["promises_sweep"],
}


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    args[0] = "suivi"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "suivi.settings")
    if len(args) > 1 and args[1] == "demo":
        # The demo writes its own secret key before settings are read.
        from suivi.demo.secret import ensure_secret_key

        ensure_secret_key()
    if len(args) > 1 and args[1] in ALIASES:
        args[1:2] = ALIASES[args[1]]
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)
