"""Suivi: one customer, one file, every channel, a named advisor."""

__version__ = "0.1.0"
