#pragma once
// The Flink configuration the model reads, under Flink's own key names and defaults (see the
// key table in flink-ha-facts.md). Deprecated names are accepted as fallbacks, as Flink does;
// when both are present the current name wins. An unknown key is an error rather than ignored:
// a misspelt key silently falling back to a default would make a scenario test something else.
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "sim/time.hpp"

namespace model::flink {

enum class HaType { kNone, kZooKeeper, kKubernetes };

struct HostPort {
  std::string host;
  int port = 0;
  bool operator==(const HostPort&) const = default;
};

struct ZooKeeperClientOptions {
  sim::Duration session_timeout = sim::milliseconds(60000);
  sim::Duration connection_timeout = sim::milliseconds(15000);
  sim::Duration retry_wait = sim::milliseconds(5000);
  int max_retry_attempts = 3;
  bool tolerate_suspended_connections = false;
};

struct KubernetesLeaderElectionOptions {
  sim::Duration lease_duration = sim::seconds(15);
  sim::Duration renew_deadline = sim::seconds(15);
  sim::Duration retry_period = sim::seconds(5);
};

struct FlinkConfig {
  HaType ha_type = HaType::kNone;
  std::string cluster_id = "/default";
  std::string storage_dir;
  std::vector<HostPort> zookeeper_quorum;
  std::string zookeeper_root = "/flink";
  ZooKeeperClientOptions zookeeper_client;
  KubernetesLeaderElectionOptions kubernetes;
  std::optional<sim::Duration> checkpoint_interval;  // none: checkpointing off
  int checkpoints_num_retained = 1;
  sim::Duration heartbeat_interval = sim::seconds(10);
  sim::Duration heartbeat_timeout = sim::seconds(50);
  int yarn_application_attempts = 1;  // 2 when HA is on and the key is unset
  // yarn.application-attempt-failures-validity-interval (Flink passes it to YARN only with HA);
  // -1 or 0: every failure counts, whenever it happened.
  int yarn_attempt_failures_validity_interval_ms = 10000;
  std::string jobmanager_port = "0";
  std::string sasl_service_name = "zookeeper";
  std::string sasl_login_context_name = "Client";

  // "<path.root>/<cluster-id>" with slashes normalised: "/flink/default".
  std::string zookeeper_namespace() const;
};

struct ConfigError {
  std::string key;
  std::string message;
};

using ConfigEntries = std::vector<std::pair<std::string, std::string>>;
std::variant<FlinkConfig, ConfigError> parse_flink_config(const ConfigEntries& entries);

// Every key the model understands, current names first; for error messages and the schema.
std::vector<std::string> known_flink_config_keys();
// The same keys grouped per setting: each group's current name first, then its deprecated
// fallbacks in the order Flink tries them.
std::vector<std::vector<std::string>> flink_config_key_groups();

// `conf/masters`: one "host:webui-port" per line; blank lines and # comments are skipped.
std::variant<std::vector<HostPort>, ConfigError> parse_masters(const std::vector<std::string>& lines);

}  // namespace model::flink
