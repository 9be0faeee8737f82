#!/usr/bin/env bash
# Installs everything the kiosk needs to build, run its demo and run its tests on a fresh
# Debian 12 machine (as root): Debian packages, the UI's npm packages, tauri-driver.
# Idempotent: each step checks first and says what it skips.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

APT_PACKAGES=(
  # Tauri build
  libwebkit2gtk-4.1-dev build-essential pkg-config file libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev
  # UI tests: a display, a window manager, WebKit's WebDriver and Chromium
  xvfb xauth webkit2gtk-driver chromium matchbox-window-manager
  # PC/SC: the real daemon and the virtual reader our software card plugs into
  pcscd libpcsclite-dev vsmartcard-vpcd
  # the back office's second engine: its tests run on a throwaway PostgreSQL cluster
  postgresql
  # fonts with Vietnamese coverage for the UI and screenshots
  fonts-noto-core fonts-dejavu-core
  # reports: pdftotext/pdftoppm check that printed reports and receipts render with their text
  poppler-utils
  # audit tamper test (sqlite3); the local key in a real OS keyring (GNOME Keyring on a private D-Bus)
  sqlite3 gnome-keyring dbus-daemon
  # webcams through nokhwa (v4l bindings need libclang for bindgen, nasm for fast MJPEG decode)
  libclang-dev nasm
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  say "Debian packages: all ${#APT_PACKAGES[@]} present, skipping apt"
else
  say "Debian packages: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# pcscd's package may enable a socket-activated pcscd with --auto-exit on systemd hosts; our
# scripts start their own pcscd in the foreground (see docs/HARDWARE-TESTING in shared notes).

stamp=ui/node_modules/.installed-from-lock
if [ -f "$stamp" ] && cmp -s ui/package-lock.json "$stamp"; then
  say "UI npm packages: up to date, skipping npm install"
else
  say "UI npm packages: npm install"
  (cd ui && npm install --no-audit --no-fund --loglevel=error)
  cp ui/package-lock.json "$stamp"
fi

if command -v tauri-driver >/dev/null 2>&1; then
  say "tauri-driver: present, skipping"
else
  say "tauri-driver: cargo install (about 2 minutes)"
  cargo install tauri-driver --version '^2' --locked --quiet
fi
