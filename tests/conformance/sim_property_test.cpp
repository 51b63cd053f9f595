// Generated sequences (zk_sequence_gen.hpp) on the simulated side only, so it runs everywhere:
// the real ZooKeeper gives byte-identical traces standalone and as a 3-server ensemble with the
// sessions on different servers (README.md), and whatever the network's timing; so must the
// simulation. (The comparison with the real server itself is oracle_conformance_test.cpp.)
//
//   HASIM_SIM_CONFORMANCE_CASES  sequences (default 1000)
//   HASIM_CONFORMANCE_SEED       RapidCheck seed (default 1)
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/detail/Configuration.h>

#include <cstdlib>
#include <functional>
#include <sstream>
#include <string>

#include "tests/conformance/sim_conformance_runner.hpp"
#include "tests/conformance/zk_sequence_gen.hpp"

namespace conformance {
namespace {

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v == nullptr || *v == '\0' ? fallback : std::atoi(v);
}

std::string unexpected_notes(const SimRunResult& run) {
  std::string out;
  for (const std::string& note : run.protocol_notes) {
    out += "  " + note + "\n";
  }
  return out;
}

TEST(SimConformanceProperty, StandaloneAndEnsembleAndSeedsAgree) {
  const auto property = [] {
    const std::vector<Op> ops = make_safe(*op_sequence());
    const std::uint64_t seed = std::hash<std::string>{}(to_cpp(ops));
    SimRunOptions one;
    one.seed = seed;
    const SimRunResult standalone = run_on_simulation(ops, one);
    RC_ASSERT(standalone.error.empty());
    SimRunOptions three;
    three.servers = 3;
    three.seed = seed + 1;
    const SimRunResult ensemble = run_on_simulation(spread_sessions(ops, 3), three);
    RC_ASSERT(ensemble.error.empty());
    SimRunOptions other_seed = one;
    other_seed.seed = seed + 2;
    other_seed.latency = sim::LatencyModel::exponential(sim::microseconds(100), sim::milliseconds(5));
    const SimRunResult slow_network = run_on_simulation(ops, other_seed);
    RC_ASSERT(slow_network.error.empty());

    const std::string vs_ensemble = first_difference(standalone.trace, ensemble.trace, "1 server", "3 servers");
    if (!vs_ensemble.empty()) {
      RC_FAIL(vs_ensemble + "sequence:\n" + to_cpp(ops) + "\n1 server:\n" + to_json_lines(standalone.trace) +
              "3 servers:\n" + to_json_lines(ensemble.trace));
    }
    const std::string vs_seed =
        first_difference(standalone.trace, slow_network.trace, "seed", "other seed, slower network");
    if (!vs_seed.empty()) RC_FAIL(vs_seed + "sequence:\n" + to_cpp(ops));
    const std::string notes =
        unexpected_notes(standalone) + unexpected_notes(ensemble) + unexpected_notes(slow_network);
    if (!notes.empty()) RC_FAIL("wire-level surprises:\n" + notes + "sequence:\n" + to_cpp(ops));
  };
  ::rc::detail::TestParams params = ::rc::detail::configuration().testParams;
  params.maxSuccess = env_int("HASIM_SIM_CONFORMANCE_CASES", 1000);
  params.seed = static_cast<std::uint64_t>(env_int("HASIM_CONFORMANCE_SEED", 1));
  ::rc::detail::TestMetadata metadata;
  metadata.id = metadata.description = "simulated standalone vs ensemble vs seeds";
  const auto result = ::rc::detail::checkProperty(::rc::detail::toProperty(property), metadata, params);
  std::ostringstream message;
  ::rc::detail::printResultMessage(result, message);
  EXPECT_TRUE(result.template is<::rc::detail::SuccessResult>()) << message.str();
}

}  // namespace
}  // namespace conformance
