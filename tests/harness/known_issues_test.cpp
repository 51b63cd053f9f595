// The known-issue matcher on hand-built traces (fires on the mechanism, stays quiet without it),
// and how known issues meet a scenario's expectation and the "curator" / "known_issues" keys.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <functional>
#include <nlohmann/json.hpp>

#include "harness/checkers/checkers.hpp"
#include "harness/checkers/known_issues.hpp"
#include "harness/checkers/zombie_leadership.hpp"
#include "harness/json_reader.hpp"
#include "harness/scenario.hpp"
#include "harness/scenario_runner.hpp"
#include "harness/sweep.hpp"
#include "tests/harness/trace_builder.hpp"

namespace harness {
namespace {

using testing::job;
using testing::one_cluster;
using testing::TraceBuilder;
using S = std::string;
using I = std::int64_t;

const S kLatch = "/ns/leader/latch/_c_x-latch-0000000000";

// jm2 leads on a latch node of ZooKeeper session 11; after LOST it reconnects as session
// `reconnected_session` and its latch, finding the node lowest, grants session Z. jm1 is granted
// B and confirms job-1; then the TaskManager accepts Z's deploy (single-leader B).
TraceBuilder zombie_trace(I reconnected_session) {
  TraceBuilder t;
  t.add(500, "curator", "CONNECTED", "jm2", {{"session", I{11}}})
      .add(600, "curator", "latch-node", "jm2", {{"path", kLatch}})
      .add(700, "curator", "latch-is-leader", "jm2", {{"path", kLatch}})
      .flink(700, "grant", "jm2", {{"session_id", S("A")}})
      .add(20000, "curator", "SUSPENDED", "jm2", {{"session", I{11}}})
      .add(20000, "curator", "latch-not-leader", "jm2", {{"path", kLatch}})
      .flink(20000, "revoke", "jm2", {{"session_id", S("A")}})
      .add(30000, "curator", "LOST", "jm2", {{"session", I{0}}})
      .add(38000, "curator", "RECONNECTED", "jm2", {{"session", reconnected_session}})
      .add(38002, "curator", "latch-is-leader", "jm2", {{"path", kLatch}})
      .flink(38002, "grant", "jm2", {{"session_id", S("Z")}})
      .flink(48000, "grant", "jm1", {{"session_id", S("B")}})
      .flink(48100, "confirm", "jm1", {{"component", S("job-job-1")}, {"session_id", S("B")}})
      .flink(50000, "tm-accept", "tm1", job("Z", {{"what", S("deploy")}}));
  return t;
}

std::vector<Violation> single_leader(const TraceBuilder& t, const CheckContext& context) {
  return check_properties(t.events(), context, {"single-leader"});
}

TEST(Curator696, GrantOnANodeOfAnOlderSessionIsAZombieAndExplainsItsEffects) {
  const auto t = zombie_trace(22);
  const auto zombies = zombie_grants(t.events(), one_cluster());
  ASSERT_EQ(zombies.size(), 1u);
  EXPECT_EQ(zombies[0].session_id, "Z");
  EXPECT_EQ(zombies[0].node_session, 11);
  EXPECT_EQ(zombies[0].client_session, 22);
  const auto found = single_leader(t, one_cluster());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].known, "CURATOR-696");
}

TEST(Curator696, RegainingLeadershipOnANodeOfTheSameSessionIsNoZombie) {
  const auto t = zombie_trace(11);  // RECONNECTED in the same session: the node is ours
  EXPECT_TRUE(zombie_grants(t.events(), one_cluster()).empty());
  const auto found = single_leader(t, one_cluster());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].known, "");
}

TEST(Curator696, DoesNotApplyToCurator57) {
  auto context = one_cluster();
  context.curator_version = "5.7";
  const auto found = single_leader(zombie_trace(22), context);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].known, "");
}

TEST(Curator696, ExplainsAnOverlapBoundPassedWhileTheZombieBelieves) {
  auto context = one_cluster();
  context.bounds.believed_leader_overlap_max = sim::seconds(5);
  const auto of_clause_c = [&](I reconnected_session) {
    for (const auto& v : single_leader(zombie_trace(reconnected_session), context)) {
      if (v.clause == "C") return v;
    }
    return Violation();
  };
  const Violation zombie = of_clause_c(22);
  EXPECT_EQ(zombie.at, sim::Instant{} + sim::seconds(53) + sim::nanoseconds(1));
  EXPECT_EQ(zombie.known, "CURATOR-696");
  const Violation honest = of_clause_c(11);
  EXPECT_EQ(honest.property, "single-leader");
  EXPECT_EQ(honest.known, "");
}

