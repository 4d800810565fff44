"""Helpers for the tests and the benchmark: a webhook receiver, an instance."""
