// The report writers on hand-built summaries: JUnit's shape and verdicts per property (failure,
// skipped for known upstream issues, a mutant's expected property), Markdown's tables, and that
// text from a scenario or a trace is escaped everywhere.
#include <gtest/gtest.h>

#include "reports/escape.hpp"
#include "reports/junit.hpp"
#include "reports/markdown.hpp"
#include "tests/reports/substring_count.hpp"

namespace reports {
namespace {

using testing::count;

SweepSummary pass_summary() {
  SweepSummary s;
  s.scenario = "standard";
  s.file = "scenarios/standard.json";
  s.command = "run";
  s.properties = {"single-leader", "no-lost-checkpoint", "liveness"};
  s.seeds = 3;
  return s;
}

Finding finding(std::uint64_t seed, const std::string& property, const std::string& known, bool fails) {
  return Finding{seed, property, "B", 12.5, "two leaders", known, "build/harness/hasim replay x.json --seed " + std::to_string(seed), fails};
}

TEST(JunitXml, OneTestcasePerPropertyAndAFailureCarriesSeedInstantMessageAndReplay) {
  SweepSummary s = pass_summary();
  s.failing_seeds = {2};
  s.findings = {finding(2, "single-leader", "", true)};
  s.unexplained = 1;
  const std::string xml = junit_xml(s);
  EXPECT_EQ(count(xml, "<testsuites "), 1u);
  EXPECT_EQ(count(xml, "<testsuite "), 1u);
  EXPECT_EQ(count(xml, "<testcase "), 3u);
  EXPECT_EQ(count(xml, "<failure "), 1u);
  EXPECT_NE(xml.find("tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"0\""), std::string::npos);
  EXPECT_NE(xml.find("seed 2 at 12.500000 s: two leaders"), std::string::npos);
  EXPECT_NE(xml.find("replay: build/harness/hasim replay x.json --seed 2"), std::string::npos);
}

TEST(JunitXml, KnownUpstreamIssuesAreSkippedWithTheirIdsAndAllHeldMeansNoFailure) {
  SweepSummary s = pass_summary();
  s.findings = {finding(1, "single-leader", "CURATOR-696", false), finding(3, "single-leader", "CURATOR-696", false)};
  s.known_counts = {{"CURATOR-696", 2}};
  const std::string xml = junit_xml(s);
  EXPECT_EQ(count(xml, "<failure "), 0u);
  EXPECT_EQ(count(xml, "<skipped "), 1u);
  EXPECT_NE(xml.find("known upstream issues: CURATOR-696"), std::string::npos);
  // Under "known_issues": "fail" the same findings fail the property.
  for (auto& f : s.findings) f.fails = true;
  s.known_issues = "fail";
  s.failing_seeds = {1, 3};
  EXPECT_EQ(count(junit_xml(s), "<failure "), 1u);
}

TEST(JunitXml, AMutantsPropertyFailsOnlyWhenSomeSeedDidNotBreakIt) {
  SweepSummary s = pass_summary();
  s.expect = "single-leader";
  s.findings = {finding(1, "single-leader", "", false), finding(2, "single-leader", "", false)};
  EXPECT_EQ(count(junit_xml(s), "<failure "), 0u);
  s.failing_seeds = {3};
  const std::string xml = junit_xml(s);
  EXPECT_EQ(count(xml, "<failure "), 1u);
  EXPECT_NE(xml.find("1 of 3 seeds did not break single-leader as expected"), std::string::npos);
}

TEST(ReportEscaping, ScenarioAndTraceTextNeverBecomesMarkup) {
  SweepSummary s = pass_summary();
  s.scenario = "<script>alert(1)</script>";
  s.file = "a\"b'c&d.json";
  s.failing_seeds = {1};
  Finding f = finding(1, "liveness", "", true);
  f.message = "<img src=x onerror=alert(2)> | \x01 `tick`";
  s.findings = {f};
  const std::string xml = junit_xml(s);
  const std::string md = markdown_summary(s);
  for (const std::string& text : {xml, md}) {
    EXPECT_EQ(text.find("<script"), std::string::npos);
    EXPECT_EQ(text.find("<img"), std::string::npos);
  }
  EXPECT_NE(xml.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(xml.find("a&quot;b&apos;c&amp;d.json"), std::string::npos);
  EXPECT_EQ(xml.find('\x01'), std::string::npos);  // XML 1.0 cannot hold it
  EXPECT_NE(md.find("\\|"), std::string::npos);    // a pipe does not end the table cell
}

TEST(MarkdownSummary, VerdictPropertiesFailingSeedsKnownIssuesAndDistributions) {
  SweepSummary s = pass_summary();
  s.failing_seeds = {2};
  s.findings = {finding(2, "single-leader", "", true), finding(3, "liveness", "HASIM-G4", false)};
  s.unexplained = 1;
  s.known_counts = {{"HASIM-G4", 1}};
  s.exit = 1;
  s.failover_ms = {900, 4800, 9000, 12000, 40};
  const std::string md = markdown_summary(s);
  EXPECT_NE(md.find("NOT as expected"), std::string::npos);
  EXPECT_NE(md.find("| single-leader | 1 | 0 |"), std::string::npos);
  EXPECT_NE(md.find("| liveness | 0 | 1 |"), std::string::npos);
  EXPECT_NE(md.find("`build/harness/hasim replay x.json --seed 2`"), std::string::npos);
  EXPECT_NE(md.find("| HASIM-G4 | 1 |"), std::string::npos);
  EXPECT_NE(md.find("| failover | 900 | 4800 | 9000 | 12000 | 40 |"), std::string::npos);
}

}  // namespace
}  // namespace reports
