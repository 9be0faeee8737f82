#!/usr/bin/env bash
# Checks the built Debian package without installing it system-wide: its name, Depends, its
# files (binary, desktop entry, autostart examples), then unpacks it with `dpkg -x` into a
# temporary root and starts the unpacked binary: `doctor`, then the window under the current X
# display (no configuration yet) until the UI's first-run set-up screen is up. Run after
# scripts/build-deb.sh, with DISPLAY set (scripts/display.sh's start_display). Checks the .deb
# given as its argument, or else the newest one build-deb.sh made.
set -euo pipefail
given=${1:+$(realpath -m "$1")}
cd "$(dirname "$0")/.."
fail() { echo "check-deb: $*" >&2; exit 1; }
deb=${given:-$(ls -1t target/*/bundle/deb/*.deb 2>/dev/null | head -n1)}
[ -f "$deb" ] || fail "no package ${given:-under target/*/bundle/deb/} (run scripts/build-deb.sh)"

depends=$(dpkg-deb -f "$deb" Depends)
for need in pcscd libccid libpcsclite1 libdlib19.1 liblapack3 libblas3 libwebkit2gtk-4.1-0 libgtk-3-0; do
  grep -Eq "(^|, )$need( |,|$)" <<<"$depends" || fail "Depends lacks $need: $depends"
  dpkg-query -W -f='${Status}' "$need" 2>/dev/null | grep -q "install ok installed" ||
    fail "$need (declared) is not installed on this machine, so the unpacked binary cannot be tried"
done

root=$(mktemp -d)
trap 'rm -rf "$root"; [ -n "${app_pid:-}" ] && kill "$app_pid" 2>/dev/null || true' EXIT
dpkg -x "$deb" "$root"
bin="$root/usr/bin/vneid-kiosk"
[ -x "$bin" ] || fail "no /usr/bin/vneid-kiosk in the package"
package=$(dpkg-deb -f "$deb" Package)
[ "$package" = vneid-kiosk ] || fail "the package is named $package, not vneid-kiosk"
desktop="$root/usr/share/applications/vneid-kiosk.desktop"
[ -f "$desktop" ] || fail "no desktop entry /usr/share/applications/vneid-kiosk.desktop"
grep -q '^Type=Application' "$desktop" || fail "desktop entry: no Type=Application"
grep -q '^Name=VNeID Kiosk$' "$desktop" || fail "desktop entry: Name is not 'VNeID Kiosk'"
grep -q '^Exec=vneid-kiosk' "$desktop" || fail "desktop entry: Exec is not vneid-kiosk"
for f in config.default.toml autostart/vneid-kiosk.service autostart/vneid-kiosk-autostart.desktop \
  face-models/shape_predictor_5_face_landmarks.dat face-models/dlib_face_recognition_resnet_model_v1.dat; do
  [ -f "$root/usr/share/vneid-kiosk/$f" ] || fail "missing /usr/share/vneid-kiosk/$f"
done

work="$root/run"
mkdir -p "$work"
printf 'data_dir = "data"\ntrust_store = "trust"\nbackoffice_url = "http://127.0.0.1:9"\n' >"$work/kiosk.toml"
# The unpacked binary links only against system libraries the Depends name: no LD path needed.
"$bin" --config "$work/kiosk.toml" doctor --lang en >"$work/doctor.txt" || true
grep -q '^OK      config' "$work/doctor.txt" || fail "doctor from the package: $(cat "$work/doctor.txt")"

[ -n "${DISPLAY:-}" ] || fail "no DISPLAY: start one (scripts/display.sh) to try the window"
# A configuration path that does not exist yet: the window opens the first-run set-up screen.
# HOME points into the temporary root, so the default data directory is made there.
HOME="$work/home" XDG_DATA_HOME="$work/home/.local/share" \
  "$bin" --config "$work/new/kiosk.toml" >"$work/app.log" 2>&1 &
app_pid=$!
logs="$work/home/.local/share/vneid-kiosk/logs"
for _ in $(seq 1 300); do
  grep -qs 'set-up screen shown' "$logs"/kiosk.*.log && break
  kill -0 "$app_pid" 2>/dev/null || fail "the packaged app exited: $(tail -5 "$work/app.log")"
  sleep 0.2
done
grep -qs 'set-up screen shown' "$logs"/kiosk.*.log || fail "no set-up screen within 60 s"
[ ! -e "$work/new/kiosk.toml" ] || fail "the set-up screen wrote a configuration before being asked"
echo "check-deb: $(basename "$deb"): package $package, Depends ok ($depends), desktop entry ok, doctor ok, set-up screen up"
