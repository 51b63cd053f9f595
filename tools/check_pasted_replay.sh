#!/usr/bin/env bash
# The replay command a failing run prints works when pasted into a shell: it names the binary as
# it was invoked (not a `hasim` that may not be on PATH) and reproduces the run's trace_hash.
set -uo pipefail
hasim=$1 scenario=$2
out=$("$hasim" run "$scenario" --seeds 1 --json)
# The JSON string, unescaped (a quoted path carries backslashes).
command=$(printf '%s' "$out" | grep -o '"replay":"[^"]*"' | head -1 | cut -d'"' -f4 | sed 's/\\\\/\\/g')
hash=$(printf '%s' "$out" | grep -o '"trace_hash":"[0-9a-f]*"' | head -1 | cut -d'"' -f4)
[ -n "$command" ] || { echo "no replay command in: $out"; exit 1; }
case "$command" in "$hasim "*) ;; *) echo "replay command does not start with the invoked binary $hasim: $command"; exit 1;; esac
replayed=$(sh -c "$command --json" | grep -o '"trace_hash":"[0-9a-f]*"' | tail -1 | cut -d'"' -f4)
[ "$replayed" = "$hash" ] || { echo "pasted '$command': trace_hash $replayed, run $hash"; exit 1; }
echo "pasted '$command': trace_hash $hash as the run"
