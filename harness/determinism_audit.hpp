#pragma once
// The determinism audit: every seed run twice (the second pass on whichever thread picks it up)
// and the trace hashes compared. A seed whose hashes differ is run twice more with every kernel
// and model event written out, and the first differing event is named with both values.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace harness {

// One run of a seed: its trace hash. When `trace_file` is not empty, every kernel and model
// event goes there as JSON lines.
using AuditRun = std::function<std::uint64_t(std::uint64_t seed, const std::string& trace_file)>;

struct Divergence {
  std::uint64_t seed = 0;
  std::uint64_t first_hash = 0, second_hash = 0;
  bool located = false;            // the traced reruns diverged too, at `line`
  std::uint64_t line = 0;          // 1-based line of the full trace where they first differ
  std::string first, second;       // that line in each ("<end of trace>" past the end)
};

// Seeds in order; the divergences found, in seed order. `scratch_dir` holds the traced reruns.
std::vector<Divergence> audit_seeds(const std::vector<std::uint64_t>& seeds, unsigned jobs, const AuditRun& run,
                                    const std::string& scratch_dir);

// The first line where two JSON-lines files differ, or nullopt when they are equal.
struct LineDifference {
  std::uint64_t line = 0;
  std::string first, second;
};
std::optional<LineDifference> first_difference(const std::string& first_file, const std::string& second_file);

struct AuditCommand {
  std::string program = "hasim";
  std::string file;
  std::optional<std::uint64_t> seeds;
  std::optional<std::uint64_t> seed_start;
  unsigned jobs = 1;
  bool json = false;
};
// 0: every seed gave the same trace twice; 1: some did not. Throws InputError on bad input.
int audit_command(const AuditCommand& command);

}  // namespace harness
