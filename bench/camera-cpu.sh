#!/usr/bin/env bash
# The camera's processor time in the real app (bench/camera-cpu.mjs): starts Xvfb + matchbox +
# tauri-driver, runs the measurement, stops them. Needs the debug builds of vneid-kiosk and
# cardsim. Run inside `flock /tmp/vneid-realstack.lock`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/display.sh
start_display 1280x800
tauri-driver --port 4444 --native-driver /usr/bin/WebKitWebDriver >/tmp/tauri-driver-bench.log 2>&1 &
driver_pid=$!
trap 'kill $driver_pid 2>/dev/null; stop_display' EXIT
for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/4444) 2>/dev/null && break; sleep 0.1; done
VNEID_KIOSK_APP="$PWD/target/debug/vneid-kiosk" node bench/camera-cpu.mjs
