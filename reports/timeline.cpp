#include "reports/timeline.hpp"

#include <algorithm>
#include <cstdio>

#include "reports/escape.hpp"

namespace reports {
namespace {

constexpr double kLaneHeight = 22;
constexpr double kLabelWidth = 170;
constexpr double kPxPerSecond = 6;  // 10 simulated minutes: 3600 px, zoomable
constexpr std::size_t kMaxNearby = 40;

std::string num(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", value);
  return buffer;
}

std::string seconds(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f s", value);
  return buffer;
}

double x_of(double at_s) { return kLabelWidth + at_s * kPxPerSecond; }

const char* kStyle = R"(
body{font:13px system-ui,sans-serif;margin:16px;color:#222}
h1{font-size:18px;margin:0 0 4px}
code{background:#f3f3f3;padding:1px 4px}
#wrap{overflow-x:auto;border:1px solid #ccc;background:#fff}
svg text{font:11px system-ui,sans-serif}
.lane-bg{fill:#fafafa}.lane-bg.odd{fill:#f0f0f0}
.leader{fill:#4c9be8}.confirmed{fill:#1d5fa8}.paused{fill:#f2b134}.down{fill:#888}
.zk-leading{fill:#2e9e5b}.zk-following{fill:#9fd8b5}.zk-looking{fill:#e57373}
.connected{fill:#9fd8b5}.suspended{fill:#f2b134}.lost{fill:#e57373}
.fault{fill:#e57373;opacity:.55}.storage{fill:#b085d6;opacity:.6}
.checkpoint{stroke:#2e9e5b;stroke-width:1}.restore{stroke:#1d5fa8;stroke-width:2}.job{stroke:#555;stroke-width:2}
.violation{stroke:#d00;stroke-width:2}.violation-flag{fill:#d00}
.axis{stroke:#bbb;stroke-width:1}
#violations li{margin:6px 0}
pre{background:#f6f6f6;padding:6px;max-height:260px;overflow:auto;font-size:11px}
)";

const char* kScript = R"(
(function(){var s=document.getElementById('tl'),w=+s.getAttribute('width'),z=1;
function set(f){z=Math.max(.1,Math.min(20,z*f));s.setAttribute('width',w*z);}
document.getElementById('zin').onclick=function(){set(1.5)};
document.getElementById('zout').onclick=function(){set(1/1.5)};
document.getElementById('zfit').onclick=function(){z=document.getElementById('wrap').clientWidth/w;set(1)};
})();
)";

}  // namespace

std::string timeline_html(const Timeline& t) {
  const double width = x_of(std::max(t.end_s, 1.0)) + 20;
  const double axis_h = 20;
  const double height = axis_h + kLaneHeight * static_cast<double>(t.lanes.size()) + 10;
  std::string svg = "<svg id=\"tl\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(width) + "\" height=\"" +
                    num(height) + "\" viewBox=\"0 0 " + num(width) + " " + num(height) +
                    "\" preserveAspectRatio=\"none\">\n";
  // Lanes, then the time axis every 10 s (a label every 60 s).
  for (std::size_t i = 0; i < t.lanes.size(); i++) {
    const double y = axis_h + kLaneHeight * static_cast<double>(i);
    svg += "<rect class=\"lane-bg" + std::string(i % 2 ? " odd" : "") + "\" x=\"0\" y=\"" + num(y) + "\" width=\"" +
           num(width) + "\" height=\"" + num(kLaneHeight) + "\"/>";
    svg += "<text x=\"4\" y=\"" + num(y + 15) + "\">" + escape_xml(t.lanes[i]) + "</text>\n";
  }
  for (double s = 0; s <= t.end_s; s += 10) {
    svg += "<line class=\"axis\" x1=\"" + num(x_of(s)) + "\" y1=\"" + num(axis_h - 4) + "\" x2=\"" + num(x_of(s)) +
           "\" y2=\"" + num(height) + "\"/>";
    if (static_cast<long>(s) % 60 == 0) svg += "<text x=\"" + num(x_of(s) + 2) + "\" y=\"12\">" + num(s).substr(0, num(s).size() - 3) + " s</text>";
  }
  svg += "\n";
  for (const auto& span : t.spans) {
    if (span.lane >= t.lanes.size()) continue;
    // A confirmed leader session is a narrower bar inside the believed one.
    const bool inner = span.kind == "confirmed";
    const double y = axis_h + kLaneHeight * static_cast<double>(span.lane) + (inner ? 8 : 3);
    const double w = std::max(1.0, (span.to_s - span.from_s) * kPxPerSecond);
    svg += "<rect class=\"" + escape_xml(span.kind) + "\" x=\"" + num(x_of(span.from_s)) + "\" y=\"" + num(y) +
           "\" width=\"" + num(w) + "\" height=\"" + num(inner ? 6 : kLaneHeight - 6) + "\" data-lane=\"" +
           escape_xml(t.lanes[span.lane]) + "\" data-from=\"" + num(span.from_s) +
           "\" data-to=\"" + num(span.to_s) + "\"><title>" + escape_xml(span.label) + " (" + seconds(span.from_s) +
           " to " + seconds(span.to_s) + ")</title></rect>\n";
  }
  for (const auto& mark : t.marks) {
    if (mark.lane >= t.lanes.size()) continue;
    const double y = axis_h + kLaneHeight * static_cast<double>(mark.lane);
    svg += "<line class=\"" + escape_xml(mark.kind) + "\" x1=\"" + num(x_of(mark.at_s)) + "\" y1=\"" + num(y + 2) +
           "\" x2=\"" + num(x_of(mark.at_s)) + "\" y2=\"" + num(y + kLaneHeight - 2) + "\" data-at=\"" + num(mark.at_s) +
           "\"><title>" + escape_xml(mark.label) + " at " + seconds(mark.at_s) + "</title></line>\n";
  }
  for (std::size_t i = 0; i < t.violations.size(); i++) {
    const auto& v = t.violations[i];
    svg += "<g class=\"violation-mark\" id=\"vmark-" + std::to_string(i) + "\" data-at=\"" + num(v.at_s) +
           "\"><line class=\"violation\" x1=\"" + num(x_of(v.at_s)) + "\" y1=\"" + num(axis_h) + "\" x2=\"" +
           num(x_of(v.at_s)) + "\" y2=\"" + num(height) + "\"/><polygon class=\"violation-flag\" points=\"" +
           num(x_of(v.at_s)) + "," + num(axis_h) + " " + num(x_of(v.at_s) + 8) + "," + num(axis_h + 4) + " " +
           num(x_of(v.at_s)) + "," + num(axis_h + 8) + "\"/><title>" + escape_xml(v.title) + " at " + seconds(v.at_s) +
           "</title></g>\n";
  }
  svg += "</svg>";

  std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>hasim: " +
                     escape_xml(t.scenario) + " seed " + std::to_string(t.seed) + "</title>\n<style>" + kStyle +
                     "</style></head><body>\n";
  html += "<h1>" + escape_xml(t.scenario) + ", seed " + std::to_string(t.seed) + "</h1>\n";
  html += "<p>Replay: <code>" + escape_xml(t.replay) + "</code>. " + std::to_string(t.violations.size()) +
          " violation(s). Hover a bar or a mark for details. <button id=\"zin\">zoom in</button> <button "
          "id=\"zout\">zoom out</button> <button id=\"zfit\">fit</button></p>\n";
  html += "<p>Lanes: JobManagers (light blue: believes it leads; dark blue: a leader session it confirmed; "
          "orange: paused; grey: down), ZooKeeper servers (green: leading; pale green: following; red: "
          "looking), each JobManager's ZooKeeper session (pale green: connected; orange: suspended; red: "
          "lost), faults (red bands) and storage faults (purple), each job's checkpoints (green ticks), "
          "restores (blue) and lifecycle (grey); violations as red flags across all lanes.</p>\n";
  html += "<div id=\"wrap\">" + svg + "</div>\n";
  html += "<h2>Violations</h2>\n<ol id=\"violations\">\n";
  for (std::size_t i = 0; i < t.violations.size(); i++) {
    const auto& v = t.violations[i];
    html += "<li id=\"violation-" + std::to_string(i) + "\" data-at=\"" + num(v.at_s) + "\"><b>" + seconds(v.at_s) +
            "</b>: " + escape_xml(v.title) + "<details><summary>trace events nearby</summary><pre>";
    for (std::size_t k = 0; k < v.nearby.size() && k < kMaxNearby; k++) html += escape_xml(v.nearby[k]) + "\n";
    html += "</pre></details></li>\n";
  }
  if (t.violations.empty()) html += "<li>none</li>\n";
  html += "</ol>\n<script>" + std::string(kScript) + "</script>\n</body></html>\n";
  return html;
}

}  // namespace reports
