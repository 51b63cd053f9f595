#include "reports/markdown.hpp"

#include <cstdio>
#include <map>

#include "reports/escape.hpp"

namespace reports {
namespace {

constexpr std::size_t kMaxRows = 50;  // failing seeds listed; the rest are counted

std::string code_span(const std::string& text) {
  if (text.find('`') != std::string::npos || text.find('\n') != std::string::npos) return escape_markdown_cell(text);
  std::string out = "`";
  for (const char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);  // a pipe still ends a cell
  return out + "`";
}

std::string distribution_row(const char* name, const Distribution& d) {
  return std::string("| ") + name + " | " + std::to_string(d.min) + " | " + std::to_string(d.p50) + " | " +
         std::to_string(d.p99) + " | " + std::to_string(d.max) + " | " + std::to_string(d.samples) + " |\n";
}

}  // namespace

std::string markdown_summary(const SweepSummary& summary) {
  const bool ok = summary.exit == 0;
  std::string out = "### hasim " + escape_markdown_cell(summary.command) + ": " + escape_markdown_cell(summary.scenario) +
                    (ok ? " — as expected" : " — NOT as expected") + "\n\n";
  out += std::to_string(summary.seeds) + " seeds, " + std::to_string(summary.failing_seeds.size()) +
         " not as expected; " + std::to_string(summary.unexplained) + " unexplained violation(s)";
  std::size_t known_total = 0;
  for (const auto& [id, count] : summary.known_counts) known_total += count;
  out += ", " + std::to_string(known_total) + " of known upstream issues. Expected: " +
         (summary.expect == "pass" ? std::string("every property holds")
                                   : escape_markdown_cell(summary.expect) + " breaks in every seed") +
         ". Scenario file " + code_span(summary.file) + ".\n\n";

  std::map<std::string, std::pair<std::size_t, std::size_t>> per_property;  // failing, known
  for (const auto& finding : summary.findings) {
    auto& counts = per_property[finding.property];
    (finding.fails ? counts.first : counts.second)++;
  }
  out += "| property | violations counted | known upstream |\n|---|---|---|\n";
  for (const auto& property : summary.properties) {
    const auto found = per_property.find(property);
    const auto counts = found == per_property.end() ? std::pair<std::size_t, std::size_t>{0, 0} : found->second;
    out += "| " + escape_markdown_cell(property) + " | " + std::to_string(counts.first) + " | " +
           std::to_string(counts.second) + " |\n";
  }

  if (!summary.failing_seeds.empty()) {
    out += "\n#### Seeds not as expected\n\n| seed | first finding | replay |\n|---|---|---|\n";
    std::map<std::uint64_t, const Finding*> first;
    for (const auto& finding : summary.findings) first.try_emplace(finding.seed, &finding);
    std::size_t rows = 0;
    for (const auto seed : summary.failing_seeds) {
      if (rows++ == kMaxRows) {
        out += "| ... | " + std::to_string(summary.failing_seeds.size() - kMaxRows) + " more | |\n";
        break;
      }
      const auto found = first.find(seed);
      if (found == first.end()) {
        out += "| " + std::to_string(seed) + " | expected " + escape_markdown_cell(summary.expect) + " to break; it held | |\n";
        continue;
      }
      const Finding& f = *found->second;
      char at[32];
      std::snprintf(at, sizeof at, "%.3f", f.at_s);
      out += "| " + std::to_string(seed) + " | " + escape_markdown_cell(f.property) +
             (f.clause.empty() ? "" : " " + escape_markdown_cell(f.clause)) + " at " + at + " s: " +
             escape_markdown_cell(f.message) + (f.known.empty() ? "" : " (known: " + escape_markdown_cell(f.known) + ")") +
             " | " + code_span(f.replay) + " |\n";
    }
  }

  if (!summary.known_counts.empty()) {
    out += "\n#### Known upstream issues (harness/KNOWN_ISSUES.md)\n\n| id | violations |\n|---|---|\n";
    for (const auto& [id, count] : summary.known_counts) out += "| " + escape_markdown_cell(id) + " | " + std::to_string(count) + " |\n";
  }

  out += "\n#### Distributions (ms)\n\n| measure | min | p50 | p99 | max | samples |\n|---|---|---|---|---|---|\n";
  out += distribution_row("failover", summary.failover_ms);
  out += distribution_row("believed-leader overlap", summary.overlap_ms);
  out += distribution_row("overlap, both running", summary.overlap_both_running_ms);
  char tail[128];
  std::snprintf(tail, sizeof tail, "\nSimulated %.0f s in %.2f s of wall time.\n", summary.simulated_s, summary.wall_s);
  return out + tail;
}

}  // namespace reports
