#pragma once
// A Markdown summary fit for a CI job summary (GitHub's $GITHUB_STEP_SUMMARY, GitLab's job
// reports): the verdict, the properties, the failing seeds with replay commands, the known upstream
// issues and the failover and overlap distributions.
#include <string>

#include "reports/sweep_summary.hpp"

namespace reports {

std::string markdown_summary(const SweepSummary& summary);

}  // namespace reports
