#!/usr/bin/env python3
"""Parse a --report folder's junit.xml with a real XML parser and check the shape test reporters read.

usage: check_junit_report.py DIR EXPECTED_TESTCASES EXPECTED_FAILURES [TEXT_THAT_MUST_APPEAR_IN_A_SUITE_NAME]
"""
import sys
import xml.etree.ElementTree as ET

folder, cases, failures = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
root = ET.parse(folder + "/junit.xml").getroot()
assert root.tag == "testsuites", root.tag
suites = root.findall("testsuite")
assert len(suites) == 1, len(suites)
testcases = suites[0].findall("testcase")
assert len(testcases) == cases, (len(testcases), cases)
found = sum(len(case.findall("failure")) for case in testcases)
assert found == failures, (found, failures)
assert int(suites[0].get("failures")) == failures and int(suites[0].get("tests")) == cases
for case in testcases:
    assert case.get("classname") and case.get("name"), case.attrib
    for failure in case.findall("failure"):
        assert "seed " in failure.get("message") and "replay: " in (failure.text or ""), failure.attrib
if len(sys.argv) > 4:
    assert sys.argv[4] in suites[0].get("name"), suites[0].get("name")
for name in ("summary.json", "summary.md"):
    with open(folder + "/" + name, encoding="utf-8") as f:
        assert f.read().strip(), name
print("junit.xml: %d testcases, %d failures, as expected" % (cases, failures))
