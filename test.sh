#!/usr/bin/env bash
# Set up .venv with mailman-pgp and its test tools, then run the test suite.
# Arguments go to pytest (e.g. ./test.sh -x tests/keystore).
# MAILMAN_PGP_TEST_DB=postgresql runs the database tests on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")"
EXTRAS=test,web,webtest . scripts/venv.sh
ruff check src tests benchmarks
# In parallel: two workers per core (each with its own ports and temporary
# directories: many tests wait on a Mailman instance, gpg or Chromium of
# their own); a test class or module stays on one worker, and the longest
# go first (tests/schedule.py).  The web UI's tests run in the same
# session, with its Django settings.  MAILMAN_PGP_TEST_WORKERS=0 runs in
# this process.
workers=${MAILMAN_PGP_TEST_WORKERS:-$(( 2 * $(nproc) ))}
DJANGO_SETTINGS_MODULE=tests.web.settings \
    python -m pytest -q -n "$workers" --dist loadscope "$@"
