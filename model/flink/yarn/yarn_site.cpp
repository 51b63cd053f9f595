#include "model/flink/yarn/yarn_site.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "sim/assert.hpp"

namespace model::flink::yarn {
namespace {

// A yarn-site.xml integer: digits only, bounded (Configuration.getInt would also take a sign).
std::optional<std::int64_t> parse_count(const std::string& text, std::int64_t low, std::int64_t high) {
  if (text.empty() || text.size() > 12 || !std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    return std::nullopt;
  }
  const std::int64_t value = std::stoll(text);
  if (value < low || value > high) return std::nullopt;
  return value;
}

}  // namespace

std::optional<YarnVersion> parse_yarn_version(const std::string& text) {
  const auto dot = text.find('.');
  if (dot == std::string::npos) return std::nullopt;
  const auto major = parse_count(text.substr(0, dot), 2, 3);
  const auto minor = parse_count(text.substr(dot + 1), 0, 99);
  if (!major || !minor) return std::nullopt;
  const YarnVersion version{static_cast<int>(*major), static_cast<int>(*minor)};
  if (version < YarnVersion{2, 3} || version > YarnVersion{3, 4}) return std::nullopt;
  return version;
}

std::vector<std::string> known_yarn_site_keys() {
  return {"yarn.resourcemanager.am.max-attempts", "yarn.resourcemanager.nodemanagers.heartbeat-interval-ms",
          "yarn.nm.liveness-monitor.expiry-interval-ms"};
}

std::variant<YarnSite, ConfigError> parse_yarn_site(const YarnSiteEntries& entries) {
  YarnSite site;
  std::map<std::string, int> seen;
  for (const auto& [key, value] : entries) {
    if (seen[key]++ > 0) return ConfigError{key, "given twice"};
    if (key == "yarn.resourcemanager.am.max-attempts") {
      // YARN refuses a non-positive global value at start-up (ResourceManager.validateConfigs).
      const auto attempts = parse_count(value, 1, 10000);
      if (!attempts) return ConfigError{key, "expected a whole number from 1 to 10000, got '" + value + "'"};
      site.am_max_attempts = static_cast<int>(*attempts);
    } else if (key == "yarn.resourcemanager.nodemanagers.heartbeat-interval-ms") {
      const auto ms = parse_count(value, 1, 600'000);
      if (!ms) return ConfigError{key, "expected milliseconds from 1 to 600000, got '" + value + "'"};
      site.nm_heartbeat_interval = sim::milliseconds(*ms);
    } else if (key == "yarn.nm.liveness-monitor.expiry-interval-ms") {
      const auto ms = parse_count(value, 1, 86'400'000);
      if (!ms) return ConfigError{key, "expected milliseconds from 1 to 86400000, got '" + value + "'"};
      site.nm_expiry_interval = sim::milliseconds(*ms);
    } else {
      return ConfigError{key, "unknown yarn-site key (the model reads yarn.resourcemanager.am.max-attempts, "
                              "yarn.resourcemanager.nodemanagers.heartbeat-interval-ms, yarn.nm.liveness-monitor.expiry-interval-ms)"};
    }
  }
  return site;
}

AttemptRules attempt_rules(const YarnVersion& version, const YarnSite& site, const FlinkConfig& config) {
  SIM_ASSERT(site.am_max_attempts >= 1);
  AttemptRules rules;
  const int asked = config.yarn_application_attempts;
  rules.max_attempts = asked <= 0 || asked > site.am_max_attempts ? site.am_max_attempts : asked;
  const bool ha = config.ha_type != HaType::kNone;
  rules.keep_containers = ha && version >= YarnVersion{2, 4};
  const int interval_ms = config.yarn_attempt_failures_validity_interval_ms;
  if (ha && version >= YarnVersion{2, 6} && interval_ms > 0) rules.validity_interval = sim::milliseconds(interval_ms);
  return rules;
}

}  // namespace model::flink::yarn
