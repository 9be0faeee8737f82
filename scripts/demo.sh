#!/usr/bin/env bash
# The main job: installs what is missing, builds, and starts the kiosk in its demo set-up on
# this machine (no hardware needed). Without a display it runs under Xvfb itself.
#   scripts/demo.sh                    counter mode (commune office / post office)
#   KIOSK_MODE=self-service scripts/demo.sh   touchscreen self-service mode
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
source scripts/display.sh

bash scripts/setup.sh
say "Building the UI (type check + Vite)"
(cd ui && npm run build --silent)
say "Building the app (first time: about 4 minutes on 2 cores)"
cargo build --quiet

config=assets/demo/kiosk.toml
if [ "${KIOSK_MODE:-counter}" = "self-service" ]; then
  mkdir -p .demo
  sed 's/^mode = .*/mode = "self-service"/; s|"\.\./\.\./\.demo/data"|"data"|; s|"\.\./trust"|"../assets/trust"|' \
    "$config" > .demo/kiosk-self-service.toml
  config=.demo/kiosk-self-service.toml
fi

say "Checking the set-up (doctor)"
./target/debug/vneid-kiosk --config "$config" doctor || true

if [ -z "${DISPLAY:-}" ]; then
  start_display 1280x800
  trap stop_display EXIT
  say "No display: the kiosk runs under Xvfb on $DISPLAY (1280x800)."
  say "To see it, run this script from a desktop session, or attach a VNC server to $DISPLAY."
fi
say "Starting the kiosk ($config). Close the window or press Ctrl+C to stop."
./target/debug/vneid-kiosk --config "$config"
