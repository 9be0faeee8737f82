#!/usr/bin/env bash
# Starts and stops pcscd with the vsmartcard virtual reader (vpcd) in the foreground, without
# systemd, for the software card (cardsim) and the end-to-end tests. Safe to re-run.
#
#   scripts/pcscd-vpcd.sh start    # start (or reuse) pcscd; returns once vpcd listens
#   scripts/pcscd-vpcd.sh stop     # SIGTERM the pcscd this script started (SIGKILL after 5 s)
#   scripts/pcscd-vpcd.sh status
#
# Pitfalls handled (shared/HARDWARE-TESTING.md): stale /run/pcscd/pcscd.comm and pcscd.pid left
# by a SIGKILL block the next start; never --auto-exit; on hosts with systemd the packaged
# pcscd.socket starts pcscd with --auto-exit, so it is stopped first. vpcd's reader 0 listens
# on TCP 35963: readiness is read from /proc/net/tcp, never by connecting (a connection is a
# card insertion).
set -euo pipefail

RUN_DIR=/run/pcscd
OUR_PID_FILE=${VNEID_PCSCD_PID_FILE:-/tmp/vneid-pcscd.pid}
LOG_FILE=${VNEID_PCSCD_LOG:-/tmp/vneid-pcscd.log}
VPCD_PORT_HEX=8C7B # 35963
VPCD_CONF=/etc/reader.conf.d/vpcd

say() { printf 'pcscd-vpcd: %s\n' "$*" >&2; }

vpcd_listening() {
  grep -qiE "^ *[0-9]+: [0-9A-F]+:${VPCD_PORT_HEX} [0-9A-F]+:0000 0A" /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

running_pcscd_pid() {
  local pid
  for pid in $(pgrep -x pcscd 2>/dev/null || true); do
    # A zombie left by a SIGKILL does not count.
    if [ "$(awk '/^State:/ {print $2}' "/proc/$pid/status" 2>/dev/null)" != "Z" ]; then
      echo "$pid"
      return 0
    fi
  done
  return 1
}

our_pid() {
  [ -f "$OUR_PID_FILE" ] || return 1
  local pid
  pid=$(tr -d '\0\n ' <"$OUR_PID_FILE")
  [ -n "$pid" ] && [ -d "/proc/$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = pcscd ] || return 1
  echo "$pid"
}

stop_systemd_units() {
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl stop pcscd.socket pcscd.service >/dev/null 2>&1 || true
  fi
}

start() {
  if ! command -v pcscd >/dev/null 2>&1 || [ ! -f "$VPCD_CONF" ]; then
    say "pcscd or vsmartcard-vpcd is not installed (apt-get install pcscd vsmartcard-vpcd)"
    exit 2
  fi
  stop_systemd_units
  local pid
  if pid=$(running_pcscd_pid); then
    if vpcd_listening; then
      say "pcscd already running (pid $pid) with vpcd listening: reusing it"
      return 0
    fi
    say "a pcscd (pid $pid) is running without vpcd; stop it first"
    exit 1
  fi
  # Stale files from a killed daemon block the start.
  rm -f "$RUN_DIR/pcscd.comm" "$RUN_DIR/pcscd.pid" "$OUR_PID_FILE"
  mkdir -p "$RUN_DIR"
  setsid pcscd --foreground >"$LOG_FILE" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$OUR_PID_FILE"
  for _ in $(seq 1 100); do
    if [ -S "$RUN_DIR/pcscd.comm" ] && vpcd_listening; then
      say "pcscd started (pid $pid), vpcd on 127.0.0.1:35963; log $LOG_FILE"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      say "pcscd exited during start-up; its log:"
      cat "$LOG_FILE" >&2
      rm -f "$OUR_PID_FILE"
      exit 1
    fi
    sleep 0.1
  done
  say "pcscd did not become ready within 10 s; log $LOG_FILE"
  exit 1
}

stop() {
  local pid
  if ! pid=$(our_pid); then
    say "no pcscd started by this script is running"
    rm -f "$OUR_PID_FILE"
    return 0
  fi
  kill -TERM "$pid"
  for _ in $(seq 1 50); do
    [ -d "/proc/$pid" ] && [ "$(awk '/^State:/ {print $2}' "/proc/$pid/status" 2>/dev/null)" != "Z" ] || break
    sleep 0.1
  done
  if [ -d "/proc/$pid" ] && [ "$(awk '/^State:/ {print $2}' "/proc/$pid/status" 2>/dev/null)" != "Z" ]; then
    say "pcscd (pid $pid) ignored SIGTERM for 5 s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$OUR_PID_FILE" "$RUN_DIR/pcscd.comm" "$RUN_DIR/pcscd.pid"
  say "pcscd stopped"
}

status() {
  local pid
  if pid=$(running_pcscd_pid); then
    if vpcd_listening; then say "pcscd running (pid $pid), vpcd listening"; else say "pcscd running (pid $pid), vpcd NOT listening"; fi
  else
    say "pcscd not running"
    return 3
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 64 ;;
esac
