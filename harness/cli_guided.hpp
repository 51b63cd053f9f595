#pragma once
// `hasim explore --guided`: runs guided exploration (harness/guided_explore.hpp) and prints what
// plain explore prints, plus the corpus figures; every failing run's schedule is written as an
// explicit scenario file, and its replay command names that file.
#include "harness/cli_scenarios.hpp"
#include "harness/scenario.hpp"

namespace harness {

// `scenario` is loaded, with the mutant applied and expectations cleared; `file` names it.
int guided_explore_command(const ExploreCommand& command, const Scenario& scenario, const std::string& file);

}  // namespace harness
