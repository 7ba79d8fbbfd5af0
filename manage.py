#!/usr/bin/env python
"""Django's command-line utility; `suivi` is the same thing installed on the PATH."""

from suivi.cli import main

if __name__ == "__main__":
    main()
