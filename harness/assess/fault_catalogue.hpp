#pragma once
// The fault catalogue of `hasim assess`: each class is one fault (or one fault pair) aimed at a
// deployment built from an effective configuration, at an instant drawn from the seed. A
// (configuration, variant, class, seed) names one run exactly, so `hasim assess DIR --fault C
// --seed S` replays it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/assess/effective_config.hpp"
#include "harness/scenario.hpp"

namespace harness::assess {

struct FaultClass {
  std::string name;         // "kill-leader", "gc-pause-1x", ...
  std::string description;  // one line, with the durations it derives from the session timeout
};

// The classes for a deployment whose negotiated session timeout is `session_timeout`.
std::vector<FaultClass> fault_classes(sim::Duration session_timeout);
bool is_fault_class(const std::string& name);

// One setting changed against the configuration as given (the what-if comparisons).
struct Variant {
  std::string name = "as-configured";
  std::optional<bool> tolerate_suspended;
  int session_timeout_percent = 100;  // of the configured (requested) session timeout
  std::string curator = "5.4";
};
// The baseline first, then one variant per changed setting.
std::vector<Variant> what_if_variants(const EffectiveConfig& config);
std::optional<Variant> find_variant(const EffectiveConfig& config, const std::string& name);

// The Flink entries and negotiated session timeout the variant runs with.
model::flink::ConfigEntries variant_entries(const EffectiveConfig& config, const Variant& variant);
sim::Duration variant_negotiated_session_timeout(const EffectiveConfig& config, const Variant& variant);

// The first instant the fault may fire: the job (submitted at 5 s) is running long before.
constexpr sim::Duration kFaultWindowStart = sim::seconds(30);
constexpr sim::Duration kFaultWindowLength = sim::seconds(30);
constexpr const char* kJobId = "job-1";

// The whole run of one class under one seed: deployment, one job checkpointing (the configured
// interval, else 1 s), the class's fault at an instant drawn from the seed's "assess-fault-at"
// stream in [30 s, 60 s), the heal, and liveness bounds derived from the session timeout.
Scenario assess_scenario(const EffectiveConfig& config, const Variant& variant, const FaultClass& fault, std::uint64_t seed);
// When the class's (first) fault fires in that run.
sim::Instant fault_instant(std::uint64_t seed);

}  // namespace harness::assess
