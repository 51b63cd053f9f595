#!/usr/bin/env bash
# Measures ZooKeeper timing facts on real servers (Debian's zookeeper package) for the simulated
# model to match. Starts and stops its own servers on loopback under WORKDIR; kills them on exit.
#
#   measure_timing.sh ZK_TIMING_BIN [WORKDIR] [BASEPORT]
#
# ZK_TIMING_BIN is the built tests/conformance/zk_timing.cpp. Output: JSON lines, each tagged with the
# experiment, on stdout; server logs stay under WORKDIR. Takes about 4-5 minutes.
# ZK_TIMING_PARTS (default "negotiate expiry outage") selects experiments.
set -euo pipefail

BIN=${1:?usage: measure_timing.sh ZK_TIMING_BIN [WORKDIR] [BASEPORT]}
WORK=${2:-/tmp/hasim-zk-timing}
BASE=${3:-24181}
HERE=$(cd "$(dirname "$0")" && pwd)
ZKC="$HERE/zk_cluster.sh"
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

# Every server this script starts lives in a directory under $WORK; on exit, stop them all (this also
# covers directories registered inside command substitutions, which run in subshells).
mkdir -p "$WORK"
cleanup() {
  local d
  for d in "$WORK"/*/; do [[ -d "$d" ]] && "$ZKC" stop "$d" > /dev/null 2>&1 || true; done
}
trap cleanup EXIT INT TERM

tag() { sed "s/^{/{\"experiment\":\"$1\",/"; }

standalone() {  # standalone NAME PORT [EXTRA_CFG]
  local dir="$WORK/$1"
  ZK_EXTRA_CFG="${3:-}" "$ZKC" start-standalone "$dir" "$2" > /dev/null
  "$ZKC" wait-ready "$2" 60 > /dev/null
}

PARTS=${ZK_TIMING_PARTS:-negotiate expiry outage}
has_part() { [[ " $PARTS " == *" $1 "* ]]; }

# 1. Session timeout negotiation, tickTime 2000.
has_part negotiate && for variant in "default|" "min1000_max100000|minSessionTimeout=1000;maxSessionTimeout=100000" \
               "min6000_max30000|minSessionTimeout=6000;maxSessionTimeout=30000"; do
  name=${variant%%|*}
  cfg=${variant#*|}
  standalone "neg-$name" "$BASE" "$cfg"
  timeout 120 "$BIN" negotiate "127.0.0.1:$BASE" 1000 5000 60000 100000 | tag "negotiate:$name:tick2000"
  "$ZKC" stop "$WORK/neg-$name" > /dev/null
done

# 2. How long an ephemeral outlives a client that stops talking (session timeout 4000, tickTime 2000).
if has_part expiry; then
  standalone expiry "$BASE"
  timeout 300 "$BIN" ephemeral-expiry "127.0.0.1:$BASE" 4000 8 stop | tag "ephemeral-expiry:sigstop"
  timeout 300 "$BIN" ephemeral-expiry "127.0.0.1:$BASE" 4000 8 kill | tag "ephemeral-expiry:sigkill"
  "$ZKC" stop "$WORK/expiry" > /dev/null
fi

# 3. Three-server ensemble: kill two servers under a connected client, restart them, see whether
#    the session survives. Ports: client BASE+10..12 (ids 1..3).
EB=$((BASE + 10))
ens() {  # ens NAME -> starts the ensemble, prints the leader id
  local dir="$WORK/$1" n
  "$ZKC" start-ensemble "$dir" "$EB" > /dev/null
  for n in 0 1 2; do "$ZKC" wait-ready $((EB + n)) 90 > /dev/null; done
  "$ZKC" status "$dir" | awk '/mode leader/ {print $2}'
}
hosts_from() {  # hosts_from FIRST_ID -> connect string with that server first
  local first=$1 s out
  out="127.0.0.1:$((EB + first - 1))"
  for s in 1 2 3; do [[ $s == "$first" ]] || out="$out,127.0.0.1:$((EB + s - 1))"; done
  echo "$out"
}
others() {  # others KEEP_ID -> the two other ids, comma-separated
  local keep=$1 s out=""
  for s in 1 2 3; do [[ $s == "$keep" ]] || out="${out:+$out,}$s"; done
  echo "$out"
}

run_outage() {  # run_outage NAME CLIENT_ROLE(follower|leader) OUTAGE_MS TIMEOUT_MS
  local name=$1 role=$2 outage=$3 tmo=$4 leader client
  leader=$(ens "$name")
  if [[ $role == leader ]]; then
    client=$leader
  else
    client=$(( leader % 3 + 1 ))
  fi
  echo "{\"experiment\":\"outage:$name\",\"leader\":$leader,\"client_server\":$client,\"killed\":\"$(others "$client")\"}"
  timeout 180 "$BIN" outage "$(hosts_from "$client")" "$tmo" "$ZKC" "$WORK/$name" "$outage" "$(others "$client")" \
    | tag "outage:$name"
  "$ZKC" stop "$WORK/$name" > /dev/null
}

if has_part outage; then
  run_outage follower-long follower 12000 4000   # outage 3x the session timeout, client on a follower
  run_outage leader-long leader 12000 4000       # same, client on the leader
  run_outage follower-short follower 2000 4000   # outage shorter than the session timeout
  run_outage follower-vlong follower 30000 4000  # outage 7.5x the session timeout
fi