TEST(Curator696, ExplainsACheckpointIdTheZombieUsedAgain) {
  // The real leader's cleanup deleted the counter; the zombie's CheckpointIDCounter starts again at 1.
  const auto reused = [](I reconnected_session) {
    auto t = zombie_trace(reconnected_session);
    t.flink(48500, "checkpoint-triggered", "jm1", job("B", {{"checkpoint_id", 1}}))
        .flink(52000, "checkpoint-triggered", "jm2", job("Z", {{"checkpoint_id", 1}}));
    const auto found = check_properties(t.events(), one_cluster(), {"unique-checkpoint-ids"});
    EXPECT_EQ(found.size(), 1u);
    return found.empty() ? Violation() : found[0];
  };
  const Violation zombie = reused(22);
  EXPECT_EQ(zombie.session, "Z");
  EXPECT_EQ(zombie.related_sessions, std::vector<std::string>{"B"});
  EXPECT_EQ(zombie.known, "CURATOR-696");
  EXPECT_EQ(reused(11).known, "");  // no zombie grant: unexplained
}

TEST(Curator696, ExplainsHaDataTheZombieWroteAfterTheCleanup) {
  const auto leak = [](I reconnected_session) {
    auto t = zombie_trace(reconnected_session);
    t.flink(48200, "job-running", "jm1", job("B"))
        .flink(49000, "job-terminal", "jm1", job("B", {{"status", S("CANCELED")}}))
        .flink(49100, "job-cleanup-done", "jm1", job("B"))
        .flink(52000, "checkpoint-added", "jm2",
               job("Z", {{"path", S("/ns/jobs/job-1/checkpoints/0000000000000000007")}, {"file", S("/ha/c7")}}));
    for (const auto& v : check_properties(t.events(), one_cluster(), {"ha-lifecycle"})) {
      if (v.clause == "A") return v;
    }
    return Violation();
  };
  const Violation zombie = leak(22);
  EXPECT_EQ(zombie.property, "ha-lifecycle");
  EXPECT_EQ(zombie.session, "Z");
  EXPECT_EQ(zombie.known, "CURATOR-696");
  const Violation honest = leak(11);
  EXPECT_EQ(honest.property, "ha-lifecycle");
  EXPECT_EQ(honest.known, "");
}

TEST(Curator696, TheLatchEventsOwnSessionFieldsWinOverTheDerivedOnes) {
  // The model's contract fields (model/flink/TRACE.md): node_session != session is a zombie grant
  // even where the state events alone would not show it.
  TraceBuilder t;
  t.add(500, "curator", "CONNECTED", "jm2", {{"session", I{11}}})
      .add(600, "curator", "latch-node", "jm2", {{"path", kLatch}, {"session", I{11}}})
      .add(700, "curator", "latch-is-leader", "jm2", {{"path", kLatch}, {"session", I{11}}, {"node_session", I{9}}})
      .flink(700, "grant", "jm2", {{"session_id", S("Z")}});
  const auto zombies = zombie_grants(t.events(), one_cluster());
  ASSERT_EQ(zombies.size(), 1u);
  EXPECT_EQ(zombies[0].node_session, 9);
}

TEST(Curator696, ExplainsARestoreBehindACheckpointTheZombieCommitted) {
  auto t = zombie_trace(22);
  t.flink(52000, "checkpoint-completed", "jm2", job("Z", {{"checkpoint_id", 82}, {"file", S("/ha/c82")}}))
      .flink(52010, "job-restored", "jm1", job("B", {{"checkpoint_id", 81}}));
  const auto found = check_properties(t.events(), one_cluster(), {"no-lost-checkpoint"});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].clause, "A");
  EXPECT_EQ(found[0].known, "CURATOR-696");
  auto honest = zombie_trace(11);  // the same race without a zombie grant stays unexplained
  honest.flink(52000, "checkpoint-completed", "jm2", job("Z", {{"checkpoint_id", 82}, {"file", S("/ha/c82")}}))
      .flink(52010, "job-restored", "jm1", job("B", {{"checkpoint_id", 81}}));
  const auto unexplained = check_properties(honest.events(), one_cluster(), {"no-lost-checkpoint"});
  ASSERT_EQ(unexplained.size(), 1u);
  EXPECT_EQ(unexplained[0].known, "");
}

