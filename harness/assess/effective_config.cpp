#include "harness/assess/effective_config.hpp"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "harness/json_reader.hpp"

namespace harness::assess {
namespace {

// The simulation's cost grows with every TaskManager; one job needs few of them.
constexpr int kTaskManagersMax = 4;

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

std::string file_name(const std::string& path) { return std::filesystem::path(path).filename().string(); }

InputError at_line(const std::string& file, int line, const std::string& key, const std::string& message) {
  std::string where = file;
  if (line > 0) where += ":" + std::to_string(line);
  if (!key.empty()) where += ": " + key;
  return InputError(where, message);
}

// The 1-based line of zoo.cfg that sets `key`, 0 when none does.
int zoo_cfg_line(const std::vector<std::string>& lines, const std::string& key) {
  for (std::size_t i = 0; i < lines.size(); i++) {
    const std::string line = trim(lines[i]);
    if (line.empty() || line[0] == '#') continue;
    const auto equals = line.find('=');
    if (trim(equals == std::string::npos ? line : line.substr(0, equals)) == key) return static_cast<int>(i) + 1;
  }
  return 0;
}

// Which conf entry set each HA setting (by the group's current name), and under which name.
struct Origin {
  const ConfLine* entry = nullptr;
  std::size_t rank = 0;  // 0: the current name; otherwise a deprecated one
};

std::map<std::string, Origin> origins(const std::vector<ConfLine>& entries) {
  std::map<std::string, Origin> result;
  for (const auto& group : model::flink::flink_config_key_groups()) {
    for (std::size_t rank = 0; rank < group.size(); rank++) {
      for (const auto& entry : entries) {
        if (entry.key != group[rank]) continue;
        auto& origin = result[group.front()];
        // The current name wins over a deprecated one, as in parse_flink_config.
        if (origin.entry == nullptr || rank < origin.rank) origin = Origin{&entry, rank};
      }
    }
  }
  return result;
}

bool is_ha_key(const std::string& key) {
  static const std::set<std::string> known = [] {
    const auto keys = model::flink::known_flink_config_keys();
    return std::set<std::string>(keys.begin(), keys.end());
  }();
  return known.count(key) > 0;
}

bool looks_ha_related(const std::string& key) {
  return key.rfind("high-availability", 0) == 0 || key.rfind("zookeeper.", 0) == 0 || key.rfind("recovery.", 0) == 0;
}

struct Parsed {
  model::flink::FlinkConfig config;
  std::optional<model::flink::ConfigError> error;
};

Parsed parse(const model::flink::ConfigEntries& entries) {
  auto parsed = model::flink::parse_flink_config(entries);
  if (auto* error = std::get_if<model::flink::ConfigError>(&parsed)) return {{}, *error};
  return {std::get<model::flink::FlinkConfig>(parsed), std::nullopt};
}

// The line of the entry a ConfigError names (its own key, or another name of its setting).
int error_line(const std::vector<ConfLine>& entries, const std::map<std::string, Origin>& set_by, const std::string& key) {
  for (const auto& entry : entries) {
    if (entry.key == key) return entry.line;
  }
  for (const auto& group : model::flink::flink_config_key_groups()) {
    if (std::find(group.begin(), group.end(), key) == group.end()) continue;
    auto found = set_by.find(group.front());
    if (found != set_by.end()) return found->second.entry->line;
  }
  return 0;
}

std::string quorum_text(const std::vector<model::flink::HostPort>& quorum) {
  std::string text;
  for (const auto& server : quorum) text += (text.empty() ? "" : ",") + server.host + ":" + std::to_string(server.port);
  return text;
}

void add_flink_settings(EffectiveConfig& out, const ConfDir& conf, const std::map<std::string, Origin>& set_by) {
  const model::flink::FlinkConfig& c = out.flink;
  const auto bool_text = [](bool value) { return std::string(value ? "true" : "false"); };
  const std::vector<std::pair<std::string, std::function<std::string()>>> rows = {
      {"high-availability.type", [] { return std::string("ZOOKEEPER"); }},
      {"high-availability.cluster-id", [&] { return c.cluster_id; }},
      {"high-availability.storageDir", [&] { return c.storage_dir.empty() ? std::string("(missing)") : c.storage_dir; }},
      {"high-availability.zookeeper.quorum", [&] { return quorum_text(c.zookeeper_quorum); }},
      {"high-availability.zookeeper.path.root", [&] { return c.zookeeper_root; }},
      {"high-availability.zookeeper.client.session-timeout", [&] { return duration_text(c.zookeeper_client.session_timeout); }},
      {"high-availability.zookeeper.client.connection-timeout", [&] { return duration_text(c.zookeeper_client.connection_timeout); }},
      {"high-availability.zookeeper.client.retry-wait", [&] { return duration_text(c.zookeeper_client.retry_wait); }},
      {"high-availability.zookeeper.client.max-retry-attempts", [&] { return std::to_string(c.zookeeper_client.max_retry_attempts); }},
      {"high-availability.zookeeper.client.tolerate-suspended-connections",
       [&] { return bool_text(c.zookeeper_client.tolerate_suspended_connections); }},
      {"high-availability.jobmanager.port", [&] { return c.jobmanager_port == "0" ? std::string("0 (random)") : c.jobmanager_port; }},
      {"execution.checkpointing.interval",
       [&] { return c.checkpoint_interval ? duration_text(*c.checkpoint_interval) : std::string("none (checkpointing off)"); }},
      {"execution.checkpointing.num-retained", [&] { return std::to_string(c.checkpoints_num_retained); }},
      {"heartbeat.interval", [&] { return duration_text(c.heartbeat_interval); }},
      {"heartbeat.timeout", [&] { return duration_text(c.heartbeat_timeout); }},
  };
  const std::string flink_file = file_name(conf.flink_file);
  for (const auto& [key, value] : rows) {
    std::string source = "default";
    auto found = set_by.find(key);
    if (found != set_by.end()) {
      source = flink_file + ":" + std::to_string(found->second.entry->line);
      if (found->second.rank > 0) source += " (deprecated key " + found->second.entry->key + ")";
    }
    out.settings.push_back({key, value(), source});
    if (key == "high-availability.zookeeper.path.root") {
      out.settings.push_back({"(ZooKeeper namespace)", c.zookeeper_namespace(), "path.root + cluster-id"});
    }
  }
}

void add_zookeeper_settings(EffectiveConfig& out, const ConfDir& conf) {
  const model::zk::EnsembleConfig& z = out.zookeeper;
  const std::string zoo_file = file_name(conf.zoo_cfg_file);
  const auto source = [&](const std::string& key) {
    if (!out.zoo_cfg_given) return std::string("ZooKeeper default (no zoo.cfg)");
    const int line = zoo_cfg_line(*conf.zoo_cfg_lines, key);
    return line > 0 ? zoo_file + ":" + std::to_string(line) : std::string("ZooKeeper default");
  };
  const auto bounds = z.session_bounds();
  out.settings.push_back({"zoo.cfg tickTime", duration_text(z.tick), source("tickTime")});
  out.settings.push_back({"zoo.cfg initLimit", std::to_string(z.init_limit) + " ticks", source("initLimit")});
  out.settings.push_back({"zoo.cfg syncLimit", std::to_string(z.sync_limit) + " ticks", source("syncLimit")});
  out.settings.push_back({"zoo.cfg minSessionTimeout", duration_text(bounds.min),
                          z.min_session_timeout.ns >= 0 ? source("minSessionTimeout") : "2 x tickTime (ZooKeeper default)"});
  out.settings.push_back({"zoo.cfg maxSessionTimeout", duration_text(bounds.max),
                          z.max_session_timeout.ns >= 0 ? source("maxSessionTimeout") : "20 x tickTime (ZooKeeper default)"});
  std::string servers;
  for (const auto& server : z.servers) {
    servers += (servers.empty() ? "" : ", ") + std::string("server.") + std::to_string(server.id) + "=" + server.host + ":" +
               std::to_string(server.peer_port) + ":" + std::to_string(server.election_port);
  }
  out.settings.push_back({"zoo.cfg servers", servers,
                          out.zoo_cfg_given ? zoo_file : std::string("one per high-availability.zookeeper.quorum entry (no zoo.cfg)")});
  out.settings.push_back({"zookeeper_session_timeout_negotiated", duration_text(out.session_timeout_negotiated),
                          "session-timeout clamped to [" + duration_text(bounds.min) + ", " + duration_text(bounds.max) +
                              "] by the ZooKeeper server"});
}

model::zk::EnsembleConfig zookeeper_from_conf(EffectiveConfig& out, const ConfDir& conf, int quorum_line) {
  if (conf.zoo_cfg_lines) {
    out.zoo_cfg_given = true;
    auto parsed = model::zk::parse_zoo_cfg(*conf.zoo_cfg_lines);
    if (auto* error = std::get_if<model::zk::EnsembleConfigError>(&parsed)) {
      // parse_zoo_cfg names the key; a line without '=' comes back as the whole line.
      int line = zoo_cfg_line(*conf.zoo_cfg_lines, error->key);
      if (line == 0) {
        for (std::size_t i = 0; i < conf.zoo_cfg_lines->size(); i++) {
          if (trim((*conf.zoo_cfg_lines)[i]) == error->key) line = static_cast<int>(i) + 1;
        }
      }
      throw at_line(conf.zoo_cfg_file, line, error->key, error->message);
    }
    auto config = std::get<model::zk::EnsembleConfig>(parsed);
    if (config.servers.empty()) {
      // No server.X line: ZooKeeper runs standalone, one server answering the quorum's first host.
      config.servers.push_back({1, out.flink.zookeeper_quorum.front().host, 2888, 3888});
      out.notes.push_back("zoo.cfg lists no server.X line: one standalone ZooKeeper server, as ZooKeeper runs without them");
    }
    return config;
  }
  model::zk::EnsembleConfig config;  // ZooKeeper's defaults: tickTime 3000 ms, limits 10 and 5 ticks
  int id = 1;
  std::set<std::pair<std::string, int>> seen;
  for (const auto& server : out.flink.zookeeper_quorum) {
    if (!seen.insert({server.host, server.port}).second) continue;
    config.servers.push_back({id++, server.host, 2888, 3888});
  }
  if (config.servers.size() > 15) {
    throw at_line(conf.flink_file, quorum_line, "high-availability.zookeeper.quorum", "more than 15 ZooKeeper servers");
  }
  out.notes.push_back("no zoo.cfg: " + std::to_string(config.servers.size()) +
                      " ZooKeeper server(s) taken from high-availability.zookeeper.quorum, with ZooKeeper's defaults "
                      "(tickTime 3000 ms, session timeouts within [2, 20] x tickTime, initLimit 10, syncLimit 5)");
  return config;
}

void add_warnings(EffectiveConfig& out, const std::map<std::string, Origin>& set_by) {
  const auto bounds = out.zookeeper.session_bounds();
  if (out.session_timeout_negotiated != out.session_timeout_requested) {
    out.warnings.push_back(
        {"session-timeout-clamped",
         "high-availability.zookeeper.client.session-timeout " + duration_text(out.session_timeout_requested) +
             " is outside the ZooKeeper server's [" + duration_text(bounds.min) + ", " + duration_text(bounds.max) +
             "] (minSessionTimeout/maxSessionTimeout, by default 2 and 20 x tickTime); the server negotiates " +
             duration_text(out.session_timeout_negotiated) + ", and that is what decides when a lost JobManager's session expires"});
  }
  const std::size_t servers = out.zookeeper.servers.size();
  if (servers == 1) {
    out.warnings.push_back({"single-server-quorum",
                            "one ZooKeeper server: a quorum of 1 tolerates no server failure; losing it suspends every "
                            "JobManager's connection (ZooKeeper needs a majority, floor(N/2)+1, of N servers)"});
  } else if (servers % 2 == 0) {
    out.warnings.push_back({"even-quorum", std::to_string(servers) + " ZooKeeper servers: a majority is " +
                                               std::to_string(servers / 2 + 1) + ", so it tolerates " +
                                               std::to_string((servers - 1) / 2) + " failure(s), no more than " +
                                               std::to_string(servers - 1) + " servers would"});
  }
  if (out.masters.size() == 1) {
    out.warnings.push_back({"single-master",
                            "one JobManager in masters: there is no standby to take over; after a crash the job waits "
                            "for that JobManager to be restarted (here: a supervisor after 5 s) and for its old "
                            "ZooKeeper session to expire"});
  }
  if (out.flink.storage_dir.empty()) {
    out.warnings.push_back({"missing-storage-dir",
                            "high-availability.storageDir is not set: Flink refuses to start a JobManager with "
                            "ZooKeeper HA without it (job graphs and checkpoint metadata live there; ZooKeeper holds "
                            "only pointers)"});
  }
  for (const auto& [current, origin] : set_by) {
    if (origin.rank == 0) continue;
    out.warnings.push_back({"deprecated-key", "deprecated key " + origin.entry->key + " (line " +
                                                  std::to_string(origin.entry->line) + "): Flink still reads it, but " +
                                                  current + " is the current name and wins when both are given"});
  }
}

}  // namespace

std::string duration_text(sim::Duration duration) {
  const std::int64_t ms = duration.to_ms();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

EffectiveConfig effective_config(const ConfDir& conf) {
  EffectiveConfig out;
  const std::string flink_file = conf.flink_file;
  // Only the settings the model knows go to its parser; Flink ignores keys it does not know, and a
  // conf directory holds many (memory, slots, ports) that do not touch HA.
  std::size_t ignored = 0;
  std::vector<ConfLine> ha_lines;
  for (const auto& entry : conf.flink_entries) {
    if (is_ha_key(entry.key)) {
      ha_lines.push_back(entry);
      out.flink_entries.emplace_back(entry.key, entry.value);
    } else if (looks_ha_related(entry.key)) {
      out.warnings.push_back({"unmodelled-key", entry.key + " (" + file_name(flink_file) + ":" + std::to_string(entry.line) +
                                                    ") is not modelled by hasim: the assessment runs as if it were unset "
                                                    "(check its spelling: Flink ignores unknown keys too)"});
    } else {
      ignored++;
    }
  }
  if (ignored > 0) out.notes.push_back(std::to_string(ignored) + " key(s) of " + file_name(flink_file) + " do not touch HA and were not read");
  const auto set_by = origins(ha_lines);

  Parsed parsed = parse(out.flink_entries);
  if (parsed.error && parsed.error->key == "high-availability.storageDir" && out.flink_entries.end() ==
      std::find_if(out.flink_entries.begin(), out.flink_entries.end(), [](const auto& e) {
        return e.first == "high-availability.storageDir" || e.first == "high-availability.zookeeper.storageDir";
      })) {
    // Shown and warned about rather than refused outright: the report says what is missing.
    out.unusable_where = flink_file + ": high-availability.storageDir";
    out.unusable_message = parsed.error->message;
    auto with_placeholder = out.flink_entries;
    with_placeholder.emplace_back("high-availability.storageDir", "file:///unset");
    parsed = parse(with_placeholder);
    if (!parsed.error) parsed.config.storage_dir.clear();
  }
  if (parsed.error) {
    throw at_line(flink_file, error_line(ha_lines, set_by, parsed.error->key), parsed.error->key, parsed.error->message);
  }
  out.flink = parsed.config;
  const int type_line = error_line(ha_lines, set_by, "high-availability.type");
  if (out.flink.ha_type == model::flink::HaType::kNone) {
    throw at_line(flink_file, type_line, "high-availability.type",
                  "high availability is off (NONE); hasim assess needs high-availability.type: zookeeper");
  }
  if (out.flink.ha_type == model::flink::HaType::kKubernetes) {
    throw at_line(flink_file, type_line, "high-availability.type", "Kubernetes HA is not assessed yet; only ZooKeeper (standalone)");
  }

  auto masters = model::flink::parse_masters(conf.masters_lines);
  if (auto* error = std::get_if<model::flink::ConfigError>(&masters)) {
    int line = 0;
    if (error->key.rfind("masters[", 0) == 0) line = std::stoi(error->key.substr(8)) + 1;
    throw at_line(conf.masters_file, line, "", error->message);
  }
  out.masters = std::get<std::vector<model::flink::HostPort>>(masters);
  std::set<std::pair<std::string, int>> endpoints;
  int masters_line = 0;
  for (const auto& line : conf.masters_lines) {
    masters_line++;
    const std::string text = trim(line);
    if (text.empty() || text[0] == '#') continue;
    const auto colon = text.rfind(':');
    if (!endpoints.insert({text.substr(0, colon), std::stoi(text.substr(colon + 1))}).second) {
      throw at_line(conf.masters_file, masters_line, "", "'" + text + "' is listed twice: two JobManagers cannot share a host and port");
    }
  }
  if (out.masters.size() > 16) throw at_line(conf.masters_file, 0, "", "more than 16 JobManagers");

  if (conf.workers_lines) {
    int workers = 0;
    for (const auto& line : *conf.workers_lines) workers += !trim(line).empty() && trim(line)[0] != '#';
    out.taskmanagers = std::clamp(workers, 1, kTaskManagersMax);
    if (workers > kTaskManagersMax) {
      out.notes.push_back("workers lists " + std::to_string(workers) + " TaskManagers; the simulation runs " +
                          std::to_string(kTaskManagersMax) + " (one job needs no more)");
    }
  } else {
    out.notes.push_back("no workers file: one TaskManager");
  }

  const int quorum_line = error_line(ha_lines, set_by, "high-availability.zookeeper.quorum");
  out.zookeeper = zookeeper_from_conf(out, conf, quorum_line);
  for (const auto& server : out.flink.zookeeper_quorum) {
    const bool known = std::any_of(out.zookeeper.servers.begin(), out.zookeeper.servers.end(),
                                   [&](const model::zk::ServerAddress& address) { return address.answers_to(server.host); });
    if (!known) {
      throw at_line(flink_file, quorum_line, "high-availability.zookeeper.quorum",
                    "no server of " + file_name(conf.zoo_cfg_file) + " is host \"" + server.host + "\"");
    }
  }
  if (out.zookeeper.servers.size() % 2 == 0 && out.unusable_where.empty()) {
    out.unusable_where = conf.zoo_cfg_file + ": server.X";
    out.unusable_message = "the simulation models only ensembles of an odd number of servers";
  }
  out.session_timeout_requested = out.flink.zookeeper_client.session_timeout;
  out.session_timeout_negotiated =
      model::zk::negotiate_session_timeout(out.session_timeout_requested, out.zookeeper.session_bounds());

  out.settings.push_back({"masters", std::to_string(out.masters.size()) + " JobManager(s)", file_name(conf.masters_file)});
  for (std::size_t i = 0; i < out.masters.size(); i++) {
    out.settings.push_back({"  jm" + std::to_string(i + 1), out.masters[i].host + ":" + std::to_string(out.masters[i].port),
                            file_name(conf.masters_file)});
  }
  out.settings.push_back({"TaskManagers", std::to_string(out.taskmanagers),
                          conf.workers_lines ? file_name(conf.workers_file) : std::string("default (no workers file)")});
  add_flink_settings(out, conf, set_by);
  add_zookeeper_settings(out, conf);
  add_warnings(out, set_by);
  if (!out.flink.checkpoint_interval) {
    out.notes.push_back("execution.checkpointing.interval is not set (jobs often set it in code): the catalogue's job "
                        "checkpoints every 1 s, so checkpoint properties and the checkpoint gap mean something");
  }
  out.notes.push_back("the catalogue runs one job, submitted at 5 s; JobManagers are simulated as processes jm1..jm" + std::to_string(out.masters.size()) +
                      " in masters order, whatever their hosts; a supervisor restarts a killed JobManager or "
                      "TaskManager after 5 s (as runit in flink-jepsen)");
  return out;
}

}  // namespace harness::assess
