# Sourced by demo.sh and test.sh: make sure .venv (or $VENV) exists with
# mailman-pgp installed (editable, with the extras named in $EXTRAS), and
# activate it.  $PYTHON picks the interpreter.
# Needs only python3 (3.10 to 3.13) and gpg; on a fresh Debian machine it
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
    for candidate in ${PYTHON:-} python3.11 python3.12 python3.13 python3.10 \
            python3; do
        if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c \
            'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 13))' \
            2>/dev/null
        then
            echo "$candidate"
            return
        fi
    done
    echo "mailman-pgp needs Python 3.10 to 3.13 (Mailman 3.3)." >&2
    exit 1
}

command -v gpg >/dev/null || _apt_install gnupg

# Other OpenPGP implementations for tests/pgp/test_pgp_other_clients.py
# and tests/pgp/differential (Sequoia, RNP, OpenPGP.js, PGPainless): best effort and never fatal, since those
# tests skip a tool that is missing. Set MAILMAN_PGP_INTEROP=0 to skip.
_install_interop() {
    local want=() pkg name
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        command -v sq >/dev/null || want+=(sq)
        # sqv and sqop: the reference of tests/pgp/differential.
        command -v sqv >/dev/null || want+=(sqv)
        command -v sqop >/dev/null || want+=(sqop)
        command -v rnp >/dev/null || want+=(rnp)
        command -v pgpainless-cli >/dev/null || want+=(pgpainless-cli)
        # Web Key Directory tests: gpg's WKD client and dirmngr, and a CA
        # bundle for the test CA to stand in for (tests/test_wkd_gpg.py).
        [ -x /usr/lib/gnupg/gpg-wks-client ] || want+=(gpg-wks-client)
        command -v dirmngr >/dev/null || want+=(dirmngr)
        [ -f /etc/ssl/certs/ca-certificates.crt ] || want+=(ca-certificates)
        # The post fuzzer's real mail program (tests/runners/test_post_fuzz.py),
        # run under script(1) from bsdutils.
        command -v mutt >/dev/null || want+=(mutt)
        command -v script >/dev/null || want+=(bsdutils)
    fi
    if [ "${#want[@]}" -gt 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 || true
        for pkg in "${want[@]}"; do
            # Debian names Sequoia's CLI sequoia-sq (trixie on), sq before.
            [ "$pkg" = sq ] && set -- sequoia-sq sq || set -- "$pkg"
            for name in "$@"; do
                if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
                        "$name" >/dev/null 2>&1; then
                    break
                fi
            done
        done
    fi
    # npm packages of the tests: OpenPGP.js (interop), axe-core (the web
    # UI's accessibility checks).
    _npm_ci tests/pgp/interop openpgp "the OpenPGP.js interop tests"
    _npm_ci tests/web/axe axe-core "the web accessibility tests"
}
_npm_ci() {
    local dir=$1 package=$2 what=$3
    if command -v node >/dev/null && command -v npm >/dev/null && \
            [ -f "$dir/package-lock.json" ] && \
            { [ ! -d "$dir/node_modules/$package" ] || \
              [ "$dir/package-lock.json" -nt \
                "$dir/node_modules/.package-lock.json" ]; }; then
        (cd "$dir" && npm ci --no-audit --no-fund --silent \
            >/dev/null 2>&1) || echo "npm ci in $dir failed;" \
            "$what will skip." >&2
    fi
}
if [ "${MAILMAN_PGP_INTEROP:-1}" != 0 ] && [ -d tests/pgp/interop ]; then
    _install_interop || true
fi

venv=${VENV:-.venv}
if [ ! -x "$venv/bin/python" ]; then
    python=$(_pick_python)
    if ! "$python" -m venv "$venv" >/dev/null 2>&1; then
        rm -rf "$venv"
        version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
        _apt_install "python${version}-venv"
        "$python" -m venv "$venv"
    fi
fi
# shellcheck disable=SC1091
. "$venv/bin/activate"
stamp=$venv/.mailman-pgp-installed
if [ ! -f "$stamp" ] || [ setup.py -nt "$stamp" ] || \
        [ "${EXTRAS:-}" != "$(cat "$stamp")" ]; then
    python -m pip install -q --disable-pip-version-check --upgrade pip
    # Mailman 3.3.10 requires a distribution "nntplib" on Python 3.13 that
    # PyPI no longer serves; this placeholder pulls standard-nntplib.
    if python -c 'import sys; sys.exit(sys.version_info < (3, 13))'; then
        python -m pip install -q --disable-pip-version-check \
            ./scripts/nntplib-shim
    fi
    python -m pip install -q --disable-pip-version-check -e ".${EXTRAS:+[$EXTRAS]}"
    echo "${EXTRAS:-}" > "$stamp"
fi
# This checkout's own modules, compiled once for this interpreter: pip
# compiled what it installed, but an editable install leaves src/ to each
# process, and where PYTHONDONTWRITEBYTECODE is set (as on this project's
# CI machines) every Mailman process compiled the plugin again (0.3 s of
# CPU each; a test run starts hundreds).  Quick when nothing changed.
python -m compileall -q -j 0 src tests >/dev/null || true
