#include "harness/scenario.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "harness/checkers/known_issues.hpp"
#include "harness/json_reader.hpp"
#include "harness/yarn_scenario.hpp"

namespace harness {
namespace {

constexpr std::int64_t kNodesMax = 64;

model::zk::EnsembleConfig parse_zookeeper(JsonReader reader) {
  model::zk::EnsembleConfig config;
  if (auto zoo_cfg = reader.optional_field("zoo_cfg")) {
    std::vector<std::string> lines;
    for (const auto& line : zoo_cfg->array_items()) lines.push_back(line.as_string());
    auto parsed = model::zk::parse_zoo_cfg(lines);
    if (auto* error = std::get_if<model::zk::EnsembleConfigError>(&parsed)) {
      zoo_cfg->fail(error->key + ": " + error->message);
    }
    config = std::get<model::zk::EnsembleConfig>(parsed);
    if (reader.has("servers")) reader.object_field("servers").fail("give either servers or zoo_cfg, not both");
    if (config.servers.empty()) zoo_cfg->fail("lists no server.X line");
  } else {
    const auto servers = static_cast<int>(reader.object_field("servers").as_int(1, 15));
    sim::Duration tick = sim::milliseconds(2000);
    if (auto tick_reader = reader.optional_field("tick_time")) tick = tick_reader->as_duration();
    config = model::zk::default_ensemble(servers, tick);
  }
  if (auto limit = reader.optional_field("sync_limit")) config.sync_limit = static_cast<int>(limit->as_int(1, 100));
  if (auto limit = reader.optional_field("init_limit")) config.init_limit = static_cast<int>(limit->as_int(1, 100));
  if (config.servers.size() % 2 == 0) reader.fail("a ZooKeeper ensemble needs an odd number of servers");
  reader.finish();
  return config;
}

ClusterSpec parse_cluster(JsonReader reader, std::size_t index) {
  ClusterSpec cluster;
  cluster.name = "c" + std::to_string(index + 1);
  if (auto name = reader.optional_field("name")) cluster.name = name->as_string();
  if (auto masters = reader.optional_field("masters")) {
    std::vector<std::string> lines;
    for (const auto& line : masters->array_items()) lines.push_back(line.as_string());
    auto parsed = model::flink::parse_masters(lines);
    if (auto* error = std::get_if<model::flink::ConfigError>(&parsed)) masters->fail(error->key + ": " + error->message);
    cluster.masters = std::get<std::vector<model::flink::HostPort>>(parsed);
    // The model names each JobManager process after its host, and process names are unique.
    std::set<std::string> hosts;
    for (const auto& master : cluster.masters) {
      if (!hosts.insert(master.host).second) {
        masters->fail("host \"" + master.host + "\" is listed twice; the simulation names each JobManager after its host, so give each its own");
      }
    }
    if (reader.has("jobmanagers")) reader.object_field("jobmanagers").fail("give either jobmanagers or masters, not both");
  } else {
    const auto count = reader.object_field("jobmanagers").as_int(1, kNodesMax);
    for (std::int64_t i = 0; i < count; i++) cluster.masters.push_back({"jm" + std::to_string(i + 1), 8081});
  }
  if (auto tms = reader.optional_field("taskmanagers")) cluster.taskmanagers = static_cast<int>(tms->as_int(0, kNodesMax));
  if (auto delay = reader.optional_field("restart_delay")) cluster.restart_delay = delay->as_duration();
  if (auto flink = reader.optional_field("flink_config")) {
    if (!flink->raw().is_object()) flink->fail("expected an object of Flink configuration keys");
    for (const auto& [key, value] : flink->raw().items()) {
      if (!value.is_string()) {
        throw InputError(flink->path() + "." + key, "Flink configuration values are strings, written as in flink-conf.yaml");
      }
      cluster.flink_config.emplace_back(key, value.get<std::string>());
    }
    auto parsed = model::flink::parse_flink_config(cluster.flink_config);
    if (auto* error = std::get_if<model::flink::ConfigError>(&parsed)) {
      throw InputError(flink->path() + "." + error->key, error->message);
    }
    cluster.config = std::get<model::flink::FlinkConfig>(parsed);
  }
  reader.finish();
  return cluster;
}

JobSpec parse_job(JsonReader reader, const Scenario& scenario) {
  JobSpec job;
  job.id = reader.object_field("id").as_string();
  if (job.id.empty()) reader.object_field("id").fail("must not be empty");
  job.cluster = scenario.clusters.front().name;
  if (auto cluster = reader.optional_field("cluster")) {
    job.cluster = cluster->as_string();
    const bool known = std::any_of(scenario.clusters.begin(), scenario.clusters.end(),
                                   [&](const ClusterSpec& c) { return c.name == job.cluster; });
    if (!known) cluster->fail("no cluster named \"" + job.cluster + "\"");
  }
  job.submit_at = reader.object_field("submit_at").as_duration(true);
  if (auto at = reader.optional_field("finish_at")) job.finish_at = at->as_duration();
  if (auto at = reader.optional_field("cancel_at")) job.cancel_at = at->as_duration();
  if (auto at = reader.optional_field("fail_at")) job.fail_at = at->as_duration();
  const int endings = job.finish_at.has_value() + job.cancel_at.has_value() + job.fail_at.has_value();
  if (endings > 1) reader.fail("a job ends once: give at most one of finish_at, cancel_at, fail_at");
  reader.finish();
  return job;
}

bool node_of_kind(const std::string& node, const std::vector<std::string>& kinds) {
  const auto slash = node.rfind('/');
  const std::string base = slash == std::string::npos ? node : node.substr(slash + 1);
  return std::any_of(kinds.begin(), kinds.end(), [&](const std::string& kind) { return base.rfind(kind, 0) == 0; });
}

void check_target(const JsonReader& where, const std::string& target, const std::vector<std::string>& nodes,
                  const std::vector<std::string>& roles, const std::vector<std::string>& kinds = {"jm", "tm", "zk", "apiserver"}) {
  if (std::find(roles.begin(), roles.end(), target) != roles.end()) return;
  if (std::find(nodes.begin(), nodes.end(), target) != nodes.end() && node_of_kind(target, kinds)) return;
  std::string expected;
  for (const auto& role : roles) expected += (expected.empty() ? "" : ", ") + role;
  for (const auto& kind : kinds) expected += (expected.empty() ? "" : ", ") + kind + (kind == "apiserver" ? "" : "<N>");
  where.fail("no such target \"" + target + "\" (expected one of: " + expected + ")");
}

bool needs_duration(const std::string& kind) {
  return kind.rfind("pause-", 0) == 0 || kind == "isolate" || kind == "partition" || kind == "cut" ||
         kind == "latency-spike" || kind == "storage-unavailable" || kind == "storage-slow" || kind == "rm-failover-delay" ||
         kind == "clock-drift";
}

}  // namespace

bool fault_has_target(const std::string& kind) {
  return !fault_node_kinds(kind).empty() && kind != "partition" && kind != "cut" && kind != "latency-spike";
}

namespace {

void parse_partition(JsonReader& reader, FaultSpec& fault, const std::vector<std::string>& nodes) {
  if (auto split = reader.optional_field("split")) {
    fault.split = split->as_enum({"leader-minority", "random"});
    if (reader.has("groups")) reader.object_field("groups").fail("give either groups or split, not both");
    return;
  }
  auto groups = reader.object_field("groups");
  for (const auto& group : groups.array_items()) {
    std::vector<std::string> members;
    for (const auto& member : group.array_items()) {
      members.push_back(member.as_string());
      check_target(member, members.back(), nodes, {});
    }
    fault.groups.push_back(members);
  }
  if (fault.groups.size() < 2) groups.fail("a partition needs at least two groups");
}

void parse_link(JsonReader& reader, FaultSpec& fault, const std::vector<std::string>& nodes) {
  auto from = reader.object_field("from");
  auto to = reader.object_field("to");
  fault.from = from.as_string();
  fault.to = to.as_string();
  check_target(from, fault.from, nodes, fault_roles(fault.kind, "from"));
  check_target(to, fault.to, nodes, fault_roles(fault.kind, "to"));
  if (fault.from == fault.to && std::find(nodes.begin(), nodes.end(), fault.from) != nodes.end()) {
    to.fail("from and to are the same node");
  }
  if (fault.kind == "cut") {
    if (auto both = reader.optional_field("both_ways")) fault.both_ways = both->as_bool();
  }
}

EventTrigger parse_trigger(JsonReader reader, const std::vector<std::string>& nodes) {
  EventTrigger trigger;
  trigger.name = reader.object_field("name").as_string();
  if (trigger.name.empty()) reader.object_field("name").fail("must name a flink trace event");
  trigger.process = "any";
  if (auto process = reader.optional_field("process")) {
    trigger.process = process->as_string();
    check_target(*process, trigger.process, nodes, {"any", "leader"}, {"jm", "tm"});
  }
  if (auto after = reader.optional_field("after")) trigger.after = after->as_duration(true);
  if (auto following = reader.optional_field("following")) {
    trigger.following = following->as_string();
    if (trigger.following.empty()) following->fail("must name a flink trace event");
  }
  if (auto delay = reader.optional_field("delay")) trigger.delay = delay->as_duration(true);
  reader.finish();
  return trigger;
}

FaultSpec parse_fault(JsonReader reader, const Scenario& scenario, const std::vector<std::string>& nodes) {
  FaultSpec fault;
  fault.json_path = reader.path();
  if (auto trigger = reader.optional_field("after_event")) {
    if (reader.has("at")) reader.object_field("at").fail("give either at or after_event, not both");
    fault.trigger = parse_trigger(*trigger, nodes);
    fault.at = fault.trigger->after;
  } else {
    fault.at = reader.object_field("at").as_duration(true);
  }
  fault.kind = reader.object_field("kind").as_enum(fault_kinds());
  const std::string& kind = fault.kind;
  if (auto duration = reader.optional_field("duration")) fault.duration = duration->as_duration();
  if (needs_duration(kind) && !fault.duration) reader.fail("\"" + kind + "\" needs a duration");
  if (auto cluster = reader.optional_field("cluster")) {
    fault.cluster = cluster->as_string();
    const bool known = std::any_of(scenario.clusters.begin(), scenario.clusters.end(),
                                   [&](const ClusterSpec& c) { return c.name == fault.cluster; });
    if (!known) cluster->fail("no cluster named \"" + fault.cluster + "\"");
  }
  if (fault_has_target(kind)) {
    auto target = reader.object_field("target");
    fault.target = target.as_string();
    check_target(target, fault.target, nodes, fault_roles(kind, "target"), fault_node_kinds(kind));
  }
  if (kind == "partition") parse_partition(reader, fault, nodes);
  if (kind == "cut" || kind == "latency-spike") parse_link(reader, fault, nodes);
  if (kind == "latency-spike" || kind == "storage-slow") fault.extra = reader.object_field("extra").as_duration();
  if (kind == "storage-write-error") fault.count = reader.object_field("count").as_int(1, 1'000'000);
  if (kind == "storage-lose-file") fault.path_prefix = reader.object_field("path_prefix").as_string();
  if (kind == "clock-skew" || kind == "clock-drift") {
    if (scenario.mode != "kubernetes") reader.object_field("kind").fail("\"" + kind + "\" needs \"mode\": \"kubernetes\" (only the lease reads wall clocks)");
    if (kind == "clock-skew") fault.skew_ms = reader.object_field("skew_ms").as_int(-3'600'000, 3'600'000);
    if (kind == "clock-drift") fault.drift_ppm = reader.object_field("drift_ppm").as_int(-500'000, 500'000);
  }
  if (kind == "storage-lose-file" && (fault.path_prefix.empty() || fault.path_prefix[0] != '/')) {
    reader.object_field("path_prefix").fail("must be an absolute storage path prefix, starting with /");
  }
  reader.finish();
  return fault;
}

RandomFaults parse_random(JsonReader reader, const std::string& mode) {
  RandomFaults random;
  for (const auto& kind : reader.object_field("kinds").array_items()) {
    random.kinds.push_back(kind.as_enum(fault_kinds()));
    const bool clock = random.kinds.back() == "clock-skew" || random.kinds.back() == "clock-drift";
    if (clock && mode != "kubernetes") kind.fail("\"" + random.kinds.back() + "\" needs \"mode\": \"kubernetes\" (only the lease reads wall clocks)");
  }
  if (random.kinds.empty()) reader.object_field("kinds").fail("must list at least one fault kind");
  if (auto interval = reader.optional_field("mean_interval")) random.mean_interval = interval->as_duration();
  if (auto max = reader.optional_field("duration_max")) random.duration_max = max->as_duration();
  if (auto swarm = reader.optional_field("swarm")) random.swarm = swarm->as_bool();
  reader.finish();
  return random;
}

void parse_faults(JsonReader reader, Scenario& scenario) {
  const std::vector<std::string> nodes = node_names(scenario);
  if (auto schedule = reader.optional_field("schedule")) {
    for (const auto& item : schedule->array_items()) scenario.faults.push_back(parse_fault(item, scenario, nodes));
  }
  if (auto random = reader.optional_field("random")) scenario.random_faults = parse_random(*random, scenario.mode);
  if (auto end = reader.optional_field("end_at")) {
    scenario.faults_end = end->as_duration(true);
    scenario.faults_end_explicit = true;
  }
  reader.finish();
}

void parse_expectation(JsonReader reader, Scenario& scenario) {
  const std::string outcome = reader.object_field("outcome").as_enum({"pass", "violation"});
  scenario.expect.pass = outcome == "pass";
  if (auto mutant = reader.optional_field("mutant")) {
    const auto parsed = model::flink::parse_mutant(mutant->as_string());
    if (!parsed) mutant->fail("unknown mutant \"" + mutant->as_string() + "\"");
    scenario.mutant = *parsed;
  }
  if (!scenario.expect.pass) scenario.expect.property = reader.object_field("property").as_enum(property_names());
  if (auto why = reader.optional_field("why")) scenario.expect.why = why->as_string();
  if (scenario.expect.pass && reader.has("property")) reader.object_field("property").fail("only a violation names a property");
  if (auto known = reader.optional_field("known")) {
    if (scenario.expect.pass) known->fail("only a violation names a known issue");
    scenario.expect.known = known->as_enum(known_issue_ids());
    const auto& affected = find_known_issue(scenario.expect.known)->curator_versions;
    if (std::find(affected.begin(), affected.end(), scenario.curator_version) == affected.end()) {
      known->fail(scenario.expect.known + " does not affect Curator " + scenario.curator_version +
                  " (the scenario's \"curator\"), so no violation can be matched to it");
    }
  }
  reader.finish();
}

void parse_liveness(JsonReader reader, LivenessBounds& bounds) {
  if (auto value = reader.optional_field("leader_within")) bounds.leader_within = value->as_duration();
  if (auto value = reader.optional_field("checkpoint_within")) bounds.checkpoint_within = value->as_duration();
  if (auto value = reader.optional_field("cleanup_within")) bounds.cleanup_within = value->as_duration();
  if (auto value = reader.optional_field("job_running_within")) bounds.job_running_within = value->as_duration();
  reader.finish();
}

std::string seconds_text(sim::Duration d) { return std::to_string(d.ns / 1'000'000'000) + " s"; }

// The liveness bounds that apply: (property, bound name, bound).
std::vector<std::pair<const char*, std::pair<const char*, sim::Duration>>> checked_bounds(const Scenario& scenario) {
  const auto checks = [&](const char* property) {
    return std::find(scenario.properties.begin(), scenario.properties.end(), property) != scenario.properties.end();
  };
  std::vector<std::pair<const char*, std::pair<const char*, sim::Duration>>> bounds;
  if (checks("liveness")) bounds.push_back({"liveness", {"leader_within", scenario.liveness.leader_within}});
  if (checks("liveness")) bounds.push_back({"liveness", {"checkpoint_within", scenario.liveness.checkpoint_within}});
  if (checks("no-lost-job")) bounds.push_back({"no-lost-job", {"job_running_within", scenario.liveness.job_running_within}});
  return bounds;
}

// Without faults.end_at the fault phase ends early enough for every checked bound to fit.
sim::Duration default_faults_end(const Scenario& scenario) {
  sim::Duration longest{};
  for (const auto& [property, bound] : checked_bounds(scenario)) longest = std::max(longest, bound.second);
  return std::max(sim::Duration{}, scenario.duration - longest);
}

// A bound that ends after the run could never be checked: the scenario would pass vacuously.
void check_bounds_fit(const Scenario& scenario) {
  for (const auto& [property, bound] : checked_bounds(scenario)) {
    if (scenario.faults_end + bound.second <= scenario.duration) continue;
    throw InputError(std::string("$.liveness.") + bound.first,
                     std::string("faults.end_at + ") + bound.first + " (" + seconds_text(scenario.faults_end + bound.second) +
                         ") is after the end of the run (" + seconds_text(scenario.duration) +
                         "): the " + property + " check could never run");
  }
}

void check_times(const Scenario& scenario, JsonReader& root) {
  for (const auto& fault : scenario.faults) {
    const std::string at_path = fault.json_path + (fault.trigger ? ".after_event.after" : ".at");
    if (fault.at >= scenario.duration) throw InputError(at_path, "after the end of the run");
    if (fault.at > scenario.faults_end) {
      throw InputError(at_path, "after the fault phase, which ends at " + seconds_text(scenario.faults_end) +
                                                    (scenario.faults_end_explicit ? " (faults.end_at)" : " (duration minus the longest liveness bound; set faults.end_at)"));
    }
  }
  for (std::size_t i = 0; i < scenario.jobs.size(); i++) {
    if (scenario.jobs[i].submit_at >= scenario.duration) {
      throw InputError("$.workload.jobs[" + std::to_string(i) + "].submit_at", "after the end of the run");
    }
  }
  if (scenario.faults_end > scenario.duration) root.fail("faults.end_at is after the end of the run");
  check_bounds_fit(scenario);
}

}  // namespace

std::vector<std::string> fault_roles(const std::string& kind, const std::string& field) {
  if (field != "target") {
    return {"leader", "zookeeper-leader", "zookeeper", "jobmanagers", "taskmanagers"};
  }
  if (kind == "isolate") return {"leader", "standby", "random", "zookeeper-leader"};
  if (kind == "kill-taskmanager") return {"random", "any"};
  if (kind.find("zookeeper") != std::string::npos) return {"leader", "standby", "random", "any", "leader-connection"};
  return {"leader", "standby", "random", "any"};
}

std::vector<std::string> fault_node_kinds(const std::string& kind) {
  if (kind.find("jobmanager") != std::string::npos) return {"jm"};
  if (kind.find("zookeeper") != std::string::npos) return {"zk"};
  if (kind == "kill-taskmanager") return {"tm"};
  if (kind == "clock-skew" || kind == "clock-drift") return {"jm"};
  if (kind == "isolate" || kind == "partition" || kind == "cut" || kind == "latency-spike") return {"jm", "tm", "zk", "apiserver"};
  return {};
}

std::vector<std::string> node_names(const Scenario& scenario) {
  std::vector<std::string> names;
  const bool prefixed = scenario.clusters.size() > 1;
  for (const auto& cluster : scenario.clusters) {
    const std::string prefix = prefixed ? cluster.name + "/" : "";
    for (std::size_t i = 0; i < cluster.masters.size(); i++) names.push_back(prefix + "jm" + std::to_string(i + 1));
    for (int i = 0; i < cluster.taskmanagers; i++) names.push_back(prefix + "tm" + std::to_string(i + 1));
    if (scenario.mode == "kubernetes") names.push_back(prefix + "apiserver");
  }
  for (const auto& server : scenario.zookeeper.servers) names.push_back("zk" + std::to_string(server.id));
  return names;
}

Scenario parse_scenario(const std::string& json_text, const std::string& source) {
  const nlohmann::json document = parse_json_text(json_text, source);
  JsonReader root(document, "$");
  Scenario scenario;
  scenario.source = source;
  scenario.name = root.object_field("name").as_string();
  if (auto description = root.optional_field("description")) scenario.description = description->as_string();
  if (auto mode = root.optional_field("mode")) scenario.mode = mode->as_enum({"standalone", "yarn", "kubernetes"});
  if (auto yarn = root.optional_field("yarn")) scenario.yarn = parse_yarn_section(*yarn);
  scenario.zookeeper = parse_zookeeper(root.object_field("zookeeper"));
  const auto clusters = root.object_field("clusters").array_items();
  if (clusters.empty()) root.object_field("clusters").fail("needs at least one cluster");
  std::set<std::string> cluster_names;
  for (std::size_t i = 0; i < clusters.size(); i++) {
    scenario.clusters.push_back(parse_cluster(clusters[i], i));
    // The mode decides the HA services: Kubernetes HA only in a Kubernetes deployment, and a
    // Kubernetes deployment only with Kubernetes HA (its leader election is the mode).
    const bool kubernetes_ha = scenario.clusters.back().config.ha_type == model::flink::HaType::kKubernetes;
    if (kubernetes_ha != (scenario.mode == "kubernetes")) {
      throw InputError(JsonReader(clusters[i]).object_field("flink_config").path() + ".high-availability.type",
                       scenario.mode == "kubernetes" ? "\"mode\": \"kubernetes\" needs high-availability.type kubernetes"
                                                     : "kubernetes needs \"mode\": \"kubernetes\"");
    }
    if (!cluster_names.insert(scenario.clusters.back().name).second) clusters[i].fail("cluster names must be unique");
    // The model connects to quorum hosts by name: each must be a server of this ensemble ("zk<id>"
    // or a zoo_cfg host), or the run could not be built.
    for (const auto& server : scenario.clusters.back().config.zookeeper_quorum) {
      const bool known = std::any_of(scenario.zookeeper.servers.begin(), scenario.zookeeper.servers.end(),
                                     [&](const model::zk::ServerAddress& address) { return address.answers_to(server.host); });
      if (!known) {
        throw InputError(JsonReader(clusters[i]).object_field("flink_config").path() + ".high-availability.zookeeper.quorum",
                         "no ZooKeeper server \"" + server.host + "\" in this scenario's ensemble");
      }
    }
  }
  scenario.duration = root.object_field("duration").as_duration();
  if (auto workload = root.optional_field("workload")) {
    std::set<std::string> job_ids;
    for (const auto& job : workload->object_field("jobs").array_items()) {
      scenario.jobs.push_back(parse_job(job, scenario));
      // Each job has its own client; a repeated id would make the second replace the first mid-run.
      if (!job_ids.insert(scenario.jobs.back().id).second) {
        JsonReader(job).object_field("id").fail("job ids must be unique; \"" + scenario.jobs.back().id + "\" is used twice");
      }
    }
    workload->finish();
  }
  scenario.faults_end = scenario.duration;
  if (auto faults = root.optional_field("faults")) parse_faults(*faults, scenario);
  if (auto properties = root.optional_field("properties")) {
    for (const auto& property : properties->array_items()) scenario.properties.push_back(property.as_enum(property_names()));
  } else {
    scenario.properties = property_names();
  }
  if (auto liveness = root.optional_field("liveness")) parse_liveness(*liveness, scenario.liveness);
  if (auto overlap = root.optional_field("believed_leader_overlap_max")) {
    scenario.believed_leader_overlap_max = overlap->as_duration(true);
  }
  if (auto curator = root.optional_field("curator")) scenario.curator_version = curator->as_enum({"5.4", "5.7"});
  if (auto known = root.optional_field("known_issues")) scenario.known_issues_fail = known->as_enum({"pass", "fail"}) == "fail";
  parse_expectation(root.object_field("expect"), scenario);
  if (auto seeds = root.optional_field("seeds")) {
    if (auto start = seeds->optional_field("start")) scenario.seed_start = static_cast<std::uint64_t>(start->as_int(0, INT64_MAX));
    if (auto count = seeds->optional_field("count")) scenario.seed_count = static_cast<std::uint64_t>(count->as_int(1, 100'000'000));
    seeds->finish();
  }
  root.finish();
  if (!scenario.faults_end_explicit) scenario.faults_end = default_faults_end(scenario);
  check_times(scenario, root);
  check_yarn_scenario(scenario, document);
  return scenario;
}

Scenario load_scenario_file(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw InputError(path, "cannot read the file");
  std::stringstream text;
  text << file.rdbuf();
  try {
    return parse_scenario(text.str(), path);
  } catch (const InputError& error) {
    if (error.path.rfind(path, 0) == 0) throw;
    throw InputError(path + ": " + error.path, std::string(error.what()).substr(error.path.size() + 2));
  }
}

}  // namespace harness
