// A JobManager starts a job at most once per leader session: a term that suspended a job never
// runs it again under the same session. Flink guarantees it because a revoked Dispatcher starts no
// recovered job (SessionDispatcherLeaderProcess.createDispatcherIfRunning), a closing
// JobManagerRunner ignores grants (JobMasterServiceLeadershipRunner.state) and a stale grant starts
// no JobMaster (runIfValidLeader). The explore workload, with jobs that end during the fault phase,
// broke it before those three were modelled: the old runner took the next session's grant and
// was then closed, so "suspended" and "FINISHED" came from one (process, session) pair.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <tuple>

#include "tests/sweep_seeds.hpp"
#include "harness/scenario.hpp"
#include "harness/scenario_runner.hpp"

namespace harness {
namespace {

using Term = std::tuple<std::string, std::string, std::string>;  // process, session, job

std::string field_of(const sim::TraceEvent& event, std::string_view key) {
  const std::string* value = event.string_field(key);
  return value ? *value : std::string();
}

TEST(TermOrdering, NoTermRunsAJobAgainAfterSuspendingIt) {
  const Scenario scenario = load_scenario_file(std::string(HASIM_SOURCE_DIR) + "/scenarios/explore.json");
  RunOptions options;
  options.keep_events = true;
  std::size_t suspensions = 0;
  const std::uint64_t seeds = hasim_tests::sweep_seeds(120);
  for (std::uint64_t seed = 1; seed <= seeds; seed++) {
    const RunResult run = run_scenario(scenario, seed, options);
    std::set<Term> suspended;
    std::set<std::pair<std::string, std::string>> revoked;  // process, session
    for (const auto& event : run.events) {
      if (event.category == "proc" && event.name == "crash") {
        std::erase_if(suspended, [&](const Term& term) { return std::get<0>(term) == event.process; });
      }
      if (event.category != "flink") continue;
      const Term term{event.process, field_of(event, "session_id"), field_of(event, "job")};
      if (event.name == "revoke") revoked.insert({event.process, field_of(event, "session_id")});
      if (event.name == "job-suspended") {
        suspended.insert(term);
        suspensions++;
      }
      if (event.name == "job-recovered" || event.name == "job-restored" || event.name == "job-running" ||
          event.name == "job-terminal") {
        EXPECT_EQ(suspended.count(term), 0u) << "seed " << seed << ": " << event.name << " of " << std::get<2>(term)
                                             << " by " << event.process << " under session " << std::get<1>(term)
                                             << " after that term suspended it";
      }
      if (event.name == "job-recovered") {
        EXPECT_EQ(revoked.count({event.process, field_of(event, "session_id")}), 0u)
            << "seed " << seed << ": a revoked Dispatcher recovered " << std::get<2>(term);
      }
    }
  }
  EXPECT_GT(suspensions, seeds * 100 / 120) << "the workload must exercise suspensions";
}

}  // namespace
}  // namespace harness
