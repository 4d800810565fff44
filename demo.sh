#!/usr/bin/env bash
# Set up .venv with mailman-pgp, then run the demo: a throwaway Mailman
# instance with a PGP list.  --keep keeps the instance and says where.
set -euo pipefail
cd "$(dirname "$0")"
EXTRAS=test . scripts/venv.sh
exec python scripts/demo.py "$@"
