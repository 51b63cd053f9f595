#pragma once
// One seed's run as a self-contained HTML page: lanes of spans (who led, which servers led or
// followed, session states, faults) and marks (checkpoints, restores, violations) on one simulated
// time axis, as inline SVG with inline CSS and a little inline JS for zoom. No network, no files
// beside it. Every string from a scenario or a trace is escaped.
#include <cstdint>
#include <string>
#include <vector>

namespace reports {

struct TimelineSpan {
  std::size_t lane = 0;  // index into Timeline::lanes
  double from_s = 0, to_s = 0;
  std::string kind;   // a CSS class: leader, confirmed, paused, down, zk-leading, zk-following, zk-looking,
                      // connected, suspended, lost, fault, storage
  std::string label;  // shown on hover
};

struct TimelineMark {
  std::size_t lane = 0;
  double at_s = 0;
  std::string kind;  // checkpoint, restore, job, violation, fault
  std::string label;
};

struct TimelineViolation {
  double at_s = 0;
  std::string title;                // "no-lost-checkpoint A: ..."
  std::vector<std::string> nearby;  // trace events around it, one line each
};

struct Timeline {
  std::string scenario;
  std::uint64_t seed = 0;
  std::string replay;  // the command that reproduces it
  double end_s = 0;
  std::vector<std::string> lanes;
  std::vector<TimelineSpan> spans;
  std::vector<TimelineMark> marks;
  std::vector<TimelineViolation> violations;
};

std::string timeline_html(const Timeline& timeline);

}  // namespace reports