const S kPointer25 = "/ns/jobs/job-1/checkpoints/0000000000000000025";

// jm3 triggers checkpoint 25 in ZooKeeper session 31; its multi commits but the reply is lost.
// jm2 takes over, restores 25 and subsumes it. jm3's Curator retry re-creates the pointer in
// session `retry_session` after `attempts` attempts. Later jm1's recovery fails on it.
TraceBuilder resurrection_trace(I retry_session, I attempts) {
  TraceBuilder t;
  t.add(100, "curator", "CONNECTED", "jm3", {{"session", I{31}}})
      .flink(1000, "grant", "jm3", {{"session_id", S("A")}})
      .flink(1100, "job-submit-acked", "jm3", job("A"))
      .flink(1200, "job-running", "jm3", job("A", {{"tasks", 2}}))
      .flink(30000, "checkpoint-triggered", "jm3", job("A", {{"checkpoint_id", 25}}))
      .flink(37000, "revoke", "jm3", {{"session_id", S("A")}})
      .flink(37001, "job-suspended", "jm3", job("A"))
      .flink(40000, "grant", "jm2", {{"session_id", S("B")}})
      .flink(42000, "job-restored", "jm2", job("B", {{"checkpoint_id", 25}}))
      .flink(45290, "checkpoint-file-discarded", "jm2", job("B", {{"path", kPointer25}, {"file", S("/ha/c25")}}))
      .flink(45300, "checkpoint-pointer-deleted", "jm2", job("B", {{"path", kPointer25}}))
      .add(47000, "curator", "LOST", "jm3", {{"session", I{0}}})
      .add(53000, "curator", "RECONNECTED", "jm3", {{"session", retry_session}})
      .flink(58000, "checkpoint-added", "jm3", job("A", {{"path", kPointer25}, {"file", S("/ha/c25")}, {"attempts", attempts}}))
      .proc(95000, "crash", "jm2")
      .flink(99000, "grant", "jm1", {{"session_id", S("C")}})
      .flink(99500, "checkpoint-read-missing-file", "jm1", job("C", {{"path", kPointer25}, {"file", S("/ha/c25")}}))
      .flink(99500, "job-restore-failed", "jm1", job("C", {{"reason", S("missing-file")}}));
  return t;
}

std::vector<Violation> of(const std::vector<Violation>& all, const std::string& property, const std::string& clause) {
  std::vector<Violation> out;
  for (const auto& v : all) {
    if (v.property == property && v.clause == clause) out.push_back(v);
  }
  return out;
}

TEST(HasimG4, CuratorRetryAcrossASessionChangeThatResurrectsAPointerIsKnown) {
  const auto found = check_properties(resurrection_trace(32, 4).events(), one_cluster(),
                                      {"no-lost-checkpoint", "no-lost-job", "liveness"});
  const auto recreated = of(found, "no-lost-checkpoint", "D");
  ASSERT_EQ(recreated.size(), 1u);
  EXPECT_EQ(recreated[0].known, "HASIM-G4");
  // The job never runs again because every recovery fails on that pointer: a named consequence.
  const auto not_running = of(found, "no-lost-job", "A");
  ASSERT_EQ(not_running.size(), 1u);
  EXPECT_EQ(not_running[0].known, "HASIM-G4");
  const auto no_checkpoint = of(found, "liveness", "B");
  ASSERT_EQ(no_checkpoint.size(), 1u);
  EXPECT_EQ(no_checkpoint[0].known, "HASIM-G4");
}

TEST(HasimG4, NoSessionChangeOrNoRetryIsNotHasimG4) {
  for (const auto& t : {resurrection_trace(31, 4), resurrection_trace(32, 1)}) {
    const auto found = check_properties(t.events(), one_cluster(), {"no-lost-checkpoint", "no-lost-job"});
    ASSERT_FALSE(found.empty());
    for (const auto& v : found) EXPECT_EQ(v.known, "") << v.property << " " << v.clause;
  }
}

