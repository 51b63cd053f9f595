// The sweep index page and its histograms on hand-built summaries: round bin widths that cover every
// sample, zeros counted apart, the verdict, the seeds table with links only to pages that exist, and
// escaping of scenario and trace text.
#include <gtest/gtest.h>

#include <numeric>

#include "reports/histogram.hpp"
#include "reports/index_page.hpp"
#include "tests/reports/substring_count.hpp"

namespace reports {
namespace {

using testing::count;

std::size_t total(const Histogram& h) {
  return std::accumulate(h.bins.begin(), h.bins.end(), std::size_t{0},
                         [](std::size_t sum, const HistogramBin& bin) { return sum + bin.count; });
}

TEST(Histogram, RoundWidthsCoverEverySampleWithinTheBinLimit) {
  const std::vector<std::int64_t> values = {9452, 9800, 10400, 11000, 12213, 12213, 9452};
  const Histogram h = histogram_ms(values, 40, false);
  ASSERT_FALSE(h.bins.empty());
  EXPECT_LE(h.bins.size(), 40u);
  EXPECT_EQ(total(h), values.size());
  EXPECT_EQ(h.samples, values.size());
  const std::int64_t width = h.bins[0].to_ms - h.bins[0].from_ms;
  EXPECT_EQ(width, 100);  // (12213 - 9452) / 40 + 1 = 70, rounded up to 100
  EXPECT_LE(h.bins.front().from_ms, 9452);
  EXPECT_GT(h.bins.back().to_ms, 12213);
  EXPECT_EQ(h.bins.front().count, 2u);
  for (std::size_t i = 1; i < h.bins.size(); i++) EXPECT_EQ(h.bins[i].from_ms, h.bins[i - 1].to_ms);
}

TEST(Histogram, ZerosCountedApartAndEmptyOrSingleValuesStayWellFormed) {
  const Histogram h = histogram_ms({0, 0, 0, 200000, 1500}, 10, true);
  EXPECT_EQ(h.zeros, 3u);
  EXPECT_EQ(total(h), 2u);
  EXPECT_LE(h.bins.size(), 10u);
  EXPECT_TRUE(histogram_ms({}, 10, false).bins.empty());
  EXPECT_TRUE(histogram_ms({0, 0}, 10, true).bins.empty());
  const Histogram one = histogram_ms({7, 7, 7}, 10, false);
  ASSERT_EQ(one.bins.size(), 1u);
  EXPECT_EQ(one.bins[0].count, 3u);
}

SweepSummary summary_with_findings() {
  SweepSummary s;
  s.scenario = "<script>alert(1)</script>";
  s.file = "scenarios/x\".json";
  s.command = "run";
  s.properties = {"single-leader", "liveness"};
  s.seeds = 4;
  s.failing_seeds = {2};
  s.findings = {{2, "single-leader", "B", 12.5, "<img src=x onerror=alert(2)>", "", "hasim replay x.json --seed 2", true},
                {3, "single-leader", "A", 40.0, "grant by an old session", "CURATOR-696", "hasim replay x.json --seed 3", false}};
  s.unexplained = 1;
  s.known_counts = {{"CURATOR-696", 1}};
  s.exit = 1;
  s.failover_samples_ms = {4000, 4100, 5200};
  s.overlap_samples_ms = {0, 0, 0, 30000};
  s.overlap_both_running_samples_ms = {0, 0, 0, 0};
  s.seed_pages = {2};
  return s;
}

TEST(IndexPage, VerdictHistogramsAndSeedsLinkedToTheirPages) {
  const std::string html = index_html(summary_with_findings());
  EXPECT_NE(html.find("id=\"verdict\" class=\"bad\">NOT as expected"), std::string::npos);
  EXPECT_NE(html.find("id=\"hist-failover\""), std::string::npos);
  EXPECT_NE(html.find("id=\"hist-overlap\""), std::string::npos);
  EXPECT_EQ(count(html, "class=\"bar\""), 3u + 1u);  // failover bins with samples drawn, one overlap bar
  EXPECT_NE(html.find("3 of them 0 (not drawn)"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"seed-2.html\">2</a>"), std::string::npos);
  EXPECT_EQ(html.find("seed-3.html"), std::string::npos);  // no page was written for seed 3
  // The counted seed comes before the known one.
  EXPECT_LT(html.find("data-seed=\"2\""), html.find("data-seed=\"3\""));
  EXPECT_NE(html.find("<tr class=\"known\" data-seed=\"3\">"), std::string::npos);
  EXPECT_NE(html.find("(known: CURATOR-696)"), std::string::npos);
}

TEST(IndexPage, ScenarioAndTraceTextNeverBecomesMarkupAndThePageHasNoScript) {
  const std::string html = index_html(summary_with_findings());
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("x&quot;.json"), std::string::npos);
}

TEST(IndexPage, AllHeldSaysSoAndDrawsNothingFromNoSamples) {
  SweepSummary s;
  s.scenario = "standard";
  s.command = "run";
  s.seeds = 10;
  const std::string html = index_html(s);
  EXPECT_NE(html.find("class=\"ok\">as expected"), std::string::npos);
  EXPECT_NE(html.find("None: every property held on every seed."), std::string::npos);
  EXPECT_EQ(count(html, "class=\"bar\""), 0u);
}

}  // namespace
}  // namespace reports
