// Records the real server's trace of every directed sequence (zk_directed_sequences.hpp) as
// OUTDIR/<name>.jsonl, the golden files the simulated side is compared with. Starts nothing:
//
//   zk_oracle_record PORT|HOST:PORT[,HOST:PORT...] OUTDIR [NAME...]
//
// With several servers, session slot k talks to server k % n only. The tree is wiped before each
// sequence. Exit status 0 when every sequence ran.
#include <zookeeper/zookeeper.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <fstream>
#include <string>
#include <vector>

#include "tests/conformance/zk_directed_sequences.hpp"
#include "tests/conformance/zk_oracle_client.hpp"

using namespace conformance;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s PORT|HOST:PORT[,HOST:PORT...] OUTDIR [NAME...]\n", argv[0]);
    return 2;
  }
  std::string hosts = argv[1];
  if (hosts.find(':') == std::string::npos) hosts = "127.0.0.1:" + hosts;
  const std::string outdir = argv[2];
  const std::vector<std::string> only(argv + 3, argv + argc);
  zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
  try {
    OracleOptions options;
    for (std::size_t pos = 0; pos <= hosts.size();) {
      std::size_t comma = hosts.find(',', pos);
      if (comma == std::string::npos) comma = hosts.size();
      options.servers.push_back(hosts.substr(pos, comma - pos));
      pos = comma + 1;
    }
    options.client_log_level = 0;
    const auto n = static_cast<std::int32_t>(options.servers.size());
    for (DirectedCase c : directed_cases()) {
      if (!only.empty() && std::find(only.begin(), only.end(), c.name) == only.end()) continue;
      if (n < c.min_servers) continue;
      if (n > 1) {
        for (Op& op : c.ops) {
          if (op.kind == OpKind::kOpen) op.server = op.session % n;
        }
      }
      if (OracleClient::wipe(hosts) != rc::kOk) {
        std::fprintf(stderr, "wipe failed\n");
        return 1;
      }
      Trace trace;
      {
        OracleClient client(options);
        trace = client.run(c.ops);
      }
      const std::string path = outdir + "/" + c.name + ".jsonl";
      std::ofstream out(path);
      out << to_json_lines(trace);
      if (!out) {
        std::fprintf(stderr, "cannot write %s\n", path.c_str());
        return 1;
      }
      std::fprintf(stderr, "%s: %zu records\n", path.c_str(), trace.size());
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