TEST(HasimG4, AJobThatRestoredSinceIsNotExplainedByTheOldPointer) {
  auto t = resurrection_trace(32, 4);
  t.flink(100000, "job-restored", "jm1", job("C", {{"checkpoint_id", 26}}));  // e.g. an operator cleaned ZooKeeper
  const auto found = check_properties(t.events(), one_cluster(), {"no-lost-job"});
  const auto not_running = of(found, "no-lost-job", "A");
  ASSERT_EQ(not_running.size(), 1u);
  EXPECT_EQ(not_running[0].known, "");
}

// jm1 (term A) runs job-1 and, deposed at 20 s, lands the job's JobResultStore entry at
// `entry_ms`; jm2 (term B), granted at 35 s, recovered the job at 36 s and runs it.
TraceBuilder late_dirty_result_trace(I entry_ms) {
  TraceBuilder t;
  t.flink(1000, "grant", "jm1", {{"session_id", S("A")}})
      .flink(1100, "confirm", "jm1", {{"component", S("dispatcher")}, {"session_id", S("A")}})
      .flink(2000, "job-running", "jm1", job("A"))
      .flink(20000, "revoke", "jm1", {{"session_id", S("A")}})
      .flink(35000, "grant", "jm2", {{"session_id", S("B")}})
      .flink(35100, "confirm", "jm2", {{"component", S("dispatcher")}, {"session_id", S("B")}})
      .flink(36000, "job-recovered", "jm2", job("B"))
      .flink(entry_ms, "job-terminal", "jm1", job("A", {{"status", S("FINISHED")}}))
      .flink(40000, "job-running", "jm2", job("B"));
  return t;
}

TEST(LateDirtyResult, AnEntryThatLandsAfterTheNextTermRecoveredTheJobIsKnown) {
  const auto found = of(check_properties(late_dirty_result_trace(38000).events(), one_cluster(), {"no-lost-job"}),
                        "no-lost-job", "C");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].known, "HASIM-LATE-DIRTY-RESULT");
}

TEST(LateDirtyResult, ARecoveryAfterTheEntryLandedStaysUnexplained) {
  // The entry was there when jm2 recovered: ignoring it is a Flink bug of its own (JR).
  const auto found = of(check_properties(late_dirty_result_trace(30000).events(), one_cluster(), {"no-lost-job"}),
                        "no-lost-job", "C");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].known, "");
}

// jm1 (A) is revoked at 20 s with a submission of job-1 still on its main thread; jm2 (B) runs the
// job, which finishes and is cleaned up; jm1's put lands at `added_ms`; jm2's next term (C)
// recovers the graph and runs job-1 again.
TraceBuilder late_job_graph_trace(I added_ms, bool jm1_revoked) {
  TraceBuilder t;
  t.flink(1000, "grant", "jm1", {{"session_id", S("A")}});
  if (jm1_revoked) t.flink(20000, "revoke", "jm1", {{"session_id", S("A")}});
  t.flink(25000, "grant", "jm2", {{"session_id", S("B")}})
      .flink(26000, "job-submit-acked", "jm2", job("B"))
      .flink(27000, "job-running", "jm2", job("B"))
      .flink(30000, "job-terminal", "jm2", job("B", {{"status", S("FINISHED")}}))
      .flink(30100, "job-cleanup-done", "jm2", job("B"))
      .flink(added_ms, "job-graph-added", "jm1", {{"path", S("/ns/execution-plans/job-1")}, {"file", S("/ha/g1")}})
      .flink(50000, "revoke", "jm2", {{"session_id", S("B")}})
      .flink(51000, "grant", "jm2", {{"session_id", S("C")}})
      .flink(51100, "job-recovered", "jm2", job("C"));
  return t;
}

TEST(LateJobGraph, AGraphADeposedDispatcherAddedAfterTheJobEndedIsKnown) {
  const auto found = of(check_properties(late_job_graph_trace(40000, true).events(), one_cluster(), {"no-lost-job"}),
                        "no-lost-job", "C");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].known, "HASIM-LATE-JOB-GRAPH");
}

TEST(LateJobGraph, AnAddByTheLeaderOrBeforeTheEndStaysUnexplained) {
  for (const auto& t : {late_job_graph_trace(40000, false), late_job_graph_trace(29000, true)}) {
    const auto found = of(check_properties(t.events(), one_cluster(), {"no-lost-job"}), "no-lost-job", "C");
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].known, "");
  }
}

