#pragma once
// `hasim bench kernel`: fiber-event throughput of the kernel against a bare callback
// priority-queue loop on the same machine, in the same run. The ratio is what survives noisy
// machines; the absolute figures are for the floor in the issue.
#include <cstdint>

namespace harness {

struct KernelBenchConfig {
  std::uint32_t processes = 1000;
  std::uint64_t events = 3'000'000;
  std::uint32_t repetitions = 5;
};

struct KernelBenchResult {
  double fiber_events_per_s = 0;     // median over repetitions
  double callback_events_per_s = 0;  // median over repetitions
  double ratio = 0;                  // of the medians
  std::uint32_t processes = 0;
  std::uint64_t events = 0;
  std::uint32_t repetitions = 0;
};

KernelBenchResult run_kernel_bench(const KernelBenchConfig& config);

}  // namespace harness
