// YARN mode: the ResourceManager's attempt semantics with exact attempt counts (AttemptLedger and
// attempt_rules on their own, then whole scenario runs), the TaskManager behaviour of the YARN
// version ranges, RM failovers, the checkers' end-of-cluster rule, and bad YARN input.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "harness/checkers/liveness.hpp"
#include "harness/checkers/no_lost_job.hpp"
#include "harness/json_reader.hpp"
#include "harness/scenario.hpp"
#include "harness/scenario_runner.hpp"
#include "model/flink/yarn/attempt_ledger.hpp"
#include "tests/harness/trace_builder.hpp"

namespace harness {
namespace {

using model::flink::yarn::AmExit;
using model::flink::yarn::AttemptLedger;
using model::flink::yarn::AttemptRules;
using model::flink::yarn::YarnSite;
using model::flink::yarn::YarnVersion;

sim::Instant at_s(std::int64_t s) { return sim::Instant{} + sim::seconds(s); }

AttemptRules rules(int max_attempts, std::optional<sim::Duration> window) {
  AttemptRules r;
  r.max_attempts = max_attempts;
  r.validity_interval = window;
  r.keep_containers = true;
  return r;
}

// --- the ledger: Hadoop's counting ---

TEST(YarnAttempts, MaxAttemptsTwoTheSecondCountedKillFailsTheApplication) {
  AttemptLedger ledger(rules(2, sim::seconds(10)));
  const auto first = ledger.attempt_failed(at_s(60), AmExit::kKilled);
  EXPECT_EQ(first.attempt, 1);
  EXPECT_TRUE(first.counted);
  EXPECT_EQ(first.failures_counted, 1);
  EXPECT_TRUE(first.restart);
  ledger.next_attempt();
  const auto second = ledger.attempt_failed(at_s(68), AmExit::kKilled);
  EXPECT_EQ(second.attempt, 2);
  EXPECT_EQ(second.failures_counted, 2);
  EXPECT_FALSE(second.restart);
  EXPECT_TRUE(ledger.failed());
}

TEST(YarnAttempts, KillsWiderApartThanTheValidityWindowNeverExhaust) {
  AttemptLedger ledger(rules(2, sim::seconds(10)));
  for (int i = 0; i < 50; i++) {
    const auto verdict = ledger.attempt_failed(at_s(11 * i), AmExit::kKilled);
    EXPECT_EQ(verdict.attempt, i + 1);
    EXPECT_EQ(verdict.failures_counted, 1) << "failure " << i;
    ASSERT_TRUE(verdict.restart);
    ledger.next_attempt();
  }
  EXPECT_EQ(ledger.attempt(), 51);
  EXPECT_FALSE(ledger.failed());
}

TEST(YarnAttempts, TheWindowIncludesAFailureExactlyIntervalAgo) {
  // RMAppAttemptImpl: a failure is outside only when finishTime < now - interval.
  AttemptLedger edge(rules(2, sim::seconds(10)));
  edge.attempt_failed(at_s(0), AmExit::kKilled);
  edge.next_attempt();
  EXPECT_FALSE(edge.attempt_failed(at_s(10), AmExit::kKilled).restart);
  AttemptLedger past(rules(2, sim::seconds(10)));
  past.attempt_failed(at_s(0), AmExit::kKilled);
  past.next_attempt();
  const auto verdict = past.attempt_failed(at_s(10) + sim::nanoseconds(1), AmExit::kKilled);
  EXPECT_EQ(verdict.failures_counted, 1);
  EXPECT_TRUE(verdict.restart);
}

TEST(YarnAttempts, WithoutAWindowEveryFailureCountsForever) {
  AttemptLedger ledger(rules(3, std::nullopt));
  EXPECT_TRUE(ledger.attempt_failed(at_s(0), AmExit::kKilled).restart);
  ledger.next_attempt();
  EXPECT_TRUE(ledger.attempt_failed(at_s(1000), AmExit::kKilled).restart);
  ledger.next_attempt();
  const auto third = ledger.attempt_failed(at_s(5000), AmExit::kKilled);
  EXPECT_EQ(third.attempt, 3);
  EXPECT_EQ(third.failures_counted, 3);
  EXPECT_FALSE(third.restart);
}

TEST(YarnAttempts, NodeFailuresAndPreemptionNeverCount) {
  AttemptLedger ledger(rules(1, std::nullopt));  // one attempt: any counted failure ends it
  for (int i = 0; i < 10; i++) {
    const auto verdict = ledger.attempt_failed(at_s(i), i % 2 == 0 ? AmExit::kAborted : AmExit::kPreempted);
    EXPECT_FALSE(verdict.counted);
    EXPECT_EQ(verdict.failures_counted, 0);
    ASSERT_TRUE(verdict.restart);
    ledger.next_attempt();
  }
  const auto killed = ledger.attempt_failed(at_s(20), AmExit::kKilled);
  EXPECT_EQ(killed.attempt, 11);
  EXPECT_EQ(killed.failures_counted, 1);
  EXPECT_FALSE(killed.restart);
}

// --- what Flink asks for and what YARN grants ---

model::flink::FlinkConfig flink(std::vector<std::pair<std::string, std::string>> extra, bool ha = true) {
  model::flink::ConfigEntries entries = {{"high-availability.type", ha ? "zookeeper" : "none"}};
  if (ha) {
    entries.push_back({"high-availability.zookeeper.quorum", "zk1:2181"});
    entries.push_back({"high-availability.storageDir", "hdfs:///ha"});
  }
  entries.insert(entries.end(), extra.begin(), extra.end());
  auto parsed = model::flink::parse_flink_config(entries);
  EXPECT_TRUE(std::holds_alternative<model::flink::FlinkConfig>(parsed));
  return std::get<model::flink::FlinkConfig>(parsed);
}

YarnSite max_attempts(int n) {
  YarnSite site;
  site.am_max_attempts = n;
  return site;
}

TEST(YarnAttemptRules, ApplicationAttemptsAreCappedByMaxAttempts) {
  const YarnVersion v33{3, 3};
  EXPECT_EQ(attempt_rules(v33, max_attempts(2), flink({{"yarn.application-attempts", "5"}})).max_attempts, 2);
  EXPECT_EQ(attempt_rules(v33, max_attempts(4), flink({{"yarn.application-attempts", "3"}})).max_attempts, 3);
  EXPECT_EQ(attempt_rules(v33, max_attempts(4), flink({})).max_attempts, 2);   // Flink's default with HA
  EXPECT_EQ(attempt_rules(v33, max_attempts(1), flink({})).max_attempts, 1);
  EXPECT_EQ(attempt_rules(v33, max_attempts(4), flink({}, false)).max_attempts, 1);  // without HA
}

TEST(YarnAttemptRules, VersionRangesAndHaDecideContainersAndTheWindow) {
  const auto ha = flink({});
  const auto r23 = attempt_rules({2, 3}, max_attempts(2), ha);
  EXPECT_FALSE(r23.keep_containers);
  EXPECT_FALSE(r23.validity_interval);
  const auto r24 = attempt_rules({2, 4}, max_attempts(2), ha);
  EXPECT_TRUE(r24.keep_containers);
  EXPECT_FALSE(r24.validity_interval);  // YARN-611 came in 2.6
  const auto r26 = attempt_rules({2, 6}, max_attempts(2), ha);
  EXPECT_TRUE(r26.keep_containers);
  EXPECT_EQ(r26.validity_interval, sim::seconds(10));  // Flink's default
  EXPECT_EQ(attempt_rules({3, 3}, max_attempts(2), flink({{"yarn.application-attempt-failures-validity-interval", "30000"}})).validity_interval,
            sim::seconds(30));
  EXPECT_FALSE(attempt_rules({3, 3}, max_attempts(2), flink({{"yarn.application-attempt-failures-validity-interval", "-1"}})).validity_interval);
  const auto none = attempt_rules({3, 3}, max_attempts(2), flink({}, false));
  EXPECT_FALSE(none.keep_containers);  // Flink asks for neither without HA
  EXPECT_FALSE(none.validity_interval);
}

// --- whole runs ---

Scenario scenario_file(const std::string& name) {
  return load_scenario_file(std::string(HASIM_SOURCE_DIR) + "/scenarios/" + name + ".json");
}

RunResult run_kept(const Scenario& scenario, std::uint64_t seed) {
  RunOptions options;
  options.keep_events = true;
  return run_scenario(scenario, seed, options);
}

std::vector<const sim::TraceEvent*> yarn_events(const RunResult& run, const std::string& name) {
  std::vector<const sim::TraceEvent*> out;
  for (const auto& event : run.events) {
    if (event.category == "yarn" && event.name == name) out.push_back(&event);
  }
  return out;
}

std::int64_t int_of(const sim::TraceEvent* event, const char* key) {
  const std::int64_t* value = event->int_field(key);
  EXPECT_NE(value, nullptr) << key;
  return value ? *value : -1;
}

std::vector<sim::Instant> proc_events(const RunResult& run, const std::string& name, const std::string& process) {
  std::vector<sim::Instant> out;
  for (const auto& event : run.events) {
    if (event.category == "proc" && event.name == name && event.process == process) out.push_back(event.at);
  }
  return out;
}

TEST(YarnRuns, AttemptsExhaustedFailsTheApplicationAtAttemptTwoAndEndsTheCluster) {
  const Scenario scenario = scenario_file("yarn-attempts-exhausted");
  for (std::uint64_t seed = 1; seed <= 4; seed++) {
    const RunResult run = run_kept(scenario, seed);
    EXPECT_TRUE(run.violations.empty()) << "seed " << seed << ": " << run.violations.front().message;
    ASSERT_EQ(yarn_events(run, "am-attempt-started").size(), 2u) << "seed " << seed;
    const auto failed = yarn_events(run, "application-failed");
    ASSERT_EQ(failed.size(), 1u);
    EXPECT_EQ(int_of(failed[0], "attempts"), 2);
    EXPECT_EQ(int_of(failed[0], "failures_counted"), 2);
    // The end is an end: nothing of the cluster boots again, and the TaskManagers are gone.
    for (const char* process : {"jm1", "tm1", "tm2"}) {
      for (const sim::Instant boot : proc_events(run, "boot", process)) EXPECT_LT(boot, failed[0]->at) << process;
    }
    EXPECT_EQ(proc_events(run, "crash", "tm1").size(), 1u);
  }
}

TEST(YarnRuns, KillsOutsideTheWindowAreAllRestarted) {
  const Scenario scenario = scenario_file("yarn-am-kill");
  const RunResult run = run_kept(scenario, 3);
  EXPECT_TRUE(run.violations.empty());
  const auto failures = yarn_events(run, "am-attempt-failed");
  ASSERT_EQ(failures.size(), 4u);
  for (const auto* failure : failures) EXPECT_EQ(int_of(failure, "failures_counted"), 1);
  EXPECT_EQ(yarn_events(run, "am-attempt-started").size(), 5u);
  EXPECT_TRUE(yarn_events(run, "application-failed").empty());
  // HA data stays in ZooKeeper: each new attempt recovers the job and restores a checkpoint.
  std::size_t restored = 0;
  for (const auto& event : run.events) {
    if (event.category == "flink" && event.name == "job-restored" && event.int_field("checkpoint_id") && *event.int_field("checkpoint_id") > 0) restored++;
  }
  EXPECT_GE(restored, 4u);
}

TEST(YarnRuns, NodeManagerFailuresDoNotCountEvenWithEveryFailureCountedForever) {
  const Scenario scenario = scenario_file("yarn-nodemanager-failure");
  const RunResult run = run_kept(scenario, 5);
  EXPECT_TRUE(run.violations.empty());
  const auto failures = yarn_events(run, "am-attempt-failed");
  ASSERT_EQ(failures.size(), 4u);
  for (int i = 0; i < 3; i++) {
    EXPECT_EQ(int_of(failures[static_cast<std::size_t>(i)], "exit_status"), -100);  // ABORTED
    EXPECT_EQ(int_of(failures[static_cast<std::size_t>(i)], "counted"), 0);
    // The RM learns of a lost node when its liveness expires: 60 s in this scenario.
    EXPECT_EQ(failures[static_cast<std::size_t>(i)]->at, at_s(60 + 90 * i) + sim::seconds(60));
  }
  EXPECT_EQ(int_of(failures[3], "counted"), 1);
  EXPECT_EQ(int_of(failures[3], "failures_counted"), 1);
  EXPECT_EQ(yarn_events(run, "am-attempt-started").size(), 5u);
  EXPECT_TRUE(yarn_events(run, "application-failed").empty());
}

TEST(YarnRuns, Hadoop23RestartsTheTaskManagersWhile24KeepsThem) {
  const RunResult old_yarn = run_kept(scenario_file("yarn-hadoop23-containers-restarted"), 2);
  const RunResult new_yarn = run_kept(scenario_file("yarn-hadoop24-containers-kept"), 2);
  EXPECT_TRUE(old_yarn.violations.empty());
  EXPECT_TRUE(new_yarn.violations.empty());
  for (const char* tm : {"tm1", "tm2"}) {
    // 2.3: killed with each of the two failed attempts, then started by the next attempt.
    const auto failures = yarn_events(old_yarn, "am-attempt-failed");
    ASSERT_EQ(failures.size(), 2u);
    const auto crashes = proc_events(old_yarn, "crash", tm);
    ASSERT_EQ(crashes.size(), 2u) << tm;
    EXPECT_EQ(crashes[0], failures[0]->at);
    EXPECT_EQ(crashes[1], failures[1]->at);
    EXPECT_EQ(proc_events(old_yarn, "boot", tm).size(), 3u) << tm;
    // 2.4: never touched.
    EXPECT_TRUE(proc_events(new_yarn, "crash", tm).empty()) << tm;
    EXPECT_EQ(proc_events(new_yarn, "boot", tm).size(), 1u) << tm;
  }
  EXPECT_EQ(yarn_events(old_yarn, "am-attempt-started").size(), 3u);
  EXPECT_EQ(yarn_events(new_yarn, "am-attempt-started").size(), 3u);
}

TEST(YarnRuns, NothingIsLearnedOrStartedWhileTheResourceManagerFailsOver) {
  const RunResult run = run_kept(scenario_file("yarn-rm-failover-delay"), 4);
  EXPECT_TRUE(run.violations.empty());
  const auto back = yarn_events(run, "rm-available");
  ASSERT_EQ(back.size(), 2u);
  const auto failures = yarn_events(run, "am-attempt-failed");
  ASSERT_EQ(failures.size(), 2u);
  EXPECT_EQ(failures[0]->at, back[0]->at);  // the AM died at 60 s; the RM was away from 59 s to 89 s
  EXPECT_EQ(back[0]->at, at_s(89));
  const auto started = yarn_events(run, "am-attempt-started");
  ASSERT_EQ(started.size(), 3u);
  EXPECT_EQ(started[1]->at, back[0]->at + sim::seconds(5));
  const auto replaced = yarn_events(run, "tm-container-started");
  ASSERT_EQ(replaced.size(), 1u);  // the TaskManager killed at 155 s, replaced once the RM is back at 170 s
  EXPECT_EQ(replaced[0]->at, back[1]->at + sim::seconds(5));
}

// --- the checkers: the end of a cluster ---

using testing::TraceBuilder;
using testing::job;
using testing::one_cluster;

std::string S(const char* text) { return text; }

// A job running under jm1 until the JobManager dies at 90 s, and nothing after.
TraceBuilder dead_after_90_s() {
  TraceBuilder t;
  t.flink(1000, "grant", "jm1", {{"session_id", S("A")}})
      .flink(1100, "confirm", "jm1", {{"component", S("dispatcher")}, {"session_id", S("A")}})
      .flink(5000, "job-submit-acked", "jm1", job("A"))
      .flink(6000, "job-running", "jm1", job("A", {{"tasks", std::int64_t{2}}}))
      .flink(7000, "checkpoint-completed", "jm1", job("A", {{"checkpoint_id", std::int64_t{1}}, {"file", S("/c1")}}))
      .proc(90000, "crash", "jm1");
  return t;
}

TEST(ClusterEnd, AFailedApplicationOwesNoLeaderAndLosesNoJob) {
  const CheckContext context = one_cluster();  // faults end at 100 s, bounds 30 s
  const auto dead = dead_after_90_s();
  EXPECT_EQ(check_liveness(dead.events(), context).size(), 2u);  // no leader, no checkpoint
  EXPECT_EQ(check_no_lost_job(dead.events(), context).size(), 1u);
  auto ended = dead_after_90_s();
  ended.add(95000, "yarn", "application-failed", "jm1",
            {{"cluster", S("")}, {"attempts", std::int64_t{2}}, {"failures_counted", std::int64_t{2}}, {"max_attempts", std::int64_t{2}}});
  EXPECT_TRUE(check_liveness(ended.events(), context).empty());
  EXPECT_TRUE(check_no_lost_job(ended.events(), context).empty());
}

TEST(ClusterEnd, AnEndAfterTheDeadlineExcusesNothing) {
  const CheckContext context = one_cluster();  // deadlines at 130 s
  auto late = dead_after_90_s();
  late.add(140000, "yarn", "application-failed", "jm1", {{"cluster", S("")}});
  EXPECT_EQ(check_liveness(late.events(), context).size(), 2u);
  EXPECT_EQ(check_no_lost_job(late.events(), context).size(), 1u);
  auto other = dead_after_90_s();  // another cluster's end is not this one's
  other.add(95000, "yarn", "application-failed", "c2/jm1", {{"cluster", S("c2")}});
  EXPECT_EQ(check_liveness(other.events(), context).size(), 2u);
}

// --- bad input ---

std::string yarn_scenario(const std::string& mode_and_yarn, const std::string& cluster, const std::string& faults) {
  return R"({"name": "y", )" + mode_and_yarn + R"(, "zookeeper": {"servers": 1},
    "clusters": [)" + cluster + R"(], "duration": "5 min", "faults": {"schedule": [)" + faults + R"(]},
    "expect": {"outcome": "pass"}})";
}
const std::string kOneJm = R"({"jobmanagers": 1, "flink_config": {"high-availability.type": "zookeeper",
    "high-availability.zookeeper.quorum": "zk1:2181", "high-availability.storageDir": "hdfs:///ha"}})";

