// The feedback of guided exploration (harness/abstract_state.hpp), on hand-built traces: which
// events change a JobManager's abstract state, and when two runs count as reaching the same keys.
#include <gtest/gtest.h>

#include "harness/abstract_state.hpp"

namespace {

using harness::run_feedback;

sim::TraceEvent event(std::string category, std::string name, std::string process,
                      std::vector<sim::TraceField> fields = {}) {
  sim::TraceEvent e;
  e.category = std::move(category);
  e.name = std::move(name);
  e.process = std::move(process);
  e.fields = std::move(fields);
  return e;
}

const std::map<std::string, std::uint64_t, std::less<>> kNoProbes;

// A leader whose session blips: grant, SUSPENDED after a network fault, RECONNECTED after its end.
std::vector<sim::TraceEvent> blip(const std::string& fault) {
  return {event("flink", "grant", "jm1"), event("curator", "CONNECTED", "jm1"), event("fault", fault, ""),
          event("curator", "SUSPENDED", "jm1"), event("fault", "end-" + fault, ""),
          event("curator", "RECONNECTED", "jm1")};
}

TEST(AbstractState, EachChangeOfAJobManagersStateIsATransition) {
  const auto feedback = run_feedback(blip("cut"), kNoProbes);
  EXPECT_EQ(feedback.transitions, 4u);  // grant, CONNECTED, SUSPENDED, RECONNECTED
  EXPECT_EQ(feedback.keys.size(), 4u);
}

TEST(AbstractState, OtherProcessesAndRepeatsAddNothing) {
  auto events = blip("cut");
  events.push_back(event("curator", "SUSPENDED", "tm1"));                // a TaskManager's client
  events.push_back(event("curator", "RECONNECTED", "jm1"));              // no change
  events.push_back(event("flink", "checkpoint-triggered", "jm1"));       // no store outcome
  const auto feedback = run_feedback(events, kNoProbes);
  EXPECT_EQ(feedback.transitions, 4u);
  EXPECT_EQ(feedback.keys, run_feedback(blip("cut"), kNoProbes).keys);
}

TEST(AbstractState, TheFaultClassBeforeATransitionIsPartOfItsKey) {
  const auto network = run_feedback(blip("cut"), kNoProbes).keys;
  EXPECT_EQ(network, run_feedback(blip("partition"), kNoProbes).keys);  // one class: network
  const auto zookeeper = run_feedback(blip("pause-zookeeper"), kNoProbes).keys;
  EXPECT_NE(network, zookeeper);
}

TEST(AbstractState, StoreOutcomesAreKeyedApartFromLeadership) {
  std::vector<sim::TraceEvent> events = {event("flink", "grant", "jm1"),
                                         event("flink", "checkpoint-completed", "jm1"),
                                         event("flink", "checkpoint-trigger-failed", "jm1"),
                                         event("flink", "checkpoint-completed", "jm1")};
  const auto feedback = run_feedback(events, kNoProbes);
  EXPECT_EQ(feedback.transitions, 4u);
  EXPECT_EQ(feedback.keys.size(), 4u);  // grant; idle->completed, completed->failed, failed->completed
}

TEST(AbstractState, AJobInCleanupMarksItsJobManagerUntilCleanupIsDone) {
  const sim::TraceField job{"job", std::string("job-1")};
  std::vector<sim::TraceEvent> events = {event("flink", "grant", "jm1"), event("flink", "job-terminal", "jm1", {job}),
                                         event("flink", "job-cleanup-done", "jm1", {job})};
  EXPECT_EQ(run_feedback(events, kNoProbes).transitions, 3u);
  events.insert(events.begin() + 2, event("proc", "crash", "jm1"));  // a crash ends the cleanup as well
  events.pop_back();
  EXPECT_EQ(run_feedback(events, kNoProbes).transitions, 3u);
}

TEST(AbstractState, ProbeHitsAddAKeyPerCountBucket) {
  const std::map<std::string, std::uint64_t, std::less<>> once{{"flink.x", 1}}, many{{"flink.x", 9}},
      more{{"flink.x", 300}}, none{{"flink.x", 0}};
  EXPECT_EQ(run_feedback({}, once).keys.size(), 1u);
  EXPECT_NE(run_feedback({}, once).keys, run_feedback({}, many).keys);
  EXPECT_EQ(run_feedback({}, many).keys, run_feedback({}, more).keys);  // 8 and more: one bucket
  EXPECT_TRUE(run_feedback({}, none).keys.empty());
}

TEST(AbstractState, JobManagerNames) {
  EXPECT_TRUE(harness::is_jobmanager_name("jm1"));
  EXPECT_TRUE(harness::is_jobmanager_name("c2/jm3"));
  EXPECT_FALSE(harness::is_jobmanager_name("tm1"));
  EXPECT_FALSE(harness::is_jobmanager_name("zk1"));
  EXPECT_FALSE(harness::is_jobmanager_name(""));
}

}  // namespace
