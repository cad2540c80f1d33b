#!/bin/sh
# Install what the browser test of the HTML report needs (tests/test_reporting_html.py):
# Chromium for the headless rendering and Noto CJK fonts, so that the report's figures
# are drawn with Chinese glyphs (matplotlib) and the screenshot shows no tofu boxes.
# Debian / Ubuntu, as root (or with sudo). Idempotent: does nothing when both are there.
set -eu

have_chromium() {
    command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1
}
have_cjk_font() {
    fc-list 2>/dev/null | grep -qi "Noto Sans CJK"
}

if have_chromium && have_cjk_font; then
    echo "install_browser: chromium and fonts-noto-cjk already installed"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk fontconfig
fc-cache -f >/dev/null 2>&1 || true
have_chromium || { echo "install_browser: chromium is still missing" >&2; exit 1; }
echo "install_browser: $(chromium --version 2>/dev/null || chromium-browser --version)"
