#!/usr/bin/env bash
# --report DIR from run and replay: junit.xml parsed by a real XML parser (Python's), for a failing
# pass scenario (a mutant's schedule expected to pass, under a name holding markup, which must come
# back as text and never as a tag), for a mutant scenario as expected, and for one replayed seed.
set -uo pipefail
hasim=$1
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
sed 's/"outcome": "violation"/"outcome": "pass"/; /"property": "single-leader"/d; s|"name": "mutant-flink-11400"|"name": "<script>alert(1)<\\/script>"|' \
  scenarios/mutant-flink-11400.json > "$d/pass.json"
"$hasim" run "$d/pass.json" --seeds 2 --report "$d/fail" > /dev/null
[ $? -eq 1 ] || { echo "a failing run should exit 1"; exit 1; }
python3 tools/check_junit_report.py "$d/fail" 6 1 '<script>alert(1)</script>' || exit 1
if grep -q '<script' "$d/fail/junit.xml" "$d/fail/summary.md" "$d/fail/index.html"; then echo "markup from the scenario name got through"; exit 1; fi
if grep -q '<script>alert' "$d"/fail/seed-*.html; then echo "markup from the scenario name got into a timeline page"; exit 1; fi
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$d/fail/index.html" || { echo "index.html does not show the name as text"; exit 1; }
for f in index.html seed-1.html seed-2.html; do [ -s "$d/fail/$f" ] || { echo "no $f in the report"; exit 1; }; done
"$hasim" run scenarios/mutant-flink-11400.json --seeds 2 --report "$d/ok" > /dev/null || { echo "mutant run not as expected"; exit 1; }
python3 tools/check_junit_report.py "$d/ok" 6 0 || exit 1
"$hasim" replay scenarios/standard.json --seed 3 --report "$d/replay" > /dev/null || { echo "replay failed"; exit 1; }
python3 tools/check_junit_report.py "$d/replay" 6 0 || exit 1
[ -s "$d/replay/index.html" ] && [ -s "$d/replay/seed-3.html" ] || { echo "replay report lacks index.html or seed-3.html"; exit 1; }
echo "report folders as expected"
