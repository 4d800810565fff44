#!/usr/bin/env bash
# Set up .venv with mailman-pgp and its test tools, then run the test suite.
# Arguments go to pytest (e.g. ./test.sh -x tests/keystore).
# MAILMAN_PGP_TEST_DB=postgresql runs the database tests on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")"
EXTRAS=test . scripts/venv.sh
ruff check src tests benchmarks
exec python -m pytest -q "$@"
