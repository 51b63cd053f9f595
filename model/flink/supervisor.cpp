#include "model/flink/supervisor.hpp"

namespace model::flink {

Supervisor::Supervisor(sim::Simulation& sim, sim::Duration restart_delay) : sim_(sim), restart_delay_(restart_delay) {
  sim_.on_crash([this](sim::ProcessId process) { on_crash(process); });
}

void Supervisor::watch(sim::ProcessId process) { watched_.insert(process); }

void Supervisor::on_crash(sim::ProcessId process) {
  if (watched_.count(process) == 0 || restart_delay_ <= sim::Duration{}) return;
  const std::uint32_t crashed_incarnation = sim_.incarnation(process);
  sim_.after(restart_delay_, [this, process, crashed_incarnation] {
    const bool still_down = sim_.process_state(process) == sim::ProcessState::kDown &&
                            sim_.incarnation(process) == crashed_incarnation;
    if (!still_down || held_.count(process) != 0) return;
    sim_.record("flink", "supervisor-restart", process);
    sim_.restart(process);
  });
}

}  // namespace model::flink
