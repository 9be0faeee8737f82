#!/usr/bin/env bash
# Seal + sign + commit of enrollment packages with a 60 KB portrait into the SQLite queue
# (WAL, synchronous=FULL) on this machine's disk: p50/p99 latency and packages per second.
# Writes bench/results/enroll-queue.json.
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-1000}"
cargo build --release --quiet -p enroll --bin enroll-queue-writer
dir="$(mktemp -d "${TMPDIR:-/var/tmp}/enroll-bench.XXXXXX")"
trap 'rm -rf "$dir"' EXIT
mkdir -p bench/results
./target/release/enroll-queue-writer bench "$dir" "$count" 61440 | tee bench/results/enroll-queue.json
