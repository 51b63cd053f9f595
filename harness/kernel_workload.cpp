#include "harness/kernel_workload.hpp"

#include <memory>
#include <string>
#include <vector>

#include "sim/simulation.hpp"

namespace harness {
namespace {

struct Token final : sim::Payload {
  explicit Token(std::uint64_t v) : value(v) {}
  std::string describe() const override { return "token " + std::to_string(value); }
  std::uint64_t value;
};

class KernelWorkload {
 public:
  explicit KernelWorkload(const KernelWorkloadConfig& config)
      : config_(config), sim_(sim::SimConfig{config.seed, {}}), faults_rng_(sim_.rng_stream("faults")) {
    boxes_.resize(config.processes);
    for (std::uint32_t i = 0; i < config.processes; i++) {
      pids_.push_back(sim_.add_process("node" + std::to_string(i),
                                       {[this](sim::ProcessId pid) { boot(pid); }, nullptr}));
    }
  }

  KernelWorkloadResult run() {
    for (const auto pid : pids_) sim_.start(pid);
    if (config_.faults) schedule_fault();
    KernelWorkloadResult result;
    result.outcome = sim_.run_until(sim::Instant{} + config_.duration);
    sim_.record("workload", "end", sim::kNoProcess,
                {{"delivered", static_cast<std::int64_t>(delivered_)},
                 {"faults", static_cast<std::int64_t>(faults_)}});
    result.trace_hash = sim_.trace().hash();
    result.events = sim_.stats().events_processed;
    result.fiber_resumes = sim_.stats().fiber_resumes;
    result.mails_delivered = delivered_;
    result.faults_injected = faults_;
    sim_.shutdown();
    return result;
  }

 private:
  void boot(sim::ProcessId pid) {
    boxes_[pid] = sim_.mailbox_open(pid);
    // Each incarnation draws from its own stream, so a restart does not replay its predecessor.
    auto rng = std::make_shared<sim::Prng>(
        sim_.rng_stream("node" + std::to_string(pid) + "/" + std::to_string(sim_.incarnation(pid))));
    sim_.spawn(pid, "main", [this, pid, rng] { node_main(pid, *rng); });
  }

  void node_main(sim::ProcessId pid, sim::Prng& rng) {
    for (;;) {
      auto mail = sim_.receive(boxes_[pid], sim::milliseconds(rng.between(1, 50)));
      if (mail) {
        delivered_++;
        const auto* token = sim::payload_as<Token>(*mail);
        forward(pid, rng, token->value + 1);
      } else if (rng.chance(1, 4)) {
        forward(pid, rng, rng.below(1000));
      } else if (rng.chance(1, 20)) {
        sim_.spawn(pid, "helper", [this, pid] {
          sim_.sleep(sim::milliseconds(7));
          sim_.record("workload", "helper-done", pid);
        });
      }
    }
  }

  void forward(sim::ProcessId from, sim::Prng& rng, std::uint64_t value) {
    const auto to = static_cast<sim::ProcessId>(rng.below(pids_.size()));
    const sim::Duration delay = sim::microseconds(rng.between(100, 5000));
    sim_.after(delay, [this, to, value] { sim_.mailbox_post(boxes_[to], sim::Mail{1, 0, std::make_shared<Token>(value)}); },
               from);
  }

  void schedule_fault() {
    sim_.after(sim::milliseconds(faults_rng_.between(50, 500)), [this] {
      inject_fault();
      schedule_fault();
    });
  }

  void inject_fault() {
    faults_++;
    const sim::ProcessId victim = faults_rng_.pick(pids_);
    switch (faults_rng_.below(4)) {
      case 0: sim_.crash(victim); break;
      case 1: sim_.restart(victim); break;
      case 2: sim_.pause(victim); break;
      default:
        sim_.resume(victim);
        if (sim_.process_state(victim) == sim::ProcessState::kDown) sim_.restart(victim);
        break;
    }
  }

  KernelWorkloadConfig config_;
  sim::Simulation sim_;
  sim::Prng faults_rng_;
  std::vector<sim::ProcessId> pids_;
  std::vector<sim::MailboxId> boxes_;
  std::uint64_t delivered_ = 0;
  std::uint64_t faults_ = 0;
};

}  // namespace

KernelWorkloadResult run_kernel_workload(const KernelWorkloadConfig& config) {
  KernelWorkload workload(config);
  return workload.run();
}

}  // namespace harness
