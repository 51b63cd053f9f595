#include "model/flink/job_manager_runner.hpp"

#include "sim/assert.hpp"

namespace model::flink {

JobManagerRunner::JobManagerRunner(const JobMasterEnvironment& env, LeaderElection& election, std::string job,
                                   ExitListener on_exit)
    : env_(env), election_(election), job_(std::move(job)), on_exit_(std::move(on_exit)) {}

void JobManagerRunner::start() {
  sim::Simulation* sim = env_.sim;
  box_ = sim->mailbox_open(env_.self, 1024);
  const sim::MailboxId box = box_;
  sim->spawn(env_.self, "runner-" + job_, [this] { run(); });
  election_.add_contender(LeaderContender{
      component(),
      [sim, box](const std::string& session) { sim->mailbox_post(box, sim::Mail{kGrant, 0, std::make_shared<Session>(session)}); },
      [sim, box] { sim->mailbox_post(box, sim::Mail{kRevoke, 0, nullptr}); }});
}

void JobManagerRunner::post(const RpcMessage& message) {
  if (current_ && message.session_id == current_->session_id()) current_->post(message);
  // FLINK-11400: the stopping term still takes its TaskManagers' acknowledgements.
  for (auto& old : retired_) {
    if (!old->exited() && message.session_id == old->session_id()) old->post(message);
  }
}

void JobManagerRunner::cancel() {
  if (current_) current_->request_cancel();
}

// Flink's closeAsync marks the runner stopped at once (JobMasterServiceLeadershipRunner.state),
// so grants still queued behind it are ignored instead of starting a JobMaster that is then closed.
void JobManagerRunner::close() {
  closing_ = true;
  election_.remove_contender(component());
  env_.sim->mailbox_post(box_, sim::Mail{kClose, 0, nullptr});
}

void JobManagerRunner::run() {
  for (;;) {
    const auto mail = env_.sim->receive(box_);
    switch (mail->tag) {
      case kGrant: on_grant(sim::payload_as<Session>(*mail)->id); break;
      case kRevoke: stop_current(env_.cluster->mutant != Mutant::kFlink11400); break;
      case kExited: {
        const auto* exit = sim::payload_as<Exit>(*mail);
        on_exit_(exit->outcome, exit->session_id);
        break;
      }
      case kClose:
        stop_current(true);
        closed_ = true;
        return;
    }
    std::erase_if(retired_, [](const std::unique_ptr<JobMaster>& old) { return old->exited(); });
  }
}

// JobMasterServiceLeadershipRunner.grantLeadership runs only while the runner runs and, in its
// sequential operation, only if the grant is still valid (runIfValidLeader: hasLeadership(session)):
// a grant that a revoke or a newer grant overtook while it waited starts no JobMaster.
void JobManagerRunner::on_grant(const std::string& session_id) {
  if (closing_ || !election_.has_leadership() || election_.issued_session() != session_id) return;
  stop_current(env_.cluster->mutant != Mutant::kFlink11400);
  const sim::MailboxId box = box_;
  sim::Simulation* sim = env_.sim;
  current_ = std::make_unique<JobMaster>(env_, job_, session_id, [sim, box, session_id](JobOutcome outcome) {
    sim->mailbox_post(box, sim::Mail{kExited, 0, std::make_shared<Exit>(outcome, session_id)});
  });
  current_->start();
  election_.confirm(component(), session_id, env_.address);
}

// Waiting covers every retired JobMaster, not only the current one: the runner must not be
// destroyed (after kClose) while any of their fibers still runs.
void JobManagerRunner::stop_current(bool wait) {
  if (current_) {
    if (!current_->exited()) current_->request_stop();
    retired_.push_back(std::move(current_));
  }
  if (wait) wait_for_exit();
}

// Handles the retired JobMasters' exits while waiting; grants and revokes wait their turn.
void JobManagerRunner::wait_for_exit() {
  std::vector<sim::Mail> deferred;
  auto all_exited = [this] {
    for (const auto& old : retired_) {
      if (!old->exited()) return false;
    }
    return true;
  };
  while (!all_exited()) {
    auto mail = env_.sim->receive(box_);
    if (mail->tag == kExited) {
      const auto* exit = sim::payload_as<Exit>(*mail);
      on_exit_(exit->outcome, exit->session_id);
    } else {
      deferred.push_back(std::move(*mail));
    }
  }
  for (auto& mail : deferred) env_.sim->mailbox_post(box_, std::move(mail));
}

}  // namespace model::flink
