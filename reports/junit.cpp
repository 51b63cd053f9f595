#include "reports/junit.hpp"

#include <cstdio>
#include <set>

#include "reports/escape.hpp"

namespace reports {
namespace {

constexpr std::size_t kMaxFindingsPerCase = 100;  // the rest are counted, not listed

std::string format_seconds(double seconds) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.6f", seconds);
  return buffer;
}

std::string finding_line(const Finding& finding) {
  std::string line = "seed " + std::to_string(finding.seed) + " at " + format_seconds(finding.at_s) + " s: " +
                     finding.property + (finding.clause.empty() ? "" : " " + finding.clause) + ": " + finding.message;
  if (!finding.known.empty()) line += " [known: " + finding.known + "]";
  return line + "\n  replay: " + finding.replay + "\n";
}

struct CaseOutcome {
  std::string failure_message;  // non-empty: a failure
  std::string failure_body;
  std::string skipped_message;  // non-empty: skipped
};

CaseOutcome judge(const SweepSummary& summary, const std::string& property) {
  CaseOutcome outcome;
  std::vector<const Finding*> failing, known;
  for (const auto& finding : summary.findings) {
    if (finding.property != property) continue;
    (finding.fails ? failing : known).push_back(&finding);
  }
  if (summary.expect != "pass" && summary.expect == property) {
    // A mutant's or a directed known-issue scenario's property: it must break in every seed.
    if (summary.failing_seeds.empty()) return outcome;
    outcome.failure_message = std::to_string(summary.failing_seeds.size()) + " of " + std::to_string(summary.seeds) +
                              " seeds did not break " + property + " as expected" +
                              (summary.expect_known.empty() ? " (unexplained)" : " (known: " + summary.expect_known + ")");
    for (const auto seed : summary.failing_seeds) outcome.failure_body += "seed " + std::to_string(seed) + "\n";
    return outcome;
  }
  if (summary.expect == "pass" && !failing.empty()) {
    const Finding& first = *failing.front();
    outcome.failure_message = "seed " + std::to_string(first.seed) + " at " + format_seconds(first.at_s) + " s: " +
                              first.message + (failing.size() > 1 ? " (+" + std::to_string(failing.size() - 1) + " more)" : "");
    for (std::size_t i = 0; i < failing.size() && i < kMaxFindingsPerCase; i++) outcome.failure_body += finding_line(*failing[i]);
    if (failing.size() > kMaxFindingsPerCase) {
      outcome.failure_body += "... " + std::to_string(failing.size() - kMaxFindingsPerCase) + " more\n";
    }
    return outcome;
  }
  if (!known.empty() || (summary.expect != "pass" && !failing.empty())) {
    std::set<std::string> ids;
    for (const Finding* finding : known) ids.insert(finding->known);
    std::string list;
    for (const auto& id : ids) list += (list.empty() ? "" : ", ") + id;
    const std::size_t count = known.size() + (summary.expect != "pass" ? failing.size() : 0);
    outcome.skipped_message = std::to_string(count) + " violation(s)" +
                              (list.empty() ? " beside the expected one" : " of known upstream issues: " + list) +
                              " (harness/KNOWN_ISSUES.md)";
  }
  return outcome;
}

}  // namespace

std::string junit_xml(const SweepSummary& summary) {
  std::size_t failures = 0, skipped = 0;
  std::string cases;
  for (const auto& property : summary.properties) {
    const CaseOutcome outcome = judge(summary, property);
    cases += "    <testcase classname=\"hasim." + escape_xml(summary.scenario) + "\" name=\"" + escape_xml(property) +
             "\" time=\"0\">\n";
    if (!outcome.failure_message.empty()) {
      failures++;
      cases += "      <failure message=\"" + escape_xml(outcome.failure_message) + "\" type=\"" + escape_xml(property) +
               "\">" + escape_xml(outcome.failure_body) + "</failure>\n";
    } else if (!outcome.skipped_message.empty()) {
      skipped++;
      cases += "      <skipped message=\"" + escape_xml(outcome.skipped_message) + "\"/>\n";
    }
    cases += "    </testcase>\n";
  }
  const std::string counts = "tests=\"" + std::to_string(summary.properties.size()) + "\" failures=\"" +
                             std::to_string(failures) + "\" errors=\"0\" skipped=\"" + std::to_string(skipped) + "\"";
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"hasim\" " + counts + " time=\"" + format_seconds(summary.wall_s) + "\">\n";
  out += "  <testsuite name=\"" + escape_xml(summary.scenario) + "\" " + counts + " time=\"" +
         format_seconds(summary.wall_s) + "\">\n";
  out += "    <properties>\n";
  out += "      <property name=\"file\" value=\"" + escape_xml(summary.file) + "\"/>\n";
  out += "      <property name=\"command\" value=\"" + escape_xml(summary.command) + "\"/>\n";
  out += "      <property name=\"seeds\" value=\"" + std::to_string(summary.seeds) + "\"/>\n";
  out += "      <property name=\"unexplained_violations\" value=\"" + std::to_string(summary.unexplained) + "\"/>\n";
  out += "    </properties>\n";
  out += cases;
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace reports
