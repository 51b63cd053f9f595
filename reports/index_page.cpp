#include "reports/index_page.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include "reports/escape.hpp"
#include "reports/histogram.hpp"

namespace reports {
namespace {

constexpr std::size_t kMaxBins = 40;
constexpr std::size_t kMaxSeedRows = 500;  // seeds listed; the rest are counted, summary.json has them all
constexpr double kPlotWidth = 640, kPlotHeight = 150, kMargin = 36;

const char* kStyle = R"(
body{font:13px system-ui,sans-serif;margin:16px;color:#222;max-width:1200px}
h1{font-size:20px;margin:0 0 6px}h2{font-size:16px;margin:22px 0 6px}
.ok{color:#1a7f37}.bad{color:#c62828}
code{background:#f3f3f3;padding:1px 4px;word-break:break-all}
table{border-collapse:collapse;margin:4px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
.hist{display:inline-block;margin:0 18px 12px 0;vertical-align:top}
.hist svg text{font:10px system-ui,sans-serif}.bar{fill:#4c9be8}.bar:hover{fill:#1d5fa8}.axis{stroke:#999}
tr.fails td:first-child{border-left:4px solid #c62828}tr.known td:first-child{border-left:4px solid #f2b134}
tr.expected td:first-child{border-left:4px solid #2e9e5b}
)";

std::string ms_label(std::int64_t ms) {
  char buffer[32];
  if (ms != 0 && ms % 1000 == 0) {
    std::snprintf(buffer, sizeof buffer, "%lld s", static_cast<long long>(ms / 1000));
  } else if (ms % 100 == 0 && (ms >= 1000 || ms <= -1000)) {
    std::snprintf(buffer, sizeof buffer, "%.1f s", static_cast<double>(ms) / 1000.0);
  } else {
    std::snprintf(buffer, sizeof buffer, "%lld ms", static_cast<long long>(ms));
  }
  return buffer;
}

std::string num(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", value);
  return buffer;
}

std::string histogram_svg(const std::string& id, const std::string& title, const std::vector<std::int64_t>& values,
                          bool zeros_apart) {
  const Histogram h = histogram_ms(values, kMaxBins, zeros_apart);
  std::string out = "<div class=\"hist\" id=\"" + id + "\"><b>" + escape_xml(title) + "</b>, " +
                    std::to_string(h.samples) + " samples";
  if (zeros_apart) out += ", " + std::to_string(h.zeros) + " of them 0 (not drawn)";
  out += "<br>\n";
  if (h.bins.empty()) return out + "<i>nothing to draw</i></div>\n";
  std::size_t peak = 1;
  for (const auto& bin : h.bins) peak = std::max(peak, bin.count);
  const double bar_w = kPlotWidth / static_cast<double>(h.bins.size());
  const double height = kPlotHeight + 30;
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(kPlotWidth + 2 * kMargin) + "\" height=\"" +
         num(height) + "\">";
  out += "<line class=\"axis\" x1=\"" + num(kMargin) + "\" y1=\"" + num(kPlotHeight + 4) + "\" x2=\"" +
         num(kMargin + kPlotWidth) + "\" y2=\"" + num(kPlotHeight + 4) + "\"/>";
  out += "<text x=\"2\" y=\"12\">" + std::to_string(peak) + "</text>";
  for (std::size_t i = 0; i < h.bins.size(); i++) {
    const auto& bin = h.bins[i];
    if (bin.count == 0) continue;
    const double bar_h = kPlotHeight * static_cast<double>(bin.count) / static_cast<double>(peak);
    const double x = kMargin + bar_w * static_cast<double>(i);
    out += "<rect class=\"bar\" x=\"" + num(x + 0.5) + "\" y=\"" + num(kPlotHeight + 4 - bar_h) + "\" width=\"" +
           num(std::max(1.0, bar_w - 1)) + "\" height=\"" + num(bar_h) + "\" data-from-ms=\"" +
           std::to_string(bin.from_ms) + "\" data-count=\"" + std::to_string(bin.count) + "\"><title>" +
           ms_label(bin.from_ms) + " to " + ms_label(bin.to_ms) + ": " + std::to_string(bin.count) + "</title></rect>";
  }
  // Axis labels at the first, middle and last bin edges.
  for (const std::size_t i : {std::size_t{0}, h.bins.size() / 2, h.bins.size()}) {
    const std::int64_t at = i < h.bins.size() ? h.bins[i].from_ms : h.bins.back().to_ms;
    const double x = kMargin + bar_w * static_cast<double>(i);
    out += "<text x=\"" + num(std::max(0.0, x - 12)) + "\" y=\"" + num(kPlotHeight + 20) + "\">" + ms_label(at) + "</text>";
  }
  return out + "</svg></div>\n";
}

std::string distribution_row(const char* name, const Distribution& d) {
  return std::string("<tr><td>") + name + "</td><td class=\"n\">" + std::to_string(d.min) + "</td><td class=\"n\">" +
         std::to_string(d.p50) + "</td><td class=\"n\">" + std::to_string(d.p99) + "</td><td class=\"n\">" +
         std::to_string(d.max) + "</td><td class=\"n\">" + std::to_string(d.samples) + "</td></tr>\n";
}

}  // namespace

std::string index_html(const SweepSummary& s) {
  const bool ok = s.exit == 0;
  std::size_t known_total = 0;
  for (const auto& [id, count] : s.known_counts) known_total += count;
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>hasim " +
                     escape_xml(s.command) + ": " + escape_xml(s.scenario) + "</title>\n<style>" + kStyle +
                     "</style></head><body>\n";
  html += "<h1>hasim " + escape_xml(s.command) + ": " + escape_xml(s.scenario) + " — <span id=\"verdict\" class=\"" +
          (ok ? "ok\">as expected" : "bad\">NOT as expected") + "</span></h1>\n";
  char tail[160];
  std::snprintf(tail, sizeof tail, "Simulated %.0f s in %.2f s of wall time.", s.simulated_s, s.wall_s);
  html += "<p>" + std::to_string(s.seeds) + " seeds, <b>" + std::to_string(s.failing_seeds.size()) +
          "</b> not as expected; <b>" + std::to_string(s.unexplained) + "</b> unexplained violation(s), " +
          std::to_string(known_total) + " of known upstream issues. Expected: " +
          (s.expect == "pass" ? std::string("every property holds")
                              : escape_xml(s.expect) + " breaks in every seed" +
                                    (s.expect_known.empty() ? "" : " as " + escape_xml(s.expect_known))) +
          "; known issues " + (s.known_issues == "fail" ? "fail" : "are reported, not failed") +
          ". Scenario file <code>" + escape_xml(s.file) + "</code>. " + tail + "</p>\n";
  html += "<p>Beside this page: <a href=\"summary.json\">summary.json</a>, <a href=\"junit.xml\">junit.xml</a>, "
          "<a href=\"summary.md\">summary.md</a>" +
          std::string(s.seed_pages.empty() ? "" : ", and a timeline page per seed linked below") + ".</p>\n";

  std::map<std::string, std::pair<std::size_t, std::size_t>> per_property;  // counted, not counted
  for (const auto& f : s.findings) (f.fails ? per_property[f.property].first : per_property[f.property].second)++;
  html += "<h2>Properties</h2>\n<table id=\"properties\"><tr><th>property</th><th>violations counted</th><th>known "
          "upstream or expected</th></tr>\n";
  for (const auto& property : s.properties) {
    const auto& counts = per_property[property];
    html += "<tr><td>" + escape_xml(property) + "</td><td class=\"n\">" + std::to_string(counts.first) +
            "</td><td class=\"n\">" + std::to_string(counts.second) + "</td></tr>\n";
  }
  html += "</table>\n";
  if (!s.known_counts.empty()) {
    html += "<h2>Known upstream issues</h2>\n<p>See harness/KNOWN_ISSUES.md for each mechanism and the versions it "
            "affects.</p>\n<table id=\"known\"><tr><th>id</th><th>violations</th></tr>\n";
    for (const auto& [id, count] : s.known_counts) {
      html += "<tr><td>" + escape_xml(id) + "</td><td class=\"n\">" + std::to_string(count) + "</td></tr>\n";
    }
    html += "</table>\n";
  }

  html += "<h2>Distributions (ms)</h2>\n<table id=\"distributions\"><tr><th>measure</th><th>min</th><th>p50</th>"
          "<th>p99</th><th>max</th><th>samples</th></tr>\n";
  html += distribution_row("failover (loss to the replacement's confirm)", s.failover_ms);
  html += distribution_row("believed-leader overlap, per seed", s.overlap_ms);
  html += distribution_row("overlap with both running, per seed", s.overlap_both_running_ms);
  html += "</table>\n";
  html += histogram_svg("hist-failover", "Failover time", s.failover_samples_ms, false);
  html += histogram_svg("hist-overlap", "Believed-leader overlap", s.overlap_samples_ms, true);
  html += histogram_svg("hist-overlap-running", "Overlap, both running", s.overlap_both_running_samples_ms, true);

  // One row per seed with findings, or not as expected: those that count first, then known, then expected.
  std::map<std::uint64_t, std::vector<const Finding*>> by_seed;
  for (const auto& f : s.findings) by_seed[f.seed].push_back(&f);
  for (const auto seed : s.failing_seeds) by_seed.try_emplace(seed);
  std::vector<std::pair<int, std::uint64_t>> order;  // (rank, seed)
  for (const auto& [seed, found] : by_seed) {
    const bool fails = std::binary_search(s.failing_seeds.begin(), s.failing_seeds.end(), seed) ||
                       std::any_of(found.begin(), found.end(), [](const Finding* f) { return f->fails; });
    const bool known = std::any_of(found.begin(), found.end(), [](const Finding* f) { return !f->known.empty(); });
    order.emplace_back(fails ? 0 : known ? 1 : 2, seed);
  }
  std::sort(order.begin(), order.end());
  html += "<h2>Seeds with findings</h2>\n";
  if (order.empty()) html += "<p>None: every property held on every seed.</p>\n";
  if (!order.empty()) {
    html += "<table id=\"seeds\"><tr><th>seed</th><th>verdict</th><th>findings (property clause at instant: "
            "message)</th><th>replay</th></tr>\n";
  }
  std::size_t rows = 0;
  for (const auto& [rank, seed] : order) {
    if (rows++ == kMaxSeedRows) {
      html += "<tr><td colspan=\"4\">and " + std::to_string(order.size() - kMaxSeedRows) +
              " more seeds: summary.json lists them all</td></tr>\n";
      break;
    }
    const auto& found = by_seed[seed];
    const bool page = std::find(s.seed_pages.begin(), s.seed_pages.end(), seed) != s.seed_pages.end();
    const std::string seed_text = std::to_string(seed);
    static const char* const kVerdicts[] = {"fails", "known", "expected"};
    html += std::string("<tr class=\"") + kVerdicts[rank] + "\" data-seed=\"" + seed_text + "\"><td>" +
            (page ? "<a href=\"seed-" + seed_text + ".html\">" + seed_text + "</a>" : seed_text) + "</td><td>" +
            kVerdicts[rank] + "</td><td>";
    if (found.empty()) html += "expected " + escape_xml(s.expect) + " to break; it held";
    std::string replay;
    for (std::size_t i = 0; i < found.size() && i < 5; i++) {
      const Finding& f = *found[i];
      char at[32];
      std::snprintf(at, sizeof at, "%.3f", f.at_s);
      html += (i ? "<br>" : "") + escape_xml(f.property) + (f.clause.empty() ? "" : " " + escape_xml(f.clause)) +
              " at " + at + " s: " + escape_xml(f.message) +
              (f.known.empty() ? "" : " <i>(known: " + escape_xml(f.known) + ")</i>");
      replay = f.replay;
    }
    if (found.size() > 5) html += "<br>and " + std::to_string(found.size() - 5) + " more";
    html += "</td><td><code>" + escape_xml(replay) + "</code></td></tr>\n";
  }
  if (!order.empty()) html += "</table>\n";
  return html + "</body></html>\n";
}

}  // namespace reports
