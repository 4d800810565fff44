# Sourced by demo.sh and test.sh: make sure .venv exists with mailman-pgp
# installed (editable, with the extras named in $EXTRAS), and activate it.
# Needs only python3 (3.10 to 3.12) and gpg; on a fresh Debian machine it
# installs python3-venv and gnupg with apt-get when they are missing.

set -euo pipefail

_apt_install() {
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "Installing $* with apt-get..." >&2
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
    else
        echo "Please install $* (e.g. sudo apt-get install $*)." >&2
        exit 1
    fi
}

_pick_python() {
    for candidate in ${PYTHON:-} python3.11 python3.12 python3.10 python3; do
        if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c \
            'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))'
        then
            echo "$candidate"
            return
        fi
    done
    echo "mailman-pgp needs Python 3.10, 3.11 or 3.12 (Mailman 3.3)." >&2
    exit 1
}

command -v gpg >/dev/null || _apt_install gnupg

if [ ! -x .venv/bin/python ]; then
    python=$(_pick_python)
    if ! "$python" -m venv .venv >/dev/null 2>&1; then
        rm -rf .venv
        version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
        _apt_install "python${version}-venv"
        "$python" -m venv .venv
    fi
fi
# shellcheck disable=SC1091
. .venv/bin/activate
stamp=.venv/.mailman-pgp-installed
if [ ! -f "$stamp" ] || [ setup.py -nt "$stamp" ] || \
        [ "${EXTRAS:-}" != "$(cat "$stamp")" ]; then
    python -m pip install -q --disable-pip-version-check --upgrade pip
    python -m pip install -q --disable-pip-version-check -e ".${EXTRAS:+[$EXTRAS]}"
    echo "${EXTRAS:-}" > "$stamp"
fi
