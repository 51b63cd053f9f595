#pragma once
// `hasim assess CONF_DIR`: the effective HA configuration of a Flink conf directory, then the
// fault catalogue run against it (fault_catalogue.hpp), optionally with what-if variants side by
// side. `--fault CLASS --seed S [--variant V]` replays one run of it. Exit 0 when nothing
// unexplained broke, 1 otherwise, 2 for unusable input (one line naming file, line and key).
// Only standalone mode with ZooKeeper HA is assessed so far; YARN and Kubernetes come as modes
// of the same command.
#include <cstdint>
#include <optional>
#include <string>

namespace harness::assess {

struct AssessCommand {
  std::string program = "hasim";  // argv[0] as invoked, for replay commands
  std::string dir;
  std::uint64_t seeds = 200;      // per fault class
  std::uint64_t seed_start = 1;
  unsigned jobs = 1;
  bool what_if = false;           // also run the what-if variants
  bool json = false;
  // Replay of one run:
  std::string fault;              // a fault class
  std::optional<std::uint64_t> seed;
  std::string variant;            // "" = as configured
  std::string trace_file;
};

int assess_command(const AssessCommand& command);

}  // namespace harness::assess
