#pragma once
// What a Flink-on-YARN deployment takes from YARN: the Hadoop release (which decides whether
// TaskManager containers survive an ApplicationMaster failure and whether the attempt-failure
// validity window exists) and the few yarn-site.xml keys the ResourceManager model reads, under
// Hadoop's own names and defaults (YarnConfiguration). An unknown key is an error, as for Flink keys.
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "model/flink/flink_config.hpp"
#include "sim/time.hpp"

namespace model::flink::yarn {

struct YarnVersion {
  int major = 3;
  int minor = 3;
  auto operator<=>(const YarnVersion&) const = default;
};

// "2.3" .. "3.4" (Flink's YARN support starts at 2.3; later releases behave as 3.x here).
std::optional<YarnVersion> parse_yarn_version(const std::string& text);

struct YarnSite {
  int am_max_attempts = 2;                                  // yarn.resourcemanager.am.max-attempts
  sim::Duration nm_heartbeat_interval = sim::seconds(1);    // yarn.resourcemanager.nodemanagers.heartbeat-interval-ms
  sim::Duration nm_expiry_interval = sim::minutes(10);      // yarn.nm.liveness-monitor.expiry-interval-ms
};

using YarnSiteEntries = std::vector<std::pair<std::string, std::string>>;
// The error names the key (ConfigError.key) as the scenario spells it.
std::variant<YarnSite, ConfigError> parse_yarn_site(const YarnSiteEntries& entries);
std::vector<std::string> known_yarn_site_keys();

// How the ResourceManager treats this application's attempts.
struct AttemptRules {
  int max_attempts = 1;  // RMAppImpl.maxAppAttempts
  // Only failures that ended within this window count (YARN >= 2.6, HA only); nullopt: all count.
  std::optional<sim::Duration> validity_interval;
  // keep-containers-across-application-attempts (YARN >= 2.4, HA only): TaskManagers outlive the AM.
  bool keep_containers = false;
};

// Flink's YarnClusterDescriptor asks for yarn.application-attempts attempts (2 with HA, 1 without
// by default) and, with HA only, for kept containers and the validity interval; the RM caps the
// attempts at yarn.resourcemanager.am.max-attempts (an ask <= 0 or above it gets the global value),
// and a Hadoop release without a setting ignores it (Flink sets both by reflection).
AttemptRules attempt_rules(const YarnVersion& version, const YarnSite& site, const FlinkConfig& config);

}  // namespace model::flink::yarn