// jm1 (A) runs job-1 and is revoked at 20 s while completing checkpoint 6; jm2 (B), granted at
// 25 s, recovers the job at 26 s from checkpoint 5, finishes it and cleans up at 40 s. jm1's
// add of checkpoint 6 lands at `added_ms`; `jm1_revoked` false leaves A without a revoke.
TraceBuilder late_checkpoint_trace(I added_ms, bool jm1_revoked) {
  const S c5 = "/ns/jobs/job-1/checkpoints/0000000000000000005";
  const S c6 = "/ns/jobs/job-1/checkpoints/0000000000000000006";
  TraceBuilder t;
  t.flink(1000, "grant", "jm1", {{"session_id", S("A")}})
      .flink(2000, "job-running", "jm1", job("A"))
      .flink(10000, "checkpoint-added", "jm1", job("A", {{"path", c5}, {"file", S("/ha/c5")}}));
  if (jm1_revoked) t.flink(20000, "revoke", "jm1", {{"session_id", S("A")}});
  t.flink(25000, "grant", "jm2", {{"session_id", S("B")}});
  const auto late_add = [&] { t.flink(added_ms, "checkpoint-added", "jm1", job("A", {{"path", c6}, {"file", S("/ha/c6")}})); };
  if (added_ms < 26000) late_add();  // events go in time order
  t.flink(26000, "job-recovered", "jm2", job("B"))
      .flink(26100, "job-restored", "jm2", job("B", {{"checkpoint_id", I{5}}}))
      .flink(27000, "job-running", "jm2", job("B"));
  if (added_ms >= 26000) late_add();
  t.flink(39000, "job-terminal", "jm2", job("B", {{"status", S("FINISHED")}}))
      .flink(39100, "checkpoint-removed", "jm2", job("B", {{"path", c5}, {"file", S("/ha/c5")}}))
      .flink(40000, "job-cleanup-done", "jm2", job("B"));
  return t;
}

std::vector<Violation> leaked(const TraceBuilder& t) {
  return of(check_properties(t.events(), one_cluster(), {"ha-lifecycle"}), "ha-lifecycle", "A");
}

TEST(LateCheckpoint, ACheckpointADeposedTermAddedAfterTheNextTermRecoveredIsKnown) {
  const auto found = leaked(late_checkpoint_trace(30000, true));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].path, "/ns/jobs/job-1/checkpoints/0000000000000000006");
  EXPECT_EQ(found[0].known, "HASIM-LATE-CHECKPOINT");
}

TEST(LateCheckpoint, AnAddBeforeTheRecoveryOrByATermNeverRevokedStaysUnexplained) {
  // Before jm2's recovery the checkpoint would have been listed: leaving it is another mechanism.
  for (const auto& t : {late_checkpoint_trace(25500, true), late_checkpoint_trace(30000, false)}) {
    const auto found = leaked(t);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].known, "");
  }
}

// The schema's `expect.known` enum lists exactly the ids `hasim validate` accepts, in order.
TEST(KnownIssueList, TheSchemaNamesEveryKnownIssueId) {
  std::ifstream in(std::string(HASIM_SOURCE_DIR) + "/scenarios/schema.json");
  ASSERT_TRUE(in.good());
  const nlohmann::json schema = nlohmann::json::parse(in);
  std::vector<std::string> listed;
  std::function<void(const nlohmann::json&)> find_known = [&](const nlohmann::json& node) {
    if (node.is_object()) {
      for (const auto& [key, value] : node.items()) {
        if (key == "known" && value.is_object() && value.contains("enum")) {
          listed.clear();
          for (const auto& id : value["enum"]) listed.push_back(id.get<std::string>());
        }
        find_known(value);
      }
    } else if (node.is_array()) {
      for (const auto& value : node) find_known(value);
    }
  };
  find_known(schema);
  EXPECT_EQ(listed, known_issue_ids());
}

Scenario scenario_with(const std::string& extra, const std::string& expect) {
  return parse_scenario(R"({"name":"x","zookeeper":{"servers":3},"clusters":[{"jobmanagers":2,"taskmanagers":1}],)"
                        R"("duration":"10 min",)" + extra + R"("expect":)" + expect + "}",
                        "x.json");
}

