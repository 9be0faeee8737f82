# Sourced by the demo and test scripts: a virtual display (Xvfb) with a window manager
# (matchbox), so a full-screen request takes effect as on a kiosk. Not run on its own.

# start_display WIDTHxHEIGHT: starts Xvfb on a free display number and exports DISPLAY.
start_display() {
  local size=$1 n
  for n in $(seq 90 130); do
    [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ] || break
  done
  Xvfb ":$n" -screen 0 "${size}x24" -nolisten tcp >/dev/null 2>&1 &
  XVFB_PID=$!
  export DISPLAY=":$n"
  for _ in $(seq 1 100); do
    [ -S "/tmp/.X11-unix/X$n" ] && break
    sleep 0.05
  done
  [ -S "/tmp/.X11-unix/X$n" ] || { echo "Xvfb did not start on :$n" >&2; return 1; }
  matchbox-window-manager -use_titlebar no >/dev/null 2>&1 &
  WM_PID=$!
}

# stop_display: stops what start_display started.
stop_display() {
  kill "${WM_PID:-}" "${XVFB_PID:-}" 2>/dev/null || true
  wait "${WM_PID:-}" "${XVFB_PID:-}" 2>/dev/null || true
}
