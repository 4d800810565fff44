"""``mailman pgp``, imported only when the command runs.

Mailman imports every module of a plugin's ``commands`` package in every
process it starts (that is where it looks for email commands); only
``commands/cli_pgp.py`` stays there, and it reaches this package when the
``mailman`` command line asks for ``pgp``.
"""
