#pragma once
// `hasim shrink SCENARIO --seed S [--mutant M] [--property P] -o minimal.json`: shrinks a failing
// seed to a minimal explicit fault schedule (harness/shrink.hpp) and writes it as a scenario that
// expects that violation, so it can join scenarios/ as a regression case. Exit 0 when written;
// 2 for unusable input, including a seed with no unexplained violation to shrink.
#include <cstdint>
#include <optional>
#include <string>

namespace harness {

struct ShrinkCommand {
  std::string program = "hasim";
  std::string file;
  std::uint64_t seed = 0;
  std::string mutant;
  std::string property;
  std::string output;
  std::uint64_t runs_max = 500;
  bool json = false;
};
int shrink_command(const ShrinkCommand& command);

}  // namespace harness
