#!/usr/bin/env python3
"""Fails when an exploration batch leaves a catalogue probe (model/probes.hpp) unreached.

Usage: check_probe_coverage.py HASIM RUNS

Runs `HASIM explore --runs RUNS --jobs 2 --json` on the default workload (scenarios/explore.json,
seeds from 1000000) and checks `probes_missed` is empty. The seeds are fixed, so the result is
deterministic: a probe that goes missing means the model or the workload changed and no longer
reaches that state, which is what this test exists to notice. Exit 1 from explore (an unexplained
violation) is a finding for the explore sweeps, not for coverage.
"""
import json
import subprocess
import sys


def main() -> int:
    hasim, runs = sys.argv[1], sys.argv[2]
    done = subprocess.run([hasim, "explore", "--runs", runs, "--jobs", "2", "--json"], capture_output=True, text=True)
    if done.returncode not in (0, 1):
        print(f"hasim explore exited {done.returncode}: {done.stderr.strip()}")
        return 1
    report = json.loads(done.stdout)
    probes, missed = report["probes"], report["probes_missed"]
    if not probes:
        print("no probes in the report")
        return 1
    for name, counts in sorted(probes.items()):
        print(f"{name:48} {counts['runs']:5} runs {counts['hits']:8} hits")
    if missed:
        print(f"{len(missed)} of {len(probes)} probes never hit in {runs} runs: {', '.join(missed)}")
        return 1
    print(f"all {len(probes)} probes hit in {runs} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
