"""Helpers for testing mailman-pgp (and for the demo)."""
