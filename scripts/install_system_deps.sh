#!/usr/bin/env bash
# System packages beian_audit needs outside Python: a CJK font for plots with
# Chinese provider names (matplotlib has none; see docs/reporting.md, "Chinese
# labels"). Idempotent: does nothing when the font is already installed.
#
#   scripts/install_system_deps.sh          # as root, or with sudo available
#
# Only Debian/Ubuntu (apt-get) is automated; elsewhere it prints what to install.
set -euo pipefail

PACKAGES=(fonts-noto-cjk)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
    for pkg in "${PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$pkg")
        fi
    done
else
    missing=("${PACKAGES[@]}")
fi

if [ ${#missing[@]} -eq 0 ]; then
    echo "install_system_deps: already installed: ${PACKAGES[*]}"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_system_deps: no apt-get here; install a CJK font by hand, e.g." >&2
    echo "  Noto Sans CJK SC from https://github.com/notofonts/noto-cjk" >&2
    echo "  (macOS: brew install --cask font-noto-sans-cjk-sc)" >&2
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

export DEBIAN_FRONTEND=noninteractive
${SUDO[@]+"${SUDO[@]}"} apt-get update -q
${SUDO[@]+"${SUDO[@]}"} apt-get install -y --no-install-recommends "${missing[@]}"
echo "install_system_deps: installed ${missing[*]}"
