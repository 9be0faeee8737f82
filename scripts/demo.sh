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
say "Building the app and the software card (first time: about 5 minutes on 2 cores)"
cargo build --quiet -p vneid-kiosk -p cardsim -p backoffice

config=assets/demo/kiosk.toml
if [ "${KIOSK_MODE:-counter}" = "self-service" ]; then
  mkdir -p .demo
  sed 's/^mode = .*/mode = "self-service"/; s|"\.\./\.\./\.demo/data"|"data"|; s|"\.\./test-csca"|"../assets/test-csca"|; s|"replay:\.\./frames/|"replay:../assets/frames/|; s|"\.\./\.\./\.cache/|"../.cache/|' \
    "$config" > .demo/kiosk-self-service.toml
  config=.demo/kiosk-self-service.toml
fi

cleanup() {
  [ -f .demo/card.pid ] && ./target/debug/cardsim remove --pid-file .demo/card.pid >/dev/null 2>&1 || true
  bash scripts/pcscd-vpcd.sh stop >/dev/null 2>&1 || true
  [ -n "${backoffice_pid:-}" ] && kill "$backoffice_pid" 2>/dev/null || true
  stop_display
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p .demo
say "Starting pcscd with the virtual reader, and inserting the software card of ${DEMO_IDENTITY:=nguyen-van-a}"
bash scripts/pcscd-vpcd.sh start
./target/debug/cardsim insert --identity "$DEMO_IDENTITY" --pid-file .demo/card.pid >.demo/card.log 2>&1 &
for _ in $(seq 1 50); do [ -s .demo/card.pid ] && break; sleep 0.1; done
# pcscd polls for insertion about every 400 ms: give it a moment to see the card.
for _ in $(seq 1 20); do
  health=$(./target/debug/vneid-kiosk --config "$config" doctor --lang en 2>/dev/null || true)
  grep -q "card present" <<<"$health" && break
  sleep 0.2
done

say "Starting the reference back office on 127.0.0.1:8787 (keys generated once in .demo/)"
./target/debug/backoffice --db .demo/backoffice.sqlite serve --keys .demo/backoffice-keys \
  --trust-store assets/test-csca --decide-after-secs 30 --activate-after-secs 60 \
  >.demo/backoffice.log 2>&1 &
backoffice_pid=$!
for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/8787) 2>/dev/null && break; sleep 0.1; done

data_dir=.demo/data
mkdir -p "$data_dir"
if [ ! -f "$data_dir/backoffice-package-x25519.pub" ]; then
  say "Registering this kiosk with the back office (a one-time token, then the device key)"
  token=$(./target/debug/backoffice --db .demo/backoffice.sqlite create-kiosk-token)
  ./target/debug/vneid-kiosk --config "$config" register --token "$token"
fi
if ! ./target/debug/vneid-kiosk --config "$config" operator list 2>/dev/null | grep -q '^admin'; then
  say "Creating the demo accounts: administrator 'admin' (PIN 135790), operator 'canbo01' (PIN 246810)"
  printf '135790\n' | ./target/debug/vneid-kiosk --config "$config" operator add --id admin --role administrator
  printf '246810\n135790\n' | ./target/debug/vneid-kiosk --config "$config" operator add --id canbo01 --role operator --by admin
  printf '135790\n' | ./target/debug/vneid-kiosk --config "$config" operator add --id kiosk-demo-01 --role self-service --by admin
fi
if [ ! -f "$data_dir/residential-groups.txt" ]; then
  printf '%s\n' "# Residential groups of the demo ward: ID Name" "TDP01 Tổ dân phố số 1" \
    "TDP02 Tổ dân phố số 2" "TDP03 Tổ dân phố số 3" "THON-DONG Thôn Đông" >"$data_dir/residential-groups.txt"
fi
say "Demo accounts: operator 'canbo01', PIN 246810 (counter mode)."

say "Checking the set-up (doctor)"
./target/debug/vneid-kiosk --config "$config" doctor || true

if [ -z "${DISPLAY:-}" ]; then
  start_display 1280x800
  say "No display: the kiosk runs under Xvfb on $DISPLAY (1280x800)."
  say "To see it, run this script from a desktop session, or attach a VNC server to $DISPLAY."
fi
say "Starting the kiosk ($config). Close the window or press Ctrl+C to stop."
./target/debug/vneid-kiosk --config "$config"
