"""Advisor pages. Each view parses, calls one service or selector, and renders."""
