#!/usr/bin/env bash
# Builds the kiosk's Debian package: a release build of the app with the UI embedded, bundled
# by Tauri's deb bundler (the npm @tauri-apps/cli of ui/) into target/release/bundle/deb/.
# The package declares its run-time needs (tauri.conf.json, bundle.linux.deb.depends) and
# installs /usr/bin/vneid-kiosk, a desktop entry, and /usr/share/vneid-kiosk/ (default
# configuration, autostart examples, dlib's face models). CI (scripts/test.sh) builds it so and
# checks it with check-deb.sh: ~9 min cold on 2 idle cores, 17 min of CPU (README). Arguments go
# to `tauri build` (`--debug` bundles a debug build into target/debug/bundle/deb/ instead).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x ui/node_modules/.bin/tauri ]; then
  (cd ui && npm install --no-audit --no-fund --loglevel=error)
fi
# The bundler checks that the tauri crate and ui/'s @tauri-apps/api share a minor version:
# both are pinned to 2.11 (Cargo.toml, ui/package.json), so a drift fails here.
ui/node_modules/.bin/tauri build --ci --bundles deb "$@"
ls -1t "${CARGO_TARGET_DIR:-target}"/*/bundle/deb/*.deb | head -n1
