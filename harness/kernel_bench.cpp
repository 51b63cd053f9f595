#include "harness/kernel_bench.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <queue>
#include <vector>

#include "sim/simulation.hpp"

namespace harness {
namespace {

// Wall-clock time of a whole benchmark repetition, outside any simulation.
double seconds_since(std::chrono::steady_clock::time_point start) {  // determinism-ok: bench timing
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();  // determinism-ok
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

double fiber_events_per_s(const KernelBenchConfig& config) {
  sim::Limits limits;
  limits.events_max = config.events + config.processes;  // + the start events
  limits.fiber_stack_bytes = 64 * 1024;
  sim::Simulation sim(sim::SimConfig{1, limits});
  sim::Prng rng = sim.rng_stream("bench");
  for (std::uint32_t i = 0; i < config.processes; i++) {
    const auto pid = sim.add_process("p" + std::to_string(i), {[&](sim::ProcessId id) {
                                                                 sim.spawn(id, "main", [&] {
                                                                   for (;;) sim.sleep(sim::nanoseconds(rng.between(1'000, 1'000'000)));
                                                                 });
                                                               },
                                                               nullptr});
    sim.start(pid);
  }
  const auto start = std::chrono::steady_clock::now();  // determinism-ok: bench timing
  sim.run_until(sim::Instant{} + sim::Duration::max());
  const double elapsed_s = seconds_since(start);
  const double resumes = static_cast<double>(sim.stats().fiber_resumes);
  sim.shutdown();
  return resumes / elapsed_s;
}

// The baseline: the same shape of workload as plain callbacks on a (time, seq) heap, with no
// fibers, processes or trace. What the kernel adds on top is the price of the fiber model.
double callback_events_per_s(const KernelBenchConfig& config) {
  struct Item {
    std::int64_t at_ns;
    std::uint64_t seq;
    std::uint32_t callback;
    bool operator>(const Item& other) const { return at_ns != other.at_ns ? at_ns > other.at_ns : seq > other.seq; }
  };
  std::priority_queue<Item, std::vector<Item>, std::greater<>> queue;
  sim::Prng rng(1);
  std::int64_t now_ns = 0;
  std::uint64_t seq = 0, processed = 0;
  std::vector<std::function<void()>> callbacks;
  for (std::uint32_t i = 0; i < config.processes; i++) {
    callbacks.emplace_back([&, i] { queue.push(Item{now_ns + rng.between(1'000, 1'000'000), ++seq, i}); });
  }
  for (std::uint32_t i = 0; i < config.processes; i++) queue.push(Item{0, ++seq, i});
  const auto start = std::chrono::steady_clock::now();  // determinism-ok: bench timing
  while (processed < config.events) {
    const Item item = queue.top();
    queue.pop();
    now_ns = item.at_ns;
    processed++;
    callbacks[item.callback]();
  }
  return static_cast<double>(processed) / seconds_since(start);
}

}  // namespace

KernelBenchResult run_kernel_bench(const KernelBenchConfig& config) {
  std::vector<double> fiber, callback;
  for (std::uint32_t i = 0; i < config.repetitions; i++) {
    fiber.push_back(fiber_events_per_s(config));
    callback.push_back(callback_events_per_s(config));
  }
  KernelBenchResult result;
  result.fiber_events_per_s = median(fiber);
  result.callback_events_per_s = median(callback);
  result.ratio = result.fiber_events_per_s / result.callback_events_per_s;
  result.processes = config.processes;
  result.events = config.events;
  result.repetitions = config.repetitions;
  return result;
}

}  // namespace harness
