#!/usr/bin/env bash
# Set up .venv with mailman-pgp, then run the demo: a throwaway Mailman
# instance with a PGP list.  --keep keeps the instance and says where.
# --web: mailman-web with the PGP web UI on such an instance, until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")"
if [ "${1:-}" = --web ]; then
    EXTRAS=test,web . scripts/venv.sh
    # mailman-web's login page compiles its CSS with sassc.
    command -v sassc >/dev/null || _apt_install sassc
    exec python scripts/demo_web.py
fi
EXTRAS=test . scripts/venv.sh
exec python scripts/demo.py "$@"
