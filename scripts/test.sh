#!/usr/bin/env bash
# Runs every check and test of the project, as CI does (.ci/run calls exactly this):
# set-up, UI type check and build, rustfmt, clippy, unit and integration tests, the UI tests in
# headless Chromium (IPC mocked), and the real app under Xvfb driven by tauri-driver, which
# writes screenshots to screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
say() { printf '\033[1m==> [%4ds] %s\033[0m\n' "$(( $(date +%s) - start ))" "$*"; }
source scripts/display.sh

bash scripts/setup.sh

say "UI: type check and build"
(cd ui && npm run build --silent)

say "cargo fmt --check"
cargo fmt --all --check

say "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --quiet -- -D warnings
# The webcam code (nokhwa) sits behind a feature: lint it too so it can't rot unseen.
cargo clippy -p capture --all-targets --features device --quiet -- -D warnings

say "Rust tests (unit, in-process card, parsers)"
cargo test --workspace --quiet

say "The local data key in a real OS keyring (GNOME Keyring on a private D-Bus session)"
bash crates/enroll/tests/with-secret-service.sh --quiet

say "Through the real PC/SC stack: pcscd + vpcd + the software card (serial)"
VNEID_PCSC_E2E=1 cargo test --quiet -p reader -- --test-threads=1
bash scripts/pcscd-vpcd.sh stop

say "The back office on PostgreSQL (a throwaway cluster on 127.0.0.1)"
bash crates/backoffice/tests/with-postgres.sh test --quiet -p backoffice

say "UI tests in headless Chromium (Tauri IPC mocked)"
(cd ui && npm test --silent)

# The package we ship: the release build (~9 min cold on 2 idle cores, 17 min of CPU; see the
# README) bundled once and checked by check-deb.sh. The real-app suites below drive the binary
# unpacked from that same package, so the app is built once for them and what is tested is what
# is installed.
say "Debian package: release build + deb bundler, then its Depends, files, doctor and first-run screen"
bash scripts/build-deb.sh
deb=$(ls -1t target/release/bundle/deb/*.deb | head -n1)
start_display 1280x800
trap stop_display EXIT
bash scripts/check-deb.sh "$deb"
stop_display
trap - EXIT
rm -rf target/deb-root
dpkg -x "$deb" target/deb-root

say "Real app (from the package) under Xvfb, driven by tauri-driver + WebKitWebDriver"
cargo build --quiet -p cardsim -p backoffice
export VNEID_KIOSK_APP="$PWD/target/deb-root/usr/bin/vneid-kiosk"
export SCREENSHOT_DIR="$PWD/screenshots"
mkdir -p "$SCREENSHOT_DIR"
for size in 1280x800 1920x1080; do
  start_display "$size"
  tauri-driver --port 4444 --native-driver /usr/bin/WebKitWebDriver >/tmp/tauri-driver.log 2>&1 &
  driver_pid=$!
  trap 'kill $driver_pid 2>/dev/null; stop_display' EXIT
  for _ in $(seq 1 100); do
    (exec 3<>/dev/tcp/127.0.0.1/4444) 2>/dev/null && break
    sleep 0.1
  done
  say "  screen $size"
  SCREEN_SIZE=$size node --test tests/ui-webdriver/
  kill "$driver_pid" 2>/dev/null || true
  wait "$driver_pid" 2>/dev/null || true
  stop_display
  trap - EXIT
done

# app_restart.rs drives the debug binary cargo built for tests/cli.rs; --workspace keeps the
# feature set of the test step above, so nothing is rebuilt (with -p it was ~2 min).
say "Crash restart of the real app under supervise: kill -9 at the start screen (--kiosk) and mid-enrollment (~20 s)"
start_display 1280x800
trap stop_display EXIT
VNEID_APP_E2E=1 cargo test --quiet --workspace --test app_restart
node --test tests/ui-webdriver/crash-restart.e2e.mjs
stop_display
trap - EXIT

say "All checks passed in $(( $(date +%s) - start )) s. Screenshots: $SCREENSHOT_DIR"
