"""`python -m suivi ...` is the `suivi` command (used by `suivi run` for its children)."""

from suivi.cli import main

main()
