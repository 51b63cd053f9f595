#!/usr/bin/env bash
# Starts a real ZooKeeper on loopback, runs zk_oracle_smoke against it, stops the server.
#
#   run_oracle_smoke.sh SMOKE_BIN standalone|ensemble [PORT]
#
# standalone: one server on PORT (default 22181). ensemble: three servers on PORT..PORT+2 (default
# 22191; peer/election ports PORT+10.., PORT+20..), and session slot k talks to server k % 3.
# Exit status 0 iff every op returned its expected rc and the trace equals golden/smoke_trace.jsonl.
# The trace goes to stdout.
set -euo pipefail
BIN=${1:?usage: run_oracle_smoke.sh SMOKE_BIN standalone|ensemble [PORT]}
MODE=${2:?usage: run_oracle_smoke.sh SMOKE_BIN standalone|ensemble [PORT]}
HERE=$(cd "$(dirname "$0")" && pwd)
ZKC="$HERE/zk_cluster.sh"
DIR=$(mktemp -d /tmp/hasim-zk-smoke.XXXXXX)
cleanup() {
  "$ZKC" stop "$DIR" > /dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

case "$MODE" in
  standalone)
    PORT=${3:-22181}
    "$ZKC" start-standalone "$DIR" "$PORT" >&2
    "$ZKC" wait-ready "$PORT" 60 >&2
    HOSTS="127.0.0.1:$PORT"
    ;;
  ensemble)
    PORT=${3:-22191}
    "$ZKC" start-ensemble "$DIR" "$PORT" >&2
    for n in 0 1 2; do "$ZKC" wait-ready $((PORT + n)) 90 >&2; done
    HOSTS="127.0.0.1:$PORT,127.0.0.1:$((PORT + 1)),127.0.0.1:$((PORT + 2))"
    ;;
  *) echo "unknown mode $MODE" >&2; exit 2 ;;
esac
# Under -DHASIM_SANITIZE=ON: ignore the C client's own small leaks.
export LSAN_OPTIONS="suppressions=$HERE/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
OUT="$DIR/trace.jsonl"
timeout 300 "$BIN" "$HOSTS" | tee "$OUT"
# The whole trace, not only the rcs, must match the recorded one (same for standalone and ensemble).
GOLDEN="$HERE/golden/smoke_trace.jsonl"
if [[ -f "$GOLDEN" ]] && ! diff -u "$GOLDEN" "$OUT" >&2; then
  echo "run_oracle_smoke.sh: trace differs from $GOLDEN" >&2
  exit 1
fi
