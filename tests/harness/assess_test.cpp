// hasim assess: reading a conf directory, the effective configuration, broken input, and the
// cross-check of the kill -9 failover against ZooKeeper's session rules.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "harness/assess/assess_run.hpp"
#include "harness/assess/conf_dir.hpp"
#include "harness/assess/effective_config.hpp"
#include "harness/assess/fault_catalogue.hpp"
#include "harness/json_reader.hpp"

namespace harness::assess {
namespace {

std::string source_path(const std::string& relative) { return std::string(HASIM_SOURCE_DIR) + "/" + relative; }

EffectiveConfig load(const std::string& relative) { return effective_config(read_conf_dir(source_path(relative))); }

bool has_warning(const EffectiveConfig& config, const std::string& rule) {
  return std::any_of(config.warnings.begin(), config.warnings.end(), [&](const ConfigWarning& w) { return w.rule == rule; });
}

const EffectiveSetting& setting(const EffectiveConfig& config, const std::string& key) {
  const auto found = std::find_if(config.settings.begin(), config.settings.end(),
                                  [&](const EffectiveSetting& s) { return s.key == key; });
  if (found == config.settings.end()) throw std::runtime_error("no setting " + key);
  return *found;
}

// The error line a conf directory gives, as `hasim assess` prints it after "hasim: error: ".
std::string error_of(const std::string& relative) {
  try {
    load(relative);
  } catch (const InputError& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(AssessConf, DocsExampleVerbatim) {
  const EffectiveConfig config = load("examples/docs-standalone");
  ASSERT_EQ(config.masters.size(), 2u);
  EXPECT_EQ(config.masters[0].host, "localhost");
  EXPECT_EQ(config.masters[1].host, "localhost");
  EXPECT_EQ(config.masters[1].port, 8082);
  EXPECT_EQ(config.flink.zookeeper_namespace(), "/flink/cluster_one");
  EXPECT_EQ(config.flink.storage_dir, "hdfs:///flink/recovery");
  ASSERT_EQ(config.zookeeper.servers.size(), 1u);
  EXPECT_EQ(config.zookeeper.servers[0].id, 0);
  // Flink's default 60 s against tickTime 2000 ms: ZooKeeper caps it at 20 ticks.
  EXPECT_EQ(config.session_timeout_requested, sim::seconds(60));
  EXPECT_EQ(config.session_timeout_negotiated, sim::seconds(40));
  EXPECT_TRUE(has_warning(config, "session-timeout-clamped"));
  EXPECT_TRUE(has_warning(config, "single-server-quorum"));
  EXPECT_FALSE(has_warning(config, "single-master"));
  EXPECT_EQ(std::count_if(config.warnings.begin(), config.warnings.end(),
                          [](const ConfigWarning& w) { return w.rule == "deprecated-key"; }),
            3);  // high-availability, ...path.namespace, ...zookeeper.storageDir
  EXPECT_EQ(setting(config, "high-availability.cluster-id").source,
            "flink-conf.yaml:4 (deprecated key high-availability.zookeeper.path.namespace)");
  EXPECT_EQ(setting(config, "high-availability.zookeeper.client.session-timeout").source, "default");
  EXPECT_EQ(setting(config, "zoo.cfg tickTime").source, "zoo.cfg:3");
  EXPECT_TRUE(config.unusable_where.empty());
}

TEST(AssessConf, NestedYamlReadsLikeFlatKeys) {
  const auto nested = flatten_flink_yaml("high-availability:\n  type: zookeeper\n  zookeeper:\n    quorum: a:2181\n", "n.yaml");
  const auto flat = flatten_flink_yaml("high-availability.type: zookeeper\nhigh-availability.zookeeper.quorum: a:2181\n", "f.yaml");
  ASSERT_EQ(nested.size(), 2u);
  ASSERT_EQ(flat.size(), 2u);
  for (std::size_t i = 0; i < 2; i++) {
    EXPECT_EQ(nested[i].key, flat[i].key);
    EXPECT_EQ(nested[i].value, flat[i].value);
  }
  EXPECT_EQ(nested[1].line, 4);
  const EffectiveConfig config = load("tests/assess/nested-yaml");
  EXPECT_EQ(config.flink.cluster_id, "/team-a");
  EXPECT_EQ(config.session_timeout_negotiated, sim::seconds(20));
  EXPECT_TRUE(config.flink.zookeeper_client.tolerate_suspended_connections);
  EXPECT_EQ(config.taskmanagers, 2);
  EXPECT_EQ(setting(config, "high-availability.zookeeper.client.session-timeout").source, "config.yaml:15");
  EXPECT_FALSE(has_warning(config, "session-timeout-clamped"));
}

TEST(AssessConf, WithoutZooCfgTakesTheQuorumAndZooKeeperDefaults) {
  const EffectiveConfig config = load("tests/assess/no-zoo-cfg");
  EXPECT_FALSE(config.zoo_cfg_given);
  EXPECT_EQ(config.zookeeper.servers.size(), 3u);
  EXPECT_EQ(config.zookeeper.tick, sim::milliseconds(3000));  // ZooKeeperServer.DEFAULT_TICK_TIME
  EXPECT_EQ(config.session_timeout_negotiated, sim::seconds(60));
  EXPECT_TRUE(std::any_of(config.notes.begin(), config.notes.end(),
                          [](const std::string& note) { return note.rfind("no zoo.cfg", 0) == 0; }));
  EXPECT_TRUE(has_warning(config, "single-master"));
}

TEST(AssessConf, MissingStorageDirIsWarnedAndMakesTheCatalogueUnusable) {
  const EffectiveConfig config = load("tests/assess/no-storage-dir");
  EXPECT_TRUE(has_warning(config, "missing-storage-dir"));
  EXPECT_NE(config.unusable_where.find("high-availability.storageDir"), std::string::npos);
}

TEST(AssessConf, BrokenInputNamesFileLineAndKey) {
  EXPECT_NE(error_of("tests/assess/broken-yaml").find("broken-yaml/config.yaml:6: path.root: not valid YAML"), std::string::npos)
      << error_of("tests/assess/broken-yaml");
  EXPECT_NE(error_of("tests/assess/bad-value").find("bad-value/config.yaml:7: high-availability.zookeeper.client.session-timeout: "),
            std::string::npos)
      << error_of("tests/assess/bad-value");
  EXPECT_NE(error_of("tests/assess/bad-masters").find("bad-masters/masters:2: expected host:port, got 'localhost8082'"),
            std::string::npos)
      << error_of("tests/assess/bad-masters");
  EXPECT_NE(error_of("tests/assess/unknown-zoo-key").find("unknown-zoo-key/zoo.cfg:3: syncLmit: unknown zoo.cfg key"),
            std::string::npos)
      << error_of("tests/assess/unknown-zoo-key");
}

// Cross-check: Flink's default session timeout (60 s) against tickTime 2000 ms (Flink's shipped
// zoo.cfg; the docs' example) negotiates T = 20 ticks = 40 s. One ZooKeeper server, so the
// server that hears the JobManager's client is the one whose session tracker expires it.
//
// Leader loss to the new leader's dispatcher confirm (the harness's failover time):
//  - the killed leader's session expires at the first tick boundary strictly after its last
//    touch + T (ExpiryQueue.roundToNextInterval), so within (touch + T, touch + T + tick];
//  - the last touch precedes the kill (a dead client sends nothing; in-flight packets land
//    within the 2 ms network bound), and follows the one before by at most the ping interval:
//    the client pings when idle for min(readTimeout/2, MAX_SEND_PING_INTERVAL) =
//    min(T/3, 10 s) = 10 s, readTimeout being 2T/3;
//  - after expiry: the close-session commit, the standby's watch on its predecessor latch node,
//    getChildren, the grant, the Dispatcher's job-graph recovery and the connection_info write:
//    about 20 ZooKeeper round trips and storage reads, each under 12 ms: 0.5 s bounds them.
//  So the confirm comes within (T - 10 s - 10 ms, T + tick + 0.5 s] = (29.99 s, 42.5 s].
//
// To the job running again (assess's failover) add what the model does after the confirm: the
// TaskManager registers with the new ResourceManager at its next heartbeat (task_manager.cpp:
// every heartbeat.interval, 10 s; Flink reconnects at once, a fidelity gap noted in the report),
// the JobMaster polls for TaskManagers every 500 ms (job_master.cpp kNoTaskManagerDelay), one
// deploy round may be rejected by a TaskManager that has not yet heard of the new job leader
// (kRedeployDelay 1 s), and restore reads take well under 0.5 s: at most 12 s more, 54.5 s.
TEST(AssessCrossCheck, KillLeaderFailoverFollowsZooKeeperSessionRules) {
  const EffectiveConfig config = load("examples/docs-standalone");
  const sim::Duration t = config.session_timeout_negotiated;
  const sim::Duration tick = config.zookeeper.tick;
  ASSERT_EQ(t, sim::seconds(40));
  ASSERT_EQ(tick, sim::seconds(2));
  const sim::Duration ping_interval = std::min(t / 3, sim::seconds(10));
  const sim::Duration lower = t - ping_interval - sim::milliseconds(10);
  const sim::Duration confirm_upper = t + tick + sim::milliseconds(500);
  const sim::Duration running_upper = confirm_upper + config.flink.heartbeat_interval + sim::milliseconds(500) +
                                      sim::seconds(1) + sim::milliseconds(500);
  ASSERT_EQ(running_upper, sim::milliseconds(54500));

  const auto classes = fault_classes(t);
  const FaultClass& kill = *std::find_if(classes.begin(), classes.end(), [](const FaultClass& c) { return c.name == "kill-leader"; });
  for (std::uint64_t seed = 1; seed <= 64; seed++) {
    const AssessRun run = run_assess_seed(config, Variant{}, kill, seed);
    ASSERT_TRUE(run.result.completed()) << "seed " << seed << ": " << run.result.error;
    for (const auto& violation : run.result.violations) {
      EXPECT_FALSE(violation.known.empty()) << "seed " << seed << ": " << violation.property << ": " << violation.message;
    }
    ASSERT_EQ(run.result.failover_times.size(), 1u) << "seed " << seed;
    const sim::Duration confirm = run.result.failover_times.front();
    EXPECT_GT(confirm, lower) << "seed " << seed;
    EXPECT_LE(confirm, confirm_upper) << "seed " << seed;
    ASSERT_TRUE(run.figures.failover.has_value()) << "seed " << seed;
    EXPECT_GE(*run.figures.failover, confirm) << "seed " << seed;
    EXPECT_LE(*run.figures.failover, running_upper) << "seed " << seed;
  }
}

// A fault instant is a function of the seed alone, inside the documented window, and replays.
TEST(AssessCatalogue, FaultInstantsComeFromTheSeed) {
  for (std::uint64_t seed = 1; seed <= 50; seed++) {
    const sim::Instant at = fault_instant(seed);
    EXPECT_EQ(at, fault_instant(seed));
    EXPECT_GE(at - sim::Instant{}, kFaultWindowStart);
    EXPECT_LT(at - sim::Instant{}, kFaultWindowStart + kFaultWindowLength);
  }
  EXPECT_NE(fault_instant(1), fault_instant(2));
}

}  // namespace
}  // namespace harness::assess
