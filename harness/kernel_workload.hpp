#pragma once
// A synthetic workload that exercises every kernel mechanism at once: processes trading mail
// with random timeouts, spawning helpers, and being crashed, restarted, paused and resumed at
// random. It knows nothing of Flink; it exists so that the kernel's determinism and speed can be
// measured on their own, before and beneath any model.
#include <cstdint>

#include "sim/limits.hpp"
#include "sim/time.hpp"

namespace harness {

struct KernelWorkloadConfig {
  std::uint64_t seed = 1;
  std::uint32_t processes = 16;
  sim::Duration duration = sim::seconds(20);
  bool faults = true;
};

struct KernelWorkloadResult {
  std::uint64_t trace_hash = 0;
  std::uint64_t events = 0;
  std::uint64_t fiber_resumes = 0;
  std::uint64_t mails_delivered = 0;
  std::uint64_t faults_injected = 0;
  sim::RunOutcome outcome = sim::RunOutcome::kDeadline;
};

KernelWorkloadResult run_kernel_workload(const KernelWorkloadConfig& config);

}  // namespace harness
