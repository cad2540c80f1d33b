#!/usr/bin/env bash
# System packages beian_audit's tests need outside Python, installed by the project
# itself on a fresh machine (``make test`` runs this first; so does ``.ci/run``):
#
#   fonts-noto-cjk, fontconfig  a CJK font for plots and the HTML report's figures with
#                               Chinese provider names (no tofu boxes; docs/reporting.md)
#   chromium                    the headless browser test of the HTML report
#                               (tests/test_reporting_html.py)
#   postgresql-15               the ledger's tests run on SQLite and on a real PostgreSQL
#                               server, which tests/ledger/conftest.py starts and stops
#
# Idempotent: does nothing when everything is installed. Debian/Ubuntu (apt-get), as
# root or with sudo; elsewhere it says what to install. Tests that need one of these
# fail (never skip) and name this script.
set -euo pipefail

PACKAGES=(fonts-noto-cjk fontconfig chromium postgresql-15)

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
    for pkg in "${PACKAGES[@]}"; do
        installed "$pkg" || missing+=("$pkg")
    done
else
    missing=("${PACKAGES[@]}")
fi

if [ ${#missing[@]} -eq 0 ]; then
    echo "install_system_deps: already installed: ${PACKAGES[*]}"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_system_deps: no apt-get here; install by hand: ${missing[*]}" >&2
    echo "  (a CJK font such as Noto Sans CJK SC, Chromium, PostgreSQL 15 server binaries)" >&2
    exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    echo "install_system_deps: need root or sudo to install: ${missing[*]}" >&2
    exit 1
fi
run() { ${SUDO[@]+"${SUDO[@]}"} "$@"; }

export DEBIAN_FRONTEND=noninteractive
run apt-get update -q
if [[ " ${missing[*]} " == *" postgresql-15 "* ]] && ! apt-cache show postgresql-15 >/dev/null 2>&1; then
    # a release without PostgreSQL 15 (e.g. Ubuntu 22.04): the PGDG repository has it
    run apt-get install -y --no-install-recommends postgresql-common ca-certificates
    run /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y
fi
run apt-get install -y --no-install-recommends "${missing[@]}"
command -v fc-cache >/dev/null 2>&1 && fc-cache -f >/dev/null 2>&1 || true
echo "install_system_deps: installed ${missing[*]}"
