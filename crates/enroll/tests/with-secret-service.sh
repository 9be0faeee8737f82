#!/usr/bin/env bash
# Runs the local-key tests that need an OS keyring: a private D-Bus session (dbus-run-session)
# with GNOME Keyring's Secret Service, its login keyring created and unlocked with a throwaway
# password in a throwaway HOME. Extra arguments go to `cargo test` (e.g. --quiet).
# Needs the Debian packages dbus-daemon and gnome-keyring (scripts/setup.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/../../.."
# The keyring lives under HOME; cargo and rustup keep theirs.
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
HOME="$home" XDG_RUNTIME_DIR="$home" dbus-run-session -- bash -c '
  set -euo pipefail
  # --unlock reads the new login keyring password from stdin and makes it the default.
  eval "$(printf "kiosk-test" | gnome-keyring-daemon --unlock --components=secrets)"
  cargo test "$@" --workspace --test local_key_keyring -- --ignored
' bash "$@" 2> >(grep -v "Failed to set fd limit" >&2)