TEST(KnownIssueExpectations, PassScenariosFailOnlyOnUnexplainedViolationsUnlessKnownIssuesFail) {
  Scenario scenario = scenario_with("", R"({"outcome":"pass"})");
  EXPECT_EQ(scenario.curator_version, "5.4");
  EXPECT_FALSE(scenario.known_issues_fail);
  RunResult run;
  run.outcome = sim::RunOutcome::kDeadline;
  Violation known("single-leader", sim::Instant{}, "zombie");
  known.known = "CURATOR-696";
  run.violations = {known};
  EXPECT_FALSE(run_failed(scenario, run));
  scenario.known_issues_fail = true;
  EXPECT_TRUE(run_failed(scenario, run));
  scenario.known_issues_fail = false;
  run.violations.push_back(Violation("liveness", sim::Instant{}, "stuck"));
  EXPECT_TRUE(run_failed(scenario, run));
}

TEST(KnownIssueExpectations, AViolationScenarioNeedsTheExpectedKnownId) {
  const Scenario mutant = scenario_with("", R"({"outcome":"violation","property":"single-leader"})");
  const Scenario directed =
      scenario_with("", R"({"outcome":"violation","property":"single-leader","known":"CURATOR-696"})");
  EXPECT_EQ(directed.expect.known, "CURATOR-696");
  RunResult run;
  Violation known("single-leader", sim::Instant{}, "zombie");
  known.known = "CURATOR-696";
  run.violations = {known};
  EXPECT_TRUE(run_failed(mutant, run));  // a mutant's violation must not pass for a known issue
  EXPECT_FALSE(run_failed(directed, run));
  run.violations = {Violation("single-leader", sim::Instant{}, "mutant")};
  EXPECT_FALSE(run_failed(mutant, run));
  EXPECT_TRUE(run_failed(directed, run));
}

TEST(KnownIssueExpectations, ScenarioKeysParseAndBadValuesNameTheirJsonPath) {
  const Scenario parsed = scenario_with(R"("curator":"5.7","known_issues":"fail",)", R"({"outcome":"pass"})");
  EXPECT_EQ(parsed.curator_version, "5.7");
  EXPECT_TRUE(parsed.known_issues_fail);
  const auto error_path = [](const std::string& extra, const std::string& expect) {
    try {
      scenario_with(extra, expect);
    } catch (const InputError& error) {
      return error.path;
    }
    return std::string("no error");
  };
  EXPECT_EQ(error_path(R"("curator":"5.5",)", R"({"outcome":"pass"})"), "$.curator");
  EXPECT_EQ(error_path(R"("known_issues":"ignore",)", R"({"outcome":"pass"})"), "$.known_issues");
  EXPECT_EQ(error_path("", R"({"outcome":"violation","property":"single-leader","known":"CURATOR-1"})"), "$.expect.known");
  EXPECT_EQ(error_path("", R"({"outcome":"pass","known":"CURATOR-696"})"), "$.expect.known");
  EXPECT_EQ(error_path(R"("curator":"5.7",)", R"({"outcome":"violation","property":"single-leader","known":"CURATOR-696"})"),
            "$.expect.known");
}

TEST(CheckContextFacts, SessionTimeoutIsTheConfiguredOneAsTheEnsembleNegotiatesIt) {
  const auto with_timeout = [](const std::string& timeout) {
    return parse_scenario(R"({"name":"x","zookeeper":{"servers":3,"tick_time":"2 s"},"clusters":[{"jobmanagers":2,)"
                          R"("flink_config":{"high-availability.type":"zookeeper","high-availability.zookeeper.quorum":"zk1:2181",)"
                          R"("high-availability.storageDir":"hdfs:///ha","high-availability.zookeeper.client.session-timeout":")" +
                              timeout + R"("}}],"duration":"10 min","curator":"5.7","expect":{"outcome":"pass"}})",
                          "x.json");
  };
  const CheckContext ten = check_context(with_timeout("10 s"), {{"jm1", "jm2"}});
  EXPECT_EQ(ten.clusters[0].session_timeout, sim::seconds(10));
  EXPECT_EQ(ten.curator_version, "5.7");
  // ZooKeeperServer clamps to [2, 20] ticks: 100 s asks for more than 40 s.
  EXPECT_EQ(check_context(with_timeout("100 s"), {{"jm1", "jm2"}}).clusters[0].session_timeout, sim::seconds(40));
}

}  // namespace
}  // namespace harness

