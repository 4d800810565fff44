#!/usr/bin/env bash
# Set up .venv with mailman-pgp and its test tools, then run the test suite.
# Arguments go to pytest (e.g. ./test.sh -x tests/keystore).
# MAILMAN_PGP_TEST_DB=postgresql runs the database tests on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")"
EXTRAS=test,web,webtest . scripts/venv.sh
ruff check src tests benchmarks
# In parallel: two workers per core (each with its own ports and temporary
# directories: many tests wait on a Mailman instance or a gpg of their
# own, so one per core left a core idle half the time; 4 min 50 s against
# 5 min 36 s on 2 cores); a test class or module stays on one worker, so
# Mailman's test layers are set up once per worker.
# MAILMAN_PGP_TEST_WORKERS=0 runs in this process.
workers=${MAILMAN_PGP_TEST_WORKERS:-$(( 2 * $(nproc) ))}
python -m pytest -q -n "$workers" --dist loadscope "$@"
# The web UI's tests (Django settings, a real Core, Chromium): their own
# pytest invocation; run them alone with the same line and a path.
if [ $# -eq 0 ]; then
    DJANGO_SETTINGS_MODULE=tests.web.settings python -m pytest -q tests/web
fi
