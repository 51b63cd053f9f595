// Smoke test of the conformance oracle against a running ZooKeeper (it starts nothing itself):
//
//   zk_oracle_smoke PORT                  connect to 127.0.0.1:PORT
//   zk_oracle_smoke HOST:PORT[,HOST:PORT] connect to that list
//
// Wipes the tree (except /zookeeper), runs a fixed sequence covering creates of every mode,
// versioned get/set/delete, watches, a multi that fails midway and one that succeeds, two sessions
// with ephemerals, close and forced expiry, and prints the trace as JSON lines on stdout.
// Exit status: 0 if every op got the rc written next to it in zk_smoke_sequence.hpp, 1 otherwise.
// The expected full trace (real ZooKeeper 3.8.0) is golden/smoke_trace.jsonl.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "tests/conformance/zk_oracle_client.hpp"
#include "tests/conformance/zk_ops.hpp"
#include "tests/conformance/zk_smoke_sequence.hpp"

using namespace conformance;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s PORT | HOST:PORT[,HOST:PORT...]\n", argv[0]);
    return 2;
  }
  std::string hosts = argv[1];
  if (hosts.find(':') == std::string::npos) hosts = "127.0.0.1:" + hosts;
  try {
    const std::int32_t wipe_rc = OracleClient::wipe(hosts);  // through the first reachable server
    if (wipe_rc != rc::kOk) {
      std::fprintf(stderr, "wipe failed: %d %s\n", wipe_rc, std::string(rc_name(wipe_rc)).c_str());
      return 1;
    }
    OracleOptions options;
    // Several servers: session slot k connects to server k % n only (exercises the barrier through
    // followers). One server: every session uses it.
    for (std::size_t pos = 0; pos <= hosts.size();) {
      std::size_t comma = hosts.find(',', pos);
      if (comma == std::string::npos) comma = hosts.size();
      options.servers.push_back(hosts.substr(pos, comma - pos));
      pos = comma + 1;
    }
    if (const char* level = std::getenv("ZK_CLIENT_LOG_LEVEL")) options.client_log_level = std::atoi(level);
    OracleClient client(options);
    std::vector<SmokeStep> steps = smoke_sequence();
    if (options.servers.size() > 1) {
      for (SmokeStep& st : steps) {
        if (st.op.kind == OpKind::kOpen) {
          st.op.server = st.op.session % static_cast<std::int32_t>(options.servers.size());
        }
      }
    }
    Trace trace;
    int mismatches = 0;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const std::size_t first = trace.size();
      client.execute(steps[i].op, static_cast<std::int32_t>(i), trace);
      const auto& r = std::get<OpResult>(trace[first]);
      if (r.rc != steps[i].expect) {
        ++mismatches;
        std::fprintf(stderr, "step %zu (%s %s): rc %d %s, expected %d %s\n", i,
                     std::string(op_kind_name(r.kind)).c_str(), r.path.c_str(), r.rc,
                     std::string(rc_name(r.rc)).c_str(), steps[i].expect,
                     std::string(rc_name(steps[i].expect)).c_str());
      }
      for (std::size_t j = first; j < trace.size(); ++j) std::printf("%s\n", to_json(trace[j]).c_str());
      std::fflush(stdout);
    }
    std::fprintf(stderr, "%zu steps, %d rc mismatches\n", steps.size(), mismatches);
    return mismatches == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