namespace harness {
namespace {

// Kubernetes mode: jm1 leads session A; jm2's clock runs ahead and it takes the lease (grant B)
// while jm1 still renews; jm1's JobMaster commits checkpoint 92 before its revoke, just after
// jm2's recovery read the store, which restores 91. `kubernetes` false drops the lock-holder samples (a ZooKeeper-mode trace).
// `revoked_first`: jm1 learns of the loss (revoke at 50120) before the commit instead of at 53 s.
testing::TraceBuilder deposed_trace(bool kubernetes, bool revoked_first) {
  testing::TraceBuilder t;
  if (kubernetes) t.flink(0, "k8s-lock-holder", "", {{"jm", std::string("")}});
  t.flink(1000, "grant", "jm1", {{"session_id", std::string("A")}})
      .flink(1100, "confirm", "jm1", {{"component", std::string("job-job-1")}, {"session_id", std::string("A")}})
      .flink(1200, "job-running", "jm1", testing::job("A", {{"tasks", std::int64_t{2}}}))
      .flink(50000, "grant", "jm2", {{"session_id", std::string("B")}})
      .flink(50100, "confirm", "jm2", {{"component", std::string("job-job-1")}, {"session_id", std::string("B")}});
  if (revoked_first) t.flink(50120, "revoke", "jm1", {{"session_id", std::string("A")}});
  t.flink(50140, "checkpoint-completed", "jm1", testing::job("A", {{"checkpoint_id", std::int64_t{92}}, {"file", std::string("/ha/c92")}}))
      .flink(50150, "job-restored", "jm2", testing::job("B", {{"checkpoint_id", std::int64_t{91}}}))
      .flink(50300, "tm-accept", "tm1", testing::job("A", {{"what", std::string("notify")}, {"checkpoint_id", std::int64_t{92}}}))
      .flink(50400, "job-running", "jm2", testing::job("B", {{"tasks", std::int64_t{2}}}));
  if (!revoked_first) t.flink(53000, "revoke", "jm1", {{"session_id", std::string("A")}});
  t.flink(53000, "job-suspended", "jm1", testing::job("A"));
  return t;
}

TEST(KubernetesDeposed, ACommitAndAnEffectOfALeaderDeposedUnawareAreKnown) {
  const auto t = deposed_trace(true, false);
  const auto found = check_properties(t.events(), testing::one_cluster(), {"no-lost-checkpoint", "single-leader", "no-lost-job"});
  std::map<std::string, std::string> known;  // property+clause -> id
  for (const auto& v : found) known[v.property + " " + v.clause] = v.known;
  ASSERT_TRUE(known.count("no-lost-checkpoint A"));
  EXPECT_EQ(known["no-lost-checkpoint A"], "HASIM-K8S-UNFENCED-CHECKPOINT");
  ASSERT_TRUE(known.count("single-leader B"));
  EXPECT_EQ(known["single-leader B"], "HASIM-K8S-SKEWED-LEASE");
  // jm1's JobMaster still runs the job when jm2's starts: it learns of the loss only at its revoke.
  EXPECT_FALSE(known.count("no-lost-job B"));
}

TEST(KubernetesDeposed, TheSameRaceOutsideKubernetesModeOrAfterTheRevokeStaysUnexplained) {
  const auto zookeeper = deposed_trace(false, false);
  const auto found = check_properties(zookeeper.events(), testing::one_cluster(), {"no-lost-checkpoint", "single-leader", "no-lost-job"});
  std::map<std::string, std::string> known;
  for (const auto& v : found) known[v.property + " " + v.clause] = v.known;
  ASSERT_TRUE(known.count("no-lost-checkpoint A"));
  EXPECT_EQ(known["no-lost-checkpoint A"], "");
  ASSERT_TRUE(known.count("single-leader B"));
  EXPECT_EQ(known["single-leader B"], "");
  ASSERT_TRUE(known.count("no-lost-job B"));  // the ZooKeeper windows do not cover it
  // Revoked before its commit: no longer deposed unaware, so nothing explains the late commit.
  const auto revoked = deposed_trace(true, true);
  const auto late = check_properties(revoked.events(), testing::one_cluster(), {"no-lost-checkpoint"});
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].known, "");
}

}  // namespace
}  // namespace harness
