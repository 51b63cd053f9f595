#pragma once
// `hasim merge DIR... -o OUT`: the --report folders of several --shard runs of one scenario, merged
// into one folder with the totals and distributions one unsharded run of the same seeds gives
// (runs and violations in seed order, percentiles recomputed from the raw samples).
#include <string>
#include <vector>

namespace harness {

// Throws InputError naming the folder (or "-o") on a missing, malformed or mismatched input.
// Returns the exit code the merged sweep stands for: 0 all as expected, 1 otherwise.
int merge_report_folders(const std::vector<std::string>& inputs, const std::string& output);

}  // namespace harness
