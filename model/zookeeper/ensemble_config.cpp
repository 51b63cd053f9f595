#include "model/zookeeper/ensemble_config.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace model::zk {
namespace {

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

bool parse_number(const std::string& text, long long low, long long high, long long& out) {
  const std::string value = trim(text);
  if (value.empty() || value.size() > 12) return false;
  std::size_t start = value[0] == '-' ? 1 : 0;
  if (start == value.size()) return false;
  for (std::size_t i = start; i < value.size(); i++) {
    if (!std::isdigit(static_cast<unsigned char>(value[i]))) return false;
  }
  out = std::stoll(value);
  return out >= low && out <= high;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const auto at = text.find(separator, start);
    parts.push_back(text.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return parts;
    start = at + 1;
  }
}

// "host:peer:election[:participant|observer][;[clientAddress:]clientPort]"
std::variant<ServerAddress, std::string> parse_server(int id, const std::string& value) {
  const std::string quorum_part = split(value, ';').front();
  const auto parts = split(trim(quorum_part), ':');
  if (parts.size() < 3 || parts.size() > 4 || trim(parts[0]).empty()) {
    return std::string("expected host:peerPort:leaderPort, got '" + value + "'");
  }
  long long peer = 0, election = 0;
  if (!parse_number(parts[1], 1, 65535, peer) || !parse_number(parts[2], 1, 65535, election)) {
    return std::string("bad port in '" + value + "'");
  }
  if (parts.size() == 4 && trim(parts[3]) != "participant") {
    return std::string("only participants are modelled, got '" + trim(parts[3]) + "'");
  }
  return ServerAddress{id, trim(parts[0]), static_cast<int>(peer), static_cast<int>(election)};
}

}  // namespace

SessionTimeoutBounds EnsembleConfig::session_bounds() const {
  SessionTimeoutBounds bounds = SessionTimeoutBounds::from_ticks(tick);
  if (min_session_timeout.ns >= 0) bounds.min = min_session_timeout;
  if (max_session_timeout.ns >= 0) bounds.max = max_session_timeout;
  return bounds;
}

std::variant<EnsembleConfig, EnsembleConfigError> parse_zoo_cfg(const std::vector<std::string>& lines) {
  EnsembleConfig config;
  std::set<int> ids;
  for (const std::string& raw : lines) {
    const std::string line = trim(raw);
    if (line.empty() || line[0] == '#') continue;
    const auto equals = line.find('=');
    if (equals == std::string::npos) return EnsembleConfigError{line, "expected key=value"};
    const std::string key = trim(line.substr(0, equals)), value = trim(line.substr(equals + 1));
    long long number = 0;
    if (key.rfind("server.", 0) == 0) {
      if (!parse_number(key.substr(7), 0, 255, number)) return EnsembleConfigError{key, "server id must be 0..255"};
      if (!ids.insert(static_cast<int>(number)).second) return EnsembleConfigError{key, "server id given twice"};
      auto server = parse_server(static_cast<int>(number), value);
      if (auto* error = std::get_if<std::string>(&server)) return EnsembleConfigError{key, *error};
      config.servers.push_back(std::get<ServerAddress>(server));
    } else if (key == "tickTime") {
      if (!parse_number(value, 1, 600000, number)) return EnsembleConfigError{key, "expected milliseconds 1..600000"};
      config.tick = sim::milliseconds(number);
    } else if (key == "initLimit" || key == "syncLimit") {
      if (!parse_number(value, 1, 1000, number)) return EnsembleConfigError{key, "expected ticks 1..1000"};
      (key == "initLimit" ? config.init_limit : config.sync_limit) = static_cast<int>(number);
    } else if (key == "clientPort") {
      if (!parse_number(value, 1, 65535, number)) return EnsembleConfigError{key, "expected a port"};
      config.client_port = static_cast<int>(number);
    } else if (key == "minSessionTimeout" || key == "maxSessionTimeout") {
      if (!parse_number(value, -1, 86'400'000, number)) return EnsembleConfigError{key, "expected milliseconds or -1"};
      (key == "minSessionTimeout" ? config.min_session_timeout : config.max_session_timeout) =
          number < 0 ? sim::Duration{-1} : sim::milliseconds(number);
    } else if (key == "dataDir" || key == "dataLogDir" || key == "maxClientCnxns" || key == "autopurge.snapRetainCount" ||
               key == "autopurge.purgeInterval" || key == "4lw.commands.whitelist" || key == "admin.enableServer") {
      // Accepted and irrelevant to the model.
    } else {
      return EnsembleConfigError{key, "unknown zoo.cfg key"};
    }
  }
  std::sort(config.servers.begin(), config.servers.end(),
            [](const ServerAddress& a, const ServerAddress& b) { return a.id < b.id; });
  const auto bounds = config.session_bounds();
  if (bounds.min > bounds.max) return EnsembleConfigError{"minSessionTimeout", "larger than maxSessionTimeout"};
  return config;
}

EnsembleConfig default_ensemble(int count, sim::Duration tick) {
  SIM_ASSERT(count >= 1 && count <= 255);
  EnsembleConfig config;
  config.tick = tick;
  for (int id = 1; id <= count; id++) config.servers.push_back(ServerAddress{id, "zk" + std::to_string(id), 2888, 3888});
  return config;
}

}  // namespace model::zk
