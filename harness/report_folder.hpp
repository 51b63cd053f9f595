#pragma once
// `--report DIR`: a folder a person (and a CI system) can open after any run, replay or explore:
// summary.json (what --json prints), junit.xml and summary.md (reports/). The folder is created if
// need be; files in it are replaced.
#include <string>

#include "harness/sweep_report.hpp"

namespace harness {

// Creates the folder before any run, so an unusable --report fails at once (InputError, exit 2).
void prepare_report_folder(const std::string& dir, const std::string& flag = "--report");
// Throws InputError naming "--report" when a file cannot be written.
void write_report_folder(const SweepReport& report, const std::string& dir);

}  // namespace harness
