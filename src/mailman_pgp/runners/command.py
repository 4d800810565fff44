"""The ``command`` runner for -request/-join/-leave/-confirm mail."""

from mailman.runners.command import CommandRunner
from public import public


@public
class PGPCommandRunner(CommandRunner):
    """Mailman's command runner; PGP lists' command mail passes through it."""