std::string error_of(const std::string& json) {
  try {
    parse_scenario(json, "t.json");
  } catch (const InputError& error) {
    return error.what();
  }
  return "";
}

TEST(YarnInput, BadYarnInputNamesItsJsonPath) {
  EXPECT_EQ(error_of(yarn_scenario(R"("mode": "yarn")", kOneJm, "")), "");
  EXPECT_NE(error_of(yarn_scenario(R"("mode": "yarn")", R"({"jobmanagers": 2})", "")).find("$.clusters[0].jobmanagers: a YARN cluster has exactly one JobManager"),
            std::string::npos);
  EXPECT_NE(error_of(yarn_scenario(R"("mode": "yarn", "yarn": {"version": "2.2"})", kOneJm, "")).find("$.yarn.version:"), std::string::npos);
  EXPECT_NE(error_of(yarn_scenario(R"("mode": "yarn", "yarn": {"yarn_site": {"yarn.resourcemanager.am.max-attempts": "0"}})", kOneJm, ""))
                .find("$.yarn.yarn_site.yarn.resourcemanager.am.max-attempts:"),
            std::string::npos);
  EXPECT_NE(error_of(yarn_scenario(R"("mode": "yarn", "yarn": {"yarn_site": {"yarn.resourcemanager.am.max-attempt": "2"}})", kOneJm, ""))
                .find("unknown yarn-site key"),
            std::string::npos);
  EXPECT_NE(error_of(yarn_scenario(R"("mode": "standalone", "yarn": {})", kOneJm, "")).find("$.yarn:"), std::string::npos);
  EXPECT_NE(error_of(yarn_scenario(R"("mode": "standalone")", kOneJm, R"({"at": "10 s", "kind": "kill-am-container"})"))
                .find("$.faults.schedule[0].kind: \"kill-am-container\" needs \"mode\": \"yarn\""),
            std::string::npos);
  EXPECT_NE(error_of(yarn_scenario(R"("mode": "yarn")", kOneJm, R"({"at": "10 s", "kind": "rm-failover-delay"})")).find("needs a duration"),
            std::string::npos);
  EXPECT_NE(error_of(yarn_scenario(R"("mode": "yarn")", kOneJm, R"({"at": "10 s", "kind": "restart-jobmanager", "target": "jm1"})"))
                .find("$.faults.schedule[0].kind:"),
            std::string::npos);
  EXPECT_NE(error_of(yarn_scenario(R"("mode": "yarn")", kOneJm, R"({"at": "10 s", "kind": "kill-jobmanager", "target": "jm1", "duration": "5 s"})"))
                .find("$.faults.schedule[0].duration:"),
            std::string::npos);
  EXPECT_NE(error_of(yarn_scenario(R"("mode": "yarn")", kOneJm, R"({"at": "10 s", "kind": "kill-am-container", "duration": "5 s"})"))
                .find("$.faults.schedule[0].duration:"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"name": "y", "mode": "yarn", "zookeeper": {"servers": 1}, "clusters": [)" + kOneJm +
                     R"(], "duration": "5 min", "faults": {"random": {"kinds": ["kill-am-container", "restart-jobmanager"]}}, "expect": {"outcome": "pass"}})")
                .find("$.faults.random.kinds[1]:"),
            std::string::npos);
  EXPECT_NE(error_of(yarn_scenario(R"("mode": "yarn")", kOneJm, R"({"at": "10 s", "kind": "kill-taskmanager", "target": "tm1", "duration": "5 s"})"))
                .find("$.faults.schedule[0].duration:"),
            std::string::npos);
}

}  // namespace
}  // namespace harness
