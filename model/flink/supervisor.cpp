#include "model/flink/supervisor.hpp"

namespace model::flink {

Supervisor::Supervisor(sim::Simulation& sim, sim::Duration restart_delay, RestartBackOff back_off)
    : sim_(sim), restart_delay_(restart_delay), back_off_(back_off) {
  sim_.on_crash([this](sim::ProcessId process) { on_crash(process); });
}

void Supervisor::watch(sim::ProcessId process) { watched_.insert(process); }

sim::Duration Supervisor::next_delay(sim::ProcessId process) const {
  if (!back_off_.doubling) return restart_delay_;
  const auto found = history_.find(process);
  int restarts = found == history_.end() ? 0 : found->second.restarts;
  if (found != history_.end() && sim_.now() - found->second.last_restart >= back_off_.reset_after) restarts = 0;
  sim::Duration delay = restart_delay_;
  for (int i = 0; i < restarts && delay < back_off_.delay_max; i++) delay = delay * 2;
  return delay < back_off_.delay_max ? delay : back_off_.delay_max;
}

void Supervisor::on_crash(sim::ProcessId process) {
  if (watched_.count(process) == 0 || restart_delay_ <= sim::Duration{}) return;
  const std::uint32_t crashed_incarnation = sim_.incarnation(process);
  const sim::Duration delay = next_delay(process);
  if (back_off_.doubling) {
    History& history = history_[process];
    if (sim_.now() - history.last_restart >= back_off_.reset_after) history.restarts = 0;
  }
  sim_.after(delay, [this, process, crashed_incarnation] {
    const bool still_down = sim_.process_state(process) == sim::ProcessState::kDown &&
                            sim_.incarnation(process) == crashed_incarnation;
    if (!still_down || held_.count(process) != 0) return;
    if (back_off_.doubling) {
      History& history = history_[process];
      history.restarts++;
      history.last_restart = sim_.now();
    }
    sim_.record("flink", "supervisor-restart", process);
    sim_.restart(process);
  });
}

}  // namespace model::flink
