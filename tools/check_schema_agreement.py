#!/usr/bin/env python3
"""scenarios/schema.json and `hasim validate` agree on every scenario in scenarios/: each file
validates against the schema (Debian's python3-jsonschema) and `hasim validate` accepts it.

usage: check_schema_agreement.py HASIM
"""
import glob, json, os, subprocess, sys

import jsonschema

hasim = sys.argv[1]
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
schema = json.load(open(os.path.join(root, "scenarios", "schema.json")))
validator_class = jsonschema.validators.validator_for(schema)
validator_class.check_schema(schema)
validator = validator_class(schema)
files = sorted(f for f in glob.glob(os.path.join(root, "scenarios", "*.json")) if not f.endswith("schema.json"))
failures = 0
for path in files:
    errors = sorted(validator.iter_errors(json.load(open(path))), key=lambda e: list(e.absolute_path))
    for error in errors[:3]:
        where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        print(f"FAIL {os.path.basename(path)}: schema: {where}: {error.message[:200]}")
    validate = subprocess.run([hasim, "validate", path], capture_output=True, text=True)
    if validate.returncode != 0:
        print(f"FAIL {os.path.basename(path)}: hasim validate: {validate.stderr.strip()}")
    failures += bool(errors) or validate.returncode != 0
print(f"{len(files)} scenario files: {len(files) - failures} valid under both the schema and hasim validate")
sys.exit(1 if failures else 0)
