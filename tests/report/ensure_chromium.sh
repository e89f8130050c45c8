#!/bin/sh
# Make sure a headless-capable Chromium is installed (Debian package), for tests/report/test_report.py.
# Quiet; does nothing when `chromium` is already on PATH. Needs root (or sudo) and the apt sources.
set -eu
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "ensure_chromium: chromium missing and not root: install it with apt-get install chromium" >&2; exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq chromium >/dev/null
command -v chromium >/dev/null 2>&1 || { echo "ensure_chromium: chromium still not found after apt-get" >&2; exit 1; }
