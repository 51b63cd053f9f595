#include "model/flink/dispatcher.hpp"

#include <algorithm>

#include "model/flink/standalone_ha.hpp"
#include "sim/assert.hpp"
#include "model/probes.hpp"

namespace model::flink {
namespace {

constexpr sim::Duration kRecoveryRetryDelay = sim::seconds(1);
constexpr sim::Duration kCleanupRetryDelay = sim::seconds(2);
constexpr sim::Duration kRunnerClosePoll = sim::milliseconds(5);

bool routed_to_job(RpcKind kind) {
  return kind == RpcKind::kTasksDeployed || kind == RpcKind::kAcknowledgeCheckpoint || kind == RpcKind::kTasksFinished ||
         kind == RpcKind::kTasksFailed || kind == RpcKind::kHeartbeatReply || kind == RpcKind::kDeployRejected ||
         kind == RpcKind::kTasksReleased || kind == RpcKind::kTriggerAcked || kind == RpcKind::kTriggerFailed;
}

}  // namespace

Dispatcher::Dispatcher(const JobMasterEnvironment& env, LeaderElection& election)
    : env_(env), election_(election) {
  lock_owner_ = env_.address + "-dispatcher-" + std::to_string(env_.sim->incarnation(env_.self));
}

void Dispatcher::trace(const char* name, const std::string& job, std::vector<sim::TraceField> fields) {
  trace_as(name, job, session_id_, std::move(fields));
}

void Dispatcher::trace_as(const char* name, const std::string& job, const std::string& session,
                          std::vector<sim::TraceField> fields) {
  std::vector<sim::TraceField> all = {{"cluster", env_.cluster->name}, {"job", job}, {"session_id", session}};
  all.insert(all.end(), fields.begin(), fields.end());
  env_.sim->record("flink", name, env_.self, std::move(all));
}

void Dispatcher::post(Tag tag, std::shared_ptr<Event> event) {
  env_.sim->mailbox_post(box_, sim::Mail{tag, 0, std::move(event)});
}

void Dispatcher::start() {
  const FlinkConfig& config = env_.cluster->config;
  box_ = env_.sim->mailbox_open(env_.self, 4096);
  if (standalone_ha(*env_.cluster)) {
    job_graphs_ = std::make_unique<StandaloneJobGraphStore>();
    results_ = std::make_unique<EmbeddedJobResultStore>();
  } else {
    job_graphs_ = std::make_unique<JobGraphStore>(*env_.client, *env_.storage, config.zookeeper_namespace(),
                                                  config.storage_dir, config.cluster_id, lock_owner_,
                                                  env_.cluster->mutant,
                                                  std::vector<sim::TraceField>{{"cluster", env_.cluster->name}});
    results_ = std::make_unique<JobResultStore>(*env_.storage, config.storage_dir, config.cluster_id);
  }
  env_.sim->spawn(env_.self, "dispatcher", [this] { run(); });
  election_.add_contender(LeaderContender{"dispatcher",
                                          [this](const std::string& session) {
                                            auto event = std::make_shared<Event>();
                                            event->session_id = session;
                                            post(kGrant, std::move(event));
                                          },
                                          [this] {
                                            // Flink closes the DispatcherLeaderProcess on the revoke itself
                                            // (DefaultDispatcherRunner.revokeLeadership), and each runner's
                                            // closeAsync marks it stopped at once; this Dispatcher's fiber may be
                                            // blocked in a store call, so mark the runners here, before a later
                                            // grant can reach them.
                                            for (auto& [job, runner] : runners_) runner->mark_closing();
                                            post(kRevoke, std::make_shared<Event>());
                                          }});
  if (env_.cluster->mutant == Mutant::kFlink10255 && !standalone_ha(*env_.cluster)) post(kGraphsChanged, std::make_shared<Event>());
}

void Dispatcher::on_message(const RpcMessage& message) {
  if (routed_to_job(message.kind)) {
    // Straight to the job's runner: a Dispatcher busy recovering must not delay a JobMaster.
    auto found = runners_.find(message.job);
    if (found != runners_.end()) found->second->post(message);
    return;
  }
  auto event = std::make_shared<Event>();
  event->message = std::make_shared<const RpcMessage>(message);
  post(kRpc, std::move(event));
}

void Dispatcher::run() {
  for (;;) {
    const auto mail = env_.sim->receive(box_);
    const auto* event = sim::payload_as<Event>(*mail);
    switch (mail->tag) {
      case kGrant: on_grant(event->session_id); break;
      case kRevoke: on_revoke(); break;
      case kRpc: on_rpc(*event->message); break;
      case kJobExit: on_job_exit(event->job, event->outcome, event->session_id); break;
      case kGraphsChanged:
        if (env_.cluster->mutant == Mutant::kFlink10255) {
          lock_added_graphs();
        } else {
          recover_added_graphs();
        }
        break;
    }
    std::erase_if(closing_, [](const std::unique_ptr<JobManagerRunner>& runner) { return runner->closed(); });
  }
}

void Dispatcher::on_grant(const std::string& session_id) {
  session_id_ = session_id;
  // DefaultDispatcherRunner starts the new DispatcherLeaderProcess only once the previous one has
  // terminated, and Dispatcher.onStop waits for every job's termination future: the dirty
  // JobResultStore write and the cleanup after it. So a term regained in this JVM lists the store
  // only after the previous term's in-flight entry has landed. (Each such fiber ends at its next
  // leadership check; the wait is bounded by its store call.)
  while (election_.issued_session() == session_id && termination_fibers_ > 0) env_.sim->sleep(kRunnerClosePoll);
  while (election_.issued_session() == session_id && !recover_jobs()) env_.sim->sleep(kRecoveryRetryDelay);
  election_.confirm("dispatcher", session_id, env_.address);
  if (env_.cluster->mutant != Mutant::kFlink10255 && !standalone_ha(*env_.cluster)) recover_added_graphs();
}

// The job graph ids, with a one-shot watch that posts kGraphsChanged on the next change (the
// JobGraphStore's watcher).
curator::ChildrenResult Dispatcher::watch_job_graphs() {
  sim::Simulation* sim = env_.sim;
  const sim::MailboxId box = box_;
  return env_.client->get_children(env_.cluster->config.zookeeper_namespace() + "/execution-plans",
                                   [sim, box](model::zk::EventType, const std::string&) {
                                     sim->mailbox_post(box, sim::Mail{kGraphsChanged, 0, std::make_shared<Event>()});
                                   });
}

// SessionDispatcherLeaderProcess.onAddedJobGraph: a job graph that another process added while
// this one leads (the JobGraphStore's watcher; under a double leader, the other one's submission)
// is recovered and run here, unless this Dispatcher already has the job (Dispatcher.isDuplicateJob:
// a registered runner, including one whose result is still being written or cleaned up, or a
// JobResultStore entry). Each call lists the graphs again and sets the next one-shot watch.
void Dispatcher::recover_added_graphs() {
  if (!still_leading()) return;  // the next grant lists again
  const auto children = watch_job_graphs();
  const sim::FsList dirty = children.code == model::zk::Code::Ok ? results_->dirty_job_ids() : sim::FsList{};
  const bool listed = children.code == model::zk::Code::Ok &&
                      (dirty.status == sim::FsStatus::kOk || dirty.status == sim::FsStatus::kNotFound);
  if (!listed) {
    env_.sim->after(kRecoveryRetryDelay, [this] { post(kGraphsChanged, std::make_shared<Event>()); }, env_.self);
    return;
  }
  for (const std::string& job : children.children) {
    const bool known = runners_.count(job) != 0 || finishing_.count(job) != 0 ||
                       std::find(dirty.names.begin(), dirty.names.end(), job) != dirty.names.end();
    if (known || !still_leading()) continue;
    if (job_graphs_->recover(job).outcome != ReadOutcome::kRead || !still_leading() || runners_.count(job) != 0) continue;
    trace("job-recovered", job);
    start_runner(job);
  }
}

// Job graphs with a dirty JobResultStore entry only get their cleanup finished; the rest run.
bool Dispatcher::recover_jobs() {
  const auto ids = job_graphs_->job_ids();
  if (!ids) return false;
  std::vector<std::string> dirty;
  if (!legacy_job_lifecycle(env_.cluster->mutant)) {
    const sim::FsList listing = results_->dirty_job_ids();
    if (listing.status != sim::FsStatus::kOk && listing.status != sim::FsStatus::kNotFound) return false;
    dirty = listing.names;
  }
  for (const std::string& job : dirty) {
    model::probe(*env_.sim, model::Probe::kFlinkJobCleanupResumed);
    trace("job-cleanup-resumed", job);
    start_cleanup(job);
  }
  std::vector<std::string> recovered;
  for (const std::string& job : *ids) {
    if (runners_.count(job) != 0 || std::find(dirty.begin(), dirty.end(), job) != dirty.end()) continue;
    const StateRead read = job_graphs_->recover(job);
    if (read.outcome == ReadOutcome::kNoPointer) continue;
    if (read.outcome != ReadOutcome::kRead) return false;
    recovered.push_back(job);
  }
  // SessionDispatcherLeaderProcess creates the Dispatcher with the recovered jobs only while the
  // leader process still runs (createDispatcherIfRunning): a recovery that a revoke overtook
  // starts nothing, and its runners must not pick up the next session's grant.
  for (const std::string& job : recovered) {
    if (!still_leading()) break;  // start_runner may wait for a closing runner
    model::probe(*env_.sim, model::Probe::kFlinkJobRecoveredOnGrant);
    trace("job-recovered", job);
    start_runner(job);
  }
  return true;
}

void Dispatcher::on_revoke() {
  if (session_id_.empty()) return;
  session_id_.clear();
  finishing_.clear();  // a new leadership is a new Dispatcher with an empty runner registry
  for (auto& [job, runner] : runners_) {
    runner->close();
    closing_.push_back(std::move(runner));
  }
  runners_.clear();
  // FLINK-10011: the deposed Dispatcher kept its job graph locks.
  if (env_.cluster->mutant != Mutant::kFlink10011) job_graphs_->release_all();
}

void Dispatcher::reply(const RpcMessage& to, RpcKind kind) {
  env_.rpc->send(env_.self, to.from,
                 rpc_message(kind, env_.address, session_id_, to.job, 0, static_cast<std::int64_t>(to.kind), to.attempt));
}

void Dispatcher::on_rpc(const RpcMessage& message) {
  if (message.kind == RpcKind::kSubmitJob) return on_submit(message);
  if (message.kind != RpcKind::kCancelJob) return;
  auto found = runners_.find(message.job);
  if (!leading() || message.session_id != session_id_ || found == runners_.end()) return reply(message, RpcKind::kJobRejected);
  found->second->cancel();
  reply(message, RpcKind::kJobAcked);
}

void Dispatcher::on_submit(const RpcMessage& message) {
  if (!leading() || message.session_id != session_id_) return reply(message, RpcKind::kJobRejected);
  // Dispatcher.isDuplicateJob: a job still registered here, including one whose result is being
  // written or cleaned up, is a duplicate (a retried submission), never run a second time.
  if (runners_.count(message.job) != 0 || finishing_.count(message.job) != 0) return reply(message, RpcKind::kJobAcked);
  if (job_graphs_->put(message.job, "job graph of " + message.job) != AddOutcome::kAdded) {
    return reply(message, RpcKind::kJobRejected);
  }
  trace("job-submit-acked", message.job);
  reply(message, RpcKind::kJobAcked);
  start_runner(message.job);
}

// A job's new runner starts only once its previous runner in this process has closed (its last
// JobMaster fully stopped), so that term's in-flight store writes land before the new term
// confirms. The wait is bounded by that JobMaster's blocking calls, each bounded by its retries.
void Dispatcher::start_runner(const std::string& job) {
  SIM_ASSERT(runners_.count(job) == 0);
  auto closing = [&] {
    return std::any_of(closing_.begin(), closing_.end(), [&](const std::unique_ptr<JobManagerRunner>& runner) {
      return runner->job() == job && !runner->closed();
    });
  };
  // FLINK-11400: no such ordering.
  while (env_.cluster->mutant != Mutant::kFlink11400 && closing()) env_.sim->sleep(kRunnerClosePoll);
  if (!still_leading()) return;  // revoked while waiting: the job graph stays for the next leader
  auto runner = std::make_unique<JobManagerRunner>(
      env_, election_, job, [this, job](JobOutcome outcome, const std::string& session_id) {
        auto event = std::make_shared<Event>();
        event->job = job;
        event->outcome = outcome;
        event->session_id = session_id;
        post(kJobExit, std::move(event));
      });
  runner->start();
  runners_[job] = std::move(runner);
}

void Dispatcher::on_job_exit(const std::string& job, JobOutcome outcome, const std::string& session_id) {
  if (outcome == JobOutcome::kSuspended) return;
  // The result of a term this Dispatcher no longer leads is lost; the next leader runs the job
  // again. FLINK-19154 acted on it anyway, cleaning up a job that was only suspended.
  const bool current = leading() && session_id == session_id_;
  if (!current && env_.cluster->mutant != Mutant::kFlink19154) return;
  auto found = runners_.find(job);
  if (found != runners_.end()) {
    found->second->close();
    closing_.push_back(std::move(found->second));
    runners_.erase(found);
  }
  const std::string session = session_id_;
  const std::string status(to_string(outcome));
  finishing_.insert(job);
  termination_fibers_++;
  env_.sim->spawn(env_.self, "finish-" + job, [this, job, status, session] {
    finish_job(job, status, session);
    termination_fibers_--;
  });
}

// Flink writes the dirty JobResultStore entry and then runs the global cleanup asynchronously
// (ioExecutor, retried with back-off), off the Dispatcher's main thread: a slow or failing cleanup
// of one job delays neither the other jobs nor the Dispatcher's leadership. Hence a fiber each.
void Dispatcher::finish_job(const std::string& job, const std::string& status, const std::string& session) {
  if (!legacy_job_lifecycle(env_.cluster->mutant)) {
    while (!record_dirty(job, status)) {
      if (election_.issued_session() != session && env_.cluster->mutant != Mutant::kFlink19154) return;
      env_.sim->sleep(kCleanupRetryDelay);
    }
  }
  trace_as("job-terminal", job, session, {{"status", status}});
  // The rest of Dispatcher.jobReachedTerminalState runs on the main thread, which a revoke has
  // stopped: a deposed Dispatcher whose entry landed late leaves the cleanup to the next leader
  // (it finds the dirty entry).
  if (election_.issued_session() != session && env_.cluster->mutant != Mutant::kFlink19154) return;
  run_cleanup(job, session);
}

void Dispatcher::start_cleanup(const std::string& job) {
  const std::string session = session_id_;
  finishing_.insert(job);
  termination_fibers_++;
  env_.sim->spawn(env_.self, "cleanup-" + job, [this, job, session] {
    run_cleanup(job, session);
    termination_fibers_--;
  });
}

bool Dispatcher::record_dirty(const std::string& job, const std::string& status) {
  const sim::FsStatus written = results_->create_dirty(job, status);
  return written == sim::FsStatus::kOk || written == sim::FsStatus::kAlreadyExists;
}

// Retried until done while this Dispatcher leads; a new leader resumes it from the dirty entry.
void Dispatcher::run_cleanup(const std::string& job, const std::string& session) {
  const JobCleanupContext context{env_.client, env_.storage, env_.cluster, job_graphs_.get(), lock_owner_,
                                  {{"cluster", env_.cluster->name}, {"session_id", session}}};
  const bool keep_going_unled = env_.cluster->mutant == Mutant::kFlink19154;
  // Without HA services there is nothing in ZooKeeper: the in-memory job graph store's cleanup.
  auto attempt = [&] { return standalone_ha(*env_.cluster) ? job_graphs_->global_cleanup(job) : clean_up_job(context, job); };
  for (;;) {
    if (election_.issued_session() != session && !keep_going_unled) return;  // before every attempt
    if (attempt()) break;
    env_.sim->sleep(kCleanupRetryDelay);
  }
  if (!legacy_job_lifecycle(env_.cluster->mutant)) {
    for (;;) {
      const sim::FsStatus marked = results_->mark_clean(job);
      if (marked == sim::FsStatus::kOk || marked == sim::FsStatus::kNotFound) break;
      if (election_.issued_session() != session && !keep_going_unled) return;
      env_.sim->sleep(kCleanupRetryDelay);
    }
  }
  trace_as("job-cleanup-done", job, session);
}

// FLINK-10255: a standby Dispatcher reacted to "job graph added" by recovering, hence locking, it.
void Dispatcher::lock_added_graphs() {
  const auto children = watch_job_graphs();
  if (children.code != model::zk::Code::Ok) {
    env_.sim->after(kRecoveryRetryDelay, [this] { post(kGraphsChanged, std::make_shared<Event>()); }, env_.self);
    return;
  }
  if (leading()) return;
  for (const std::string& job : children.children) {
    if (standby_locked_.count(job) != 0) continue;
    if (job_graphs_->recover(job).outcome == ReadOutcome::kRead) standby_locked_.insert(job);
  }
}

}  // namespace model::flink
