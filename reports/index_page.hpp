#pragma once
// A sweep's index.html: the verdict, the properties, the known upstream issues, histograms of
// failover time and believed-leader overlap, and the seeds with findings linked to their timeline
// pages. Self-contained (inline SVG and CSS, no script); every string from a scenario or a trace
// is escaped.
#include <string>

#include "reports/sweep_summary.hpp"

namespace reports {

std::string index_html(const SweepSummary& summary);

}  // namespace reports
