#pragma once
// The effective HA configuration of a conf directory: every HA-relevant setting with defaults
// filled in and where each value came from (a file and line, a deprecated key, or a default), the
// ZooKeeper ensemble (zoo.cfg, or Flink's quorum string with ZooKeeper's defaults), the session
// timeout ZooKeeper will actually negotiate, and warnings that each cite the rule they rest on.
// Unusable input throws InputError naming file, line and key.
#include <string>
#include <vector>

#include "harness/assess/conf_dir.hpp"
#include "model/flink/flink_config.hpp"
#include "model/zookeeper/ensemble_config.hpp"
#include "sim/time.hpp"

namespace harness::assess {

struct EffectiveSetting {
  std::string key;
  std::string value;
  std::string source;  // "config.yaml:12", "config.yaml:3 (deprecated key recovery.mode)", "default", ...
};

struct ConfigWarning {
  std::string rule;     // short id: "session-timeout-clamped", "even-quorum", ...
  std::string message;  // what, why (the rule) and the consequence
};

struct EffectiveConfig {
  std::vector<EffectiveSetting> settings;
  std::vector<ConfigWarning> warnings;
  std::vector<std::string> notes;  // what assess assumed or ignored
  // The HA-relevant entries as Flink reads them (current or deprecated names), for the model.
  model::flink::ConfigEntries flink_entries;
  model::flink::FlinkConfig flink;
  std::vector<model::flink::HostPort> masters;  // as the masters file lists them
  int taskmanagers = 1;
  model::zk::EnsembleConfig zookeeper;
  bool zoo_cfg_given = false;
  sim::Duration session_timeout_requested{};
  sim::Duration session_timeout_negotiated{};
  // When not empty, the cluster cannot start as configured (e.g. no storageDir) or cannot be
  // simulated: where ("<file>: <key>") and why. The effective configuration is still shown.
  std::string unusable_where;
  std::string unusable_message;
};

EffectiveConfig effective_config(const ConfDir& conf);

// "40 s", "1500 ms": how durations are printed in the effective configuration.
std::string duration_text(sim::Duration duration);

}  // namespace harness::assess
