#include "model/flink/flink_config.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>

#include "model/flink/flink_duration.hpp"

namespace model::flink {
namespace {

using Setter = std::function<std::optional<std::string>(const std::string& value, FlinkConfig& config)>;

struct KeySpec {
  std::vector<std::string> names;  // current name first, then deprecated fallbacks
  Setter set;
};

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

std::optional<std::string> parse_int(const std::string& value, int low, int high, int& out) {
  const std::string text = trim(value);
  if (text.empty() || text.size() > 9 || !std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    return "expected a whole number from " + std::to_string(low) + " to " + std::to_string(high) + ", got '" + value + "'";
  }
  const int number = std::stoi(text);
  if (number < low || number > high) {
    return "expected a whole number from " + std::to_string(low) + " to " + std::to_string(high) + ", got '" + value + "'";
  }
  out = number;
  return std::nullopt;
}

std::optional<std::string> parse_positive_duration(const std::string& value, sim::Duration& out) {
  const DurationParse parsed = parse_flink_duration(value);
  if (!parsed.value) return parsed.error;
  if (parsed.value->ns <= 0) return "must be positive, got '" + value + "'";
  out = *parsed.value;
  return std::nullopt;
}

// A setter for a positive duration reached from the config through `path` (a chain of members).
template <typename... Members>
Setter duration_setter(Members... path) {
  return [path...](const std::string& value, FlinkConfig& config) {
    return parse_positive_duration(value, (config.*....*path));
  };
}

Setter string_setter(std::string FlinkConfig::*field) {
  return [field](const std::string& value, FlinkConfig& config) -> std::optional<std::string> {
    if (trim(value).empty()) return "must not be empty";
    config.*field = trim(value);
    return std::nullopt;
  };
}

std::optional<std::string> parse_host_port(const std::string& text, HostPort& out) {
  const std::string entry = trim(text);
  const auto colon = entry.rfind(':');
  if (colon == std::string::npos || colon == 0) return "expected host:port, got '" + entry + "'";
  int port = 0;
  if (parse_int(entry.substr(colon + 1), 1, 65535, port)) return "bad port in '" + entry + "'";
  out = HostPort{entry.substr(0, colon), port};
  return std::nullopt;
}

std::optional<std::string> set_quorum(const std::string& value, FlinkConfig& config) {
  std::vector<HostPort> quorum;
  std::size_t start = 0;
  while (start <= value.size()) {
    const auto comma = value.find(',', start);
    const std::string item = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    HostPort host_port;
    if (auto error = parse_host_port(item, host_port)) return error;
    quorum.push_back(host_port);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  config.zookeeper_quorum = std::move(quorum);
  return std::nullopt;
}

std::optional<std::string> set_ha_type(const std::string& value, FlinkConfig& config) {
  const std::string type = lower(trim(value));
  if (type == "none") {
    config.ha_type = HaType::kNone;
  } else if (type == "zookeeper") {
    config.ha_type = HaType::kZooKeeper;
  } else if (type == "kubernetes") {
    config.ha_type = HaType::kKubernetes;
  } else {
    return "expected NONE, ZOOKEEPER or KUBERNETES, got '" + value + "'";
  }
  return std::nullopt;
}

std::optional<std::string> set_bool(const std::string& value, bool& out) {
  const std::string text = lower(trim(value));
  if (text == "true") {
    out = true;
  } else if (text == "false") {
    out = false;
  } else {
    return "expected true or false, got '" + value + "'";
  }
  return std::nullopt;
}

// high-availability.jobmanager.port: a port, a range "50000-50025", or a comma list of both.
std::optional<std::string> set_port_spec(const std::string& value, FlinkConfig& config) {
  std::size_t start = 0;
  const std::string text = trim(value);
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const std::string item = trim(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    const auto dash = item.find('-');
    int low = 0, high = 0;
    if (dash == std::string::npos) {
      if (parse_int(item, 0, 65535, low)) return "expected a port, a range or a list, got '" + value + "'";
    } else if (parse_int(item.substr(0, dash), 0, 65535, low) || parse_int(item.substr(dash + 1), 0, 65535, high) ||
               low > high) {
      return "bad port range '" + item + "'";
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  config.jobmanager_port = text;
  return std::nullopt;
}

const std::vector<KeySpec>& key_specs() {
  static const std::vector<KeySpec> specs = {
      {{"high-availability.type", "high-availability", "recovery.mode"}, set_ha_type},
      {{"high-availability.cluster-id", "high-availability.zookeeper.path.namespace"},
       string_setter(&FlinkConfig::cluster_id)},
      {{"high-availability.storageDir", "high-availability.zookeeper.storageDir"},
       string_setter(&FlinkConfig::storage_dir)},
      {{"high-availability.zookeeper.quorum"}, set_quorum},
      {{"high-availability.zookeeper.path.root"}, string_setter(&FlinkConfig::zookeeper_root)},
      {{"high-availability.zookeeper.client.session-timeout"}, duration_setter(&FlinkConfig::zookeeper_client, &ZooKeeperClientOptions::session_timeout)},
      {{"high-availability.zookeeper.client.connection-timeout"},
       duration_setter(&FlinkConfig::zookeeper_client, &ZooKeeperClientOptions::connection_timeout)},
      {{"high-availability.zookeeper.client.retry-wait"}, duration_setter(&FlinkConfig::zookeeper_client, &ZooKeeperClientOptions::retry_wait)},
      {{"high-availability.zookeeper.client.max-retry-attempts"},
       [](const std::string& v, FlinkConfig& c) { return parse_int(v, 0, 29, c.zookeeper_client.max_retry_attempts); }},
      {{"high-availability.zookeeper.client.tolerate-suspended-connections"},
       [](const std::string& v, FlinkConfig& c) { return set_bool(v, c.zookeeper_client.tolerate_suspended_connections); }},
      {{"high-availability.jobmanager.port", "recovery.jobmanager.port"}, set_port_spec},
      {{"high-availability.kubernetes.leader-election.lease-duration"},
       duration_setter(&FlinkConfig::kubernetes, &KubernetesLeaderElectionOptions::lease_duration)},
      {{"high-availability.kubernetes.leader-election.renew-deadline"},
       duration_setter(&FlinkConfig::kubernetes, &KubernetesLeaderElectionOptions::renew_deadline)},
      {{"high-availability.kubernetes.leader-election.retry-period"},
       duration_setter(&FlinkConfig::kubernetes, &KubernetesLeaderElectionOptions::retry_period)},
      {{"execution.checkpointing.interval"},
       [](const std::string& v, FlinkConfig& c) -> std::optional<std::string> {
         sim::Duration interval;
         if (auto error = parse_positive_duration(v, interval)) return error;
         c.checkpoint_interval = interval;
         return std::nullopt;
       }},
      {{"execution.checkpointing.num-retained", "state.checkpoints.num-retained"},
       [](const std::string& v, FlinkConfig& c) { return parse_int(v, 1, 10000, c.checkpoints_num_retained); }},
      {{"heartbeat.interval"}, duration_setter(&FlinkConfig::heartbeat_interval)},
      {{"heartbeat.timeout"}, duration_setter(&FlinkConfig::heartbeat_timeout)},
      {{"yarn.application-attempts"},
       [](const std::string& v, FlinkConfig& c) { return parse_int(v, 1, 10000, c.yarn_application_attempts); }},
      {{"yarn.application-attempt-failures-validity-interval"},
       [](const std::string& v, FlinkConfig& c) -> std::optional<std::string> {
         if (trim(v) == "-1") {
           c.yarn_attempt_failures_validity_interval_ms = -1;
           return std::nullopt;
         }
         return parse_int(v, 0, 999'999'999, c.yarn_attempt_failures_validity_interval_ms);
       }},
      {{"zookeeper.sasl.service-name"}, string_setter(&FlinkConfig::sasl_service_name)},
      {{"zookeeper.sasl.login-context-name"}, string_setter(&FlinkConfig::sasl_login_context_name)},
  };
  return specs;
}

std::optional<ConfigError> check_consistency(const FlinkConfig& config) {
  if (config.ha_type != HaType::kNone && config.storage_dir.empty()) {
    return ConfigError{"high-availability.storageDir", "required when high availability is enabled"};
  }
  // Flink's Path refuses a scheme followed by a relative path ("hdfs:flink"): "Relative path in
  // absolute URI". A scheme is letters, digits, + . - after a leading letter, then ':'.
  const auto colon = config.storage_dir.find(':');
  const bool has_scheme = colon != std::string::npos && colon > 0 && std::isalpha(static_cast<unsigned char>(config.storage_dir[0])) &&
                          config.storage_dir.find_first_not_of(
                              "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-") == colon;
  if (has_scheme && config.storage_dir.compare(colon + 1, 1, "/") != 0) {
    return ConfigError{"high-availability.storageDir",
                       "a URI with a scheme needs an absolute path, as in hdfs:///flink/recovery (Flink's Path refuses a relative one)"};
  }
  // Flink joins path.root and cluster-id with their outer slashes trimmed; an empty segment inside
  // either ("/a//b") makes a ZooKeeper path Curator refuses at start-up (ZKPaths.validatePath).
  if (config.zookeeper_root.find("//") != std::string::npos) {
    return ConfigError{"high-availability.zookeeper.path.root", "holds an empty path segment (//), which ZooKeeper refuses"};
  }
  if (config.cluster_id.find("//") != std::string::npos) {
    return ConfigError{"high-availability.cluster-id", "holds an empty path segment (//), which ZooKeeper refuses"};
  }
  if (config.ha_type == HaType::kZooKeeper && config.zookeeper_quorum.empty()) {
    return ConfigError{"high-availability.zookeeper.quorum", "required when high-availability.type is ZOOKEEPER"};
  }
  if (config.heartbeat_timeout <= config.heartbeat_interval) {
    return ConfigError{"heartbeat.timeout", "must be larger than heartbeat.interval"};
  }
  return std::nullopt;
}

}  // namespace

std::string FlinkConfig::zookeeper_namespace() const {
  auto strip = [](std::string part) {
    while (!part.empty() && part.front() == '/') part.erase(part.begin());
    while (!part.empty() && part.back() == '/') part.pop_back();
    return part;
  };
  const std::string root = strip(zookeeper_root), cluster = strip(cluster_id);
  std::string path;
  if (!root.empty()) path += "/" + root;
  if (!cluster.empty()) path += "/" + cluster;
  return path.empty() ? "/" : path;
}

std::variant<FlinkConfig, ConfigError> parse_flink_config(const ConfigEntries& entries) {
  std::map<std::string, const KeySpec*> spec_by_name;
  for (const auto& spec : key_specs()) {
    for (const auto& name : spec.names) spec_by_name[name] = &spec;
  }
  // Which name set each spec: the current name beats a deprecated one, whatever the order.
  std::map<const KeySpec*, std::pair<std::size_t, const std::pair<std::string, std::string>*>> chosen;
  std::map<std::string, int> seen;
  for (const auto& entry : entries) {
    if (seen[entry.first]++ > 0) return ConfigError{entry.first, "given twice"};
    auto found = spec_by_name.find(entry.first);
    if (found == spec_by_name.end()) return ConfigError{entry.first, "unknown Flink configuration key"};
    const KeySpec* spec = found->second;
    const auto rank = static_cast<std::size_t>(
        std::find(spec->names.begin(), spec->names.end(), entry.first) - spec->names.begin());
    auto current = chosen.find(spec);
    if (current == chosen.end() || rank < current->second.first) chosen[spec] = {rank, &entry};
  }
  FlinkConfig config;
  bool attempts_set = false;
  for (const auto& spec : key_specs()) {
    auto picked = chosen.find(&spec);
    if (picked == chosen.end()) continue;
    const auto& [key, value] = *picked->second.second;
    if (auto error = spec.set(value, config)) return ConfigError{key, *error};
    attempts_set |= spec.names.front() == "yarn.application-attempts";
  }
  if (!attempts_set && config.ha_type != HaType::kNone) config.yarn_application_attempts = 2;
  if (auto error = check_consistency(config)) return *error;
  return config;
}

std::vector<std::string> known_flink_config_keys() {
  std::vector<std::string> keys;
  for (const auto& spec : key_specs()) keys.insert(keys.end(), spec.names.begin(), spec.names.end());
  return keys;
}

std::vector<std::vector<std::string>> flink_config_key_groups() {
  std::vector<std::vector<std::string>> groups;
  for (const auto& spec : key_specs()) groups.push_back(spec.names);
  return groups;
}

std::variant<std::vector<HostPort>, ConfigError> parse_masters(const std::vector<std::string>& lines) {
  std::vector<HostPort> masters;
  for (std::size_t i = 0; i < lines.size(); i++) {
    const std::string line = trim(lines[i]);
    if (line.empty() || line.front() == '#') continue;
    HostPort host_port;
    if (auto error = parse_host_port(line, host_port)) {
      return ConfigError{"masters[" + std::to_string(i) + "]", *error};
    }
    masters.push_back(host_port);
  }
  if (masters.empty()) return ConfigError{"masters", "lists no JobManager"};
  return masters;
}

}  // namespace model::flink
