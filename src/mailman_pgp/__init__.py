"""PGP-enabled mailing lists for GNU Mailman Core 3.3."""
