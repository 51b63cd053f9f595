#pragma once
// JUnit XML in the testsuites/testsuite/testcase/failure shape Jenkins, GitLab and GitHub's test
// reporters read: one testsuite per scenario, one testcase per property it checks.
//  - A property with a violation that counts against the scenario: <failure>, carrying the seed,
//    the simulated instant, the message and the replay command of each (the first 100).
//  - A pass scenario's property whose violations are all known upstream issues, under
//    "known_issues": "pass": <skipped> with the ids as its message.
//  - A scenario that expects a property to break: that property's testcase fails unless every
//    seed broke it as expected; the others report as usual.
#include <string>

#include "reports/sweep_summary.hpp"

namespace reports {

std::string junit_xml(const SweepSummary& summary);

}  // namespace reports
