#!/usr/bin/env python3
"""hasim merge of shards gives the totals and distributions of one unsharded run of the same seeds.

usage: check_merge.py HASIM SCENARIO SEEDS SHARDS
Runs SCENARIO over SEEDS seeds unsharded and as SHARDS shards (each with --report), merges the
shards and compares summary.json: every field but wall time must be equal (runs and violations in
seed order, counts, percentiles, per-seed samples); junit.xml must be identical too.
"""
import json, subprocess, sys, tempfile, os

hasim, scenario, seeds, shards = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
tmp = tempfile.mkdtemp()
def run(args):
    return subprocess.run([hasim] + args, stdout=subprocess.DEVNULL).returncode
whole_rc = run(["run", scenario, "--seeds", seeds, "--report", f"{tmp}/whole"])
for i in range(shards):
    run(["run", scenario, "--seeds", seeds, "--shard", f"{i}/{shards}", "--report", f"{tmp}/shard{i}"])
merge_rc = run(["merge"] + [f"{tmp}/shard{i}" for i in range(shards)] + ["-o", f"{tmp}/merged"])
assert merge_rc == whole_rc, ("exit", merge_rc, whole_rc)
whole = json.load(open(f"{tmp}/whole/summary.json"))
merged = json.load(open(f"{tmp}/merged/summary.json"))
for volatile in ("wall_s", "sim_wall_ratio"):
    whole.pop(volatile); merged.pop(volatile)
merged.pop("merged_from")
for key in sorted(set(whole) | set(merged)):
    assert whole.get(key) == merged.get(key), (key, str(whole.get(key))[:300], str(merged.get(key))[:300])
junit = [open(f"{tmp}/{d}/junit.xml").read() for d in ("whole", "merged")]
strip = lambda text: "\n".join(l for l in text.splitlines() if "time=" not in l)
assert strip(junit[0]) == strip(junit[1]), "junit.xml differs"
# index.html: the same histograms, and every timeline page the unsharded run wrote is there too.
import re
hists = [re.findall(r'<div class="hist".*?</div>', open(f"{tmp}/{d}/index.html").read(), re.S) for d in ("whole", "merged")]
assert len(hists[0]) == 3 and hists[0] == hists[1], "index.html histograms differ"
pages = [{f for f in os.listdir(f"{tmp}/{d}") if f.startswith("seed-")} for d in ("whole", "merged")]
assert pages[0] <= pages[1], ("timeline pages missing from the merge", sorted(pages[0] - pages[1]))
merged_index = open(f"{tmp}/merged/index.html").read()
for page in pages[0]:
    assert f'href="{page}"' in merged_index, ("merged index does not link", page)
print(f"merge of {shards} shards == unsharded over {seeds} seeds: {len(whole)} fields equal, "
      f"{whole['unexplained_violations']} unexplained, failover {whole['failover_ms']}")
