#pragma once
// One run of the assess catalogue: (configuration, variant, fault class, seed) -> the runner's
// result (violations, overlap, kernel outcome) and the figures of run_figures.hpp.
#include <cstdint>
#include <string>

#include "harness/assess/fault_catalogue.hpp"
#include "harness/assess/run_figures.hpp"
#include "harness/run_result.hpp"

namespace harness::assess {

struct AssessRun {
  RunResult result;  // without its events: they are read here and dropped
  RunFigures figures;
  sim::Instant fault_at;
};

// `trace_file`, when not empty, receives the model events as JSON lines.
AssessRun run_assess_seed(const EffectiveConfig& config, const Variant& variant, const FaultClass& fault,
                          std::uint64_t seed, const std::string& trace_file = "");

}  // namespace harness::assess
