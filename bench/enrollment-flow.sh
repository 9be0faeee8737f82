#!/usr/bin/env bash
# The enrollment flow's figures in the real app: cold start to the first screen, machine time
# per enrollment split by step, RSS of the app and WebKit after N enrollments in a row (default
# 50; ENROLLMENTS=N to change). Builds the kiosk (release) and the software card and back
# office, then runs bench/enrollment-flow.mjs under Xvfb + matchbox + tauri-driver, holding the
# machine-wide real-stack lock. Writes bench/results/enrollment-flow.json and .md. Not in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
(cd ui && npm run build --silent)
cargo build --release --quiet -p vneid-kiosk --features tauri/custom-protocol
cargo build --quiet -p cardsim -p backoffice
run() {
  source scripts/display.sh
  start_display 1280x800
  tauri-driver --port 4444 --native-driver /usr/bin/WebKitWebDriver >/tmp/bench-tauri-driver.log 2>&1 &
  # Not `local`: the EXIT trap runs after the function has returned.
  driver=$!
  trap 'kill $driver 2>/dev/null; stop_display' EXIT
  for _ in $(seq 1 100); do
    (exec 3<>/dev/tcp/127.0.0.1/4444) 2>/dev/null && break
    sleep 0.1
  done
  VNEID_KIOSK_APP="$PWD/target/release/vneid-kiosk" SCREEN_SIZE=1280x800 node bench/enrollment-flow.mjs
}
export -f run
flock /tmp/vneid-realstack.lock bash -c run
