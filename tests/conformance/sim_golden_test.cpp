// The simulated ensemble against the real server's recorded trace of the smoke sequence
// (golden/smoke_trace.jsonl, ZooKeeper 3.8.0 standalone and 3-server ensemble alike). Needs no
// real server: runs everywhere.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "tests/conformance/sim_conformance_runner.hpp"
#include "tests/conformance/zk_directed_sequences.hpp"
#include "tests/conformance/zk_smoke_sequence.hpp"

#ifndef HASIM_CONFORMANCE_DIR
#error "HASIM_CONFORMANCE_DIR must name tests/conformance"
#endif

namespace conformance {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<Op> smoke_ops() {
  std::vector<Op> ops;
  for (const SmokeStep& step : smoke_sequence()) ops.push_back(step.op);
  return ops;
}

std::string notes_text(const std::vector<std::string>& notes) {
  std::string out;
  for (const auto& n : notes) out += "  " + n + "\n";
  return out;
}

void check_against_golden(int servers, std::uint64_t seed) {
  const std::vector<std::string> golden =
      split_lines(read_file(std::string(HASIM_CONFORMANCE_DIR) + "/golden/smoke_trace.jsonl"));
  ASSERT_FALSE(golden.empty()) << "golden/smoke_trace.jsonl missing or empty";
  SimRunOptions options;
  options.servers = servers;
  options.seed = seed;
  const SimRunResult run = run_on_simulation(spread_sessions(smoke_ops(), servers), options);
  ASSERT_TRUE(run.error.empty()) << run.error;
  const std::vector<std::string> actual = split_lines(to_json_lines(run.trace));
  const std::string diff = first_difference_lines(golden, actual, "real ZooKeeper 3.8.0", "simulation");
  EXPECT_TRUE(diff.empty()) << servers << " server(s), seed " << seed << ": " << diff << "\nsimulated trace:\n"
                            << to_json_lines(run.trace);
  // Every op got the rc written next to it in zk_smoke_sequence.hpp.
  const auto steps = smoke_sequence();
  for (const Record& record : run.trace) {
    if (const auto* r = std::get_if<OpResult>(&record)) {
      ASSERT_LT(static_cast<std::size_t>(r->seq), steps.size());
      EXPECT_EQ(r->rc, steps[static_cast<std::size_t>(r->seq)].expect) << "step " << r->seq;
    }
  }
  if (!run.protocol_notes.empty()) {
    std::cout << "[ note ] wire-level observations (" << servers << " server(s)):\n" << notes_text(run.protocol_notes);
  }
}

TEST(SimConformanceGolden, SmokeSequenceOneServer) { check_against_golden(1, 1); }

TEST(SimConformanceGolden, SmokeSequenceThreeServersSessionsSpread) { check_against_golden(3, 1); }

TEST(SimConformanceGolden, SmokeSequenceIsTheSameUnderOtherSeeds) {
  for (const std::uint64_t seed : {2u, 3u, 17u}) {
    check_against_golden(1, seed);
    check_against_golden(3, seed);
  }
}

TEST(SimConformanceGolden, RunsAreDeterministic) {
  SimRunOptions options;
  options.servers = 3;
  options.seed = 42;
  const auto ops = spread_sessions(smoke_ops(), 3);
  const SimRunResult a = run_on_simulation(ops, options);
  const SimRunResult b = run_on_simulation(ops, options);
  EXPECT_EQ(to_json_lines(a.trace), to_json_lines(b.trace));
  EXPECT_EQ(a.finished_at, b.finished_at);
}

// The directed sequences (zk_directed_sequences.hpp) against the real server's traces.
std::string check_directed(const DirectedCase& c, int servers, std::uint64_t seed) {
  const std::vector<std::string> golden =
      split_lines(read_file(std::string(HASIM_CONFORMANCE_DIR) + "/golden/directed/" + c.name + ".jsonl"));
  if (golden.empty()) return c.name + ": golden/directed/" + c.name + ".jsonl missing or empty\n";
  SimRunOptions options;
  options.servers = servers;
  options.seed = seed;
  const SimRunResult run = run_on_simulation(spread_sessions(c.ops, servers), options);
  if (!run.error.empty()) return c.name + ": " + run.error + "\n";
  const std::string diff =
      first_difference_lines(golden, split_lines(to_json_lines(run.trace)), "real ZooKeeper 3.8.0", "simulation");
  if (diff.empty()) return "";
  return c.name + " (" + std::to_string(servers) + " server(s)" +
         (c.covers.empty() ? std::string() : ", regression of " + c.covers) + "): " + diff + "simulated trace:\n" +
         to_json_lines(run.trace);
}

TEST(SimConformanceDirected, MatchRealServer) {
  int checked = 0;
  for (const DirectedCase& c : directed_cases()) {
    for (const int servers : {1, 3}) {
      if (servers < c.min_servers) continue;
      const std::string failure = check_directed(c, servers, 7);
      EXPECT_TRUE(failure.empty()) << failure;
      checked++;
    }
  }
  EXPECT_GE(checked, 22);
}

// The cases that reproduced the differences fixed in model/zookeeper (README.md, "Differences found
// and fixed"), under more seeds: their outcome must not depend on the network's timing.
TEST(SimConformanceDirected, FixedDifferencesStayFixed) {
  int checked = 0;
  for (const DirectedCase& c : directed_cases()) {
    if (c.covers.empty()) continue;
    for (const int servers : {1, 3}) {
      if (servers < c.min_servers) continue;
      for (const std::uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
        const std::string failure = check_directed(c, servers, seed);
        EXPECT_TRUE(failure.empty()) << failure;
        checked++;
      }
    }
  }
  EXPECT_GE(checked, 30);
}

// Real ZooKeeper answers every multi with reply-header error 0, the codes travelling in the per-op
// results (FinalRequestProcessor leaves err OK for OpCode.multi); the Java client reads the per-op
// results only when the header says 0. The C client reads them anyway, so traces cannot show it.
TEST(SimWireProtocol, FailedMultiReplyHeaderIsZero) {
  const SimRunResult run = run_on_simulation(smoke_ops());
  ASSERT_TRUE(run.error.empty()) << run.error;
  EXPECT_TRUE(run.protocol_notes.empty()) << notes_text(run.protocol_notes);
}

// The C client's client-side path check (zookeeper.c isValidPath), which the simulated driver
// applies before anything is sent.
TEST(SimConformanceDriver, CClientPathCheck) {
  const auto P = CreateMode::kPersistent;
  const auto SEQ = CreateMode::kPersistentSequential;
  EXPECT_TRUE(c_client_valid_path("/", P));
  EXPECT_TRUE(c_client_valid_path("/a/b", P));
  EXPECT_FALSE(c_client_valid_path("", P));
  EXPECT_FALSE(c_client_valid_path("a", P));
  EXPECT_FALSE(c_client_valid_path("/a/", P));
  EXPECT_TRUE(c_client_valid_path("/a/", SEQ));  // a sequential create may end in '/'
  EXPECT_FALSE(c_client_valid_path("/a//b", P));
  EXPECT_FALSE(c_client_valid_path("/a/.", P));
  EXPECT_TRUE(c_client_valid_path("/a/.", SEQ));
  EXPECT_FALSE(c_client_valid_path("/a/./b", P));
  EXPECT_FALSE(c_client_valid_path("/a/..", P));
  EXPECT_FALSE(c_client_valid_path("/a/../b", P));
  EXPECT_TRUE(c_client_valid_path("/a/...", P));
  EXPECT_TRUE(c_client_valid_path("/a/.b", P));
  EXPECT_FALSE(c_client_valid_path("/a\x01", P));
  EXPECT_TRUE(c_client_valid_path("/a\x1f", P));  // the C client's bound is < 0x1f
  EXPECT_TRUE(c_client_valid_path("/a\x7f", P));  // DEL and non-ASCII are the server's business
  EXPECT_TRUE(c_client_valid_path("/\xc3\xa9", P));
  EXPECT_TRUE(c_client_valid_path(std::string("/a\0b", 4), P));  // seen as "/a"
}

}  // namespace
}  // namespace conformance
