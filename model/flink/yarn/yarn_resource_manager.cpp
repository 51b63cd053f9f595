#include "model/flink/yarn/yarn_resource_manager.hpp"

#include <algorithm>

#include "sim/assert.hpp"

namespace model::flink::yarn {

YarnResourceManager::YarnResourceManager(sim::Simulation& sim, YarnDeployment deployment, sim::ProcessId application_master,
                                         std::vector<sim::ProcessId> taskmanagers)
    : sim_(sim),
      deployment_(std::move(deployment)),
      am_(application_master),
      taskmanagers_(std::move(taskmanagers)),
      ledger_(deployment_.rules),
      rng_(sim.rng_stream("yarn-rm/" + deployment_.cluster)) {
  SIM_ASSERT(am_ != sim::kNoProcess);
  SIM_ASSERT(deployment_.am_launch_delay >= sim::Duration{});
  SIM_ASSERT(deployment_.tm_restart_delay > sim::Duration{});
  sim_.on_crash([this](sim::ProcessId process) { on_crash(process); });
}

void YarnResourceManager::start() {
  record("am-attempt-started", {{"attempt", std::int64_t{ledger_.attempt()}},
                                {"max_attempts", std::int64_t{ledger_.rules().max_attempts}},
                                {"keep_containers", std::int64_t{ledger_.rules().keep_containers}},
                                {"validity_interval_ms", ledger_.rules().validity_interval ? ledger_.rules().validity_interval->to_ms() : std::int64_t{-1}}});
}

bool YarnResourceManager::am_running() const {
  return !ledger_.failed() && !am_exit_pending_ && sim_.process_state(am_) != sim::ProcessState::kDown;
}

bool YarnResourceManager::kill_am_container() {
  if (!am_running()) return false;
  next_exit_ = AmExit::kKilled;
  sim_.crash(am_);
  return true;
}

bool YarnResourceManager::lose_am_node() {
  if (!am_running()) return false;
  next_exit_ = AmExit::kAborted;
  sim_.crash(am_);
  return true;
}

void YarnResourceManager::on_crash(sim::ProcessId process) {
  if (process == am_) {
    // A crash without a named cause (kill-jobmanager) is a killed process: a failure that counts.
    const AmExit exit = next_exit_.value_or(AmExit::kKilled);
    next_exit_.reset();
    if (ledger_.failed()) return;  // the RM itself killed it with the application
    am_container_ended(exit, sim_.incarnation(am_));
    return;
  }
  if (std::find(taskmanagers_.begin(), taskmanagers_.end(), process) != taskmanagers_.end()) taskmanager_lost(process);
}

void YarnResourceManager::am_container_ended(AmExit exit, std::uint32_t incarnation) {
  SIM_ASSERT(!am_exit_pending_);
  am_exit_pending_ = true;
  // A killed process is reported in the NodeManager's next heartbeat; a lost node's containers
  // only when the RM declares the node lost (NMLivelinessMonitor).
  const sim::Duration delay = exit == AmExit::kAborted
                                  ? deployment_.site.nm_expiry_interval
                                  : rng_.duration_between(sim::milliseconds(1), deployment_.site.nm_heartbeat_interval);
  record("am-container-ended", {{"attempt", std::int64_t{ledger_.attempt()}},
                                {"exit_status", static_cast<std::int64_t>(exit)},
                                {"incarnation", std::int64_t{incarnation}}});
  sim_.after(delay, [this, exit] {
    if (!available_) {
      learned_while_unavailable_.push_back(exit);
      return;
    }
    learn_am_exit(exit);
  });
}

void YarnResourceManager::learn_am_exit(AmExit exit) {
  SIM_ASSERT(am_exit_pending_ && available_);
  const AttemptVerdict verdict = ledger_.attempt_failed(sim_.now(), exit);
  record("am-attempt-failed", {{"attempt", std::int64_t{verdict.attempt}},
                               {"exit_status", static_cast<std::int64_t>(exit)},
                               {"counted", std::int64_t{verdict.counted}},
                               {"failures_counted", std::int64_t{verdict.failures_counted}},
                               {"max_attempts", std::int64_t{ledger_.rules().max_attempts}}});
  am_exit_pending_ = false;
  if (!verdict.restart) {
    record("application-failed", {{"attempts", std::int64_t{verdict.attempt}},
                                   {"failures_counted", std::int64_t{verdict.failures_counted}},
                                   {"max_attempts", std::int64_t{ledger_.rules().max_attempts}}});
    kill_taskmanagers("application failed");
    return;
  }
  // Without kept containers the RM ends every container of the failed attempt (YARN 2.3, or no HA).
  if (!ledger_.rules().keep_containers) kill_taskmanagers("attempt failed, containers not kept");
  sim_.after(deployment_.am_launch_delay, [this] { launch_attempt(); });
}

void YarnResourceManager::launch_attempt() {
  if (ledger_.failed()) return;
  if (!available_) {
    launch_when_available_ = true;
    return;
  }
  // Only the RM starts the AM in YARN mode (the harness refuses restart-jobmanager and kills that
  // come back by themselves), so the container is still down.
  SIM_ASSERT(sim_.process_state(am_) == sim::ProcessState::kDown);
  ledger_.next_attempt();
  record("am-attempt-started", {{"attempt", std::int64_t{ledger_.attempt()}},
                                {"max_attempts", std::int64_t{ledger_.rules().max_attempts}},
                                {"keep_containers", std::int64_t{ledger_.rules().keep_containers}},
                                {"validity_interval_ms", ledger_.rules().validity_interval ? ledger_.rules().validity_interval->to_ms() : std::int64_t{-1}}});
  sim_.restart(am_);
  start_waiting_taskmanagers();
}

void YarnResourceManager::taskmanager_lost(sim::ProcessId tm) {
  if (ledger_.failed()) return;
  waiting_taskmanagers_.insert(tm);
  if (am_running()) start_waiting_taskmanagers();
}

void YarnResourceManager::start_waiting_taskmanagers() {
  const std::set<sim::ProcessId> waiting = std::move(waiting_taskmanagers_);
  waiting_taskmanagers_.clear();
  for (const sim::ProcessId tm : waiting) {
    const std::uint32_t lost_incarnation = sim_.incarnation(tm);
    sim_.after(deployment_.tm_restart_delay, [this, tm, lost_incarnation] {
      if (ledger_.failed() || sim_.process_state(tm) != sim::ProcessState::kDown || sim_.incarnation(tm) != lost_incarnation) return;
      // The AM's Flink ResourceManager asks for the container; the RM must be there to grant it,
      // and the AM that asked must still run.
      if (!available_ || !am_running()) {
        waiting_taskmanagers_.insert(tm);
        return;
      }
      request_taskmanager(tm);
    });
  }
}

void YarnResourceManager::request_taskmanager(sim::ProcessId tm) {
  record("tm-container-started", {{"tm", sim_.process_name(tm)}, {"attempt", std::int64_t{ledger_.attempt()}}});
  sim_.restart(tm);
}

void YarnResourceManager::kill_taskmanagers(const char* why) {
  std::int64_t killed = 0;
  for (const sim::ProcessId tm : taskmanagers_) {
    if (sim_.process_state(tm) != sim::ProcessState::kDown) killed++;
  }
  record("containers-killed", {{"attempt", std::int64_t{ledger_.attempt()}}, {"taskmanagers", killed}, {"reason", std::string(why)}});
  for (const sim::ProcessId tm : taskmanagers_) {
    if (sim_.process_state(tm) != sim::ProcessState::kDown) sim_.crash(tm);
  }
}

void YarnResourceManager::become_unavailable() {
  if (!available_) return;
  available_ = false;
  record("rm-unavailable");
}

void YarnResourceManager::become_available() {
  if (available_) return;
  available_ = true;
  record("rm-available");
  // The new active RM recovers the application and hears of the exits it missed (the RM state
  // store and the NodeManagers' resync); the finish time it records is when it learns.
  const std::vector<AmExit> missed = std::move(learned_while_unavailable_);
  learned_while_unavailable_.clear();
  for (const AmExit exit : missed) learn_am_exit(exit);
  if (launch_when_available_) {
    launch_when_available_ = false;
    sim_.after(deployment_.am_launch_delay, [this] { launch_attempt(); });
  }
  if (am_running()) start_waiting_taskmanagers();
}

void YarnResourceManager::record(const std::string& name, std::vector<sim::TraceField> fields) {
  fields.insert(fields.begin(), {"cluster", deployment_.cluster});
  sim_.record("yarn", name, am_, std::move(fields));
}

}  // namespace model::flink::yarn
