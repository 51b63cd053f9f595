#pragma once
// The Dispatcher with its leader process (SessionDispatcherLeaderProcess): on grant it recovers
// the job graphs, skipping those with a dirty JobResultStore entry (whose cleanup it resumes), and
// confirms leadership; it takes submissions (addAndLock into the JobGraphStore, then the client is
// acknowledged) and cancellations, fenced by the DispatcherId; when a job ends globally it writes
// the dirty entry, runs the global cleanup and marks the entry clean. On revoke it stops every
// JobManagerRunner and releases its job graph locks (local cleanup), leaving the HA data.
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/flink/job_cleanup.hpp"
#include "model/flink/job_graph_store.hpp"
#include "model/flink/job_manager_runner.hpp"
#include "model/flink/job_result_store.hpp"

namespace model::flink {

class Dispatcher {
 public:
  Dispatcher(const JobMasterEnvironment& env, LeaderElection& election);
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  void start();
  void on_message(const RpcMessage& message);  // from the process's inbox

 private:
  enum Tag : std::uint32_t { kGrant = 1, kRevoke, kRpc, kJobExit, kGraphsChanged };
  struct Event final : sim::Payload {
    std::string session_id;
    std::string job;
    JobOutcome outcome = JobOutcome::kSuspended;
    std::shared_ptr<const RpcMessage> message;
    std::string describe() const override { return job + " " + session_id; }
  };

  void run();
  void on_grant(const std::string& session_id);
  void on_revoke();
  void on_rpc(const RpcMessage& message);
  void on_submit(const RpcMessage& message);
  void on_job_exit(const std::string& job, JobOutcome outcome, const std::string& session_id);
  bool recover_jobs();
  void start_runner(const std::string& job);
  void finish_job(const std::string& job, const std::string& status, const std::string& session);
  void start_cleanup(const std::string& job);
  bool record_dirty(const std::string& job, const std::string& status);
  void run_cleanup(const std::string& job, const std::string& session);
  void lock_added_graphs();
  void recover_added_graphs();
  curator::ChildrenResult watch_job_graphs();
  bool leading() const { return !session_id_.empty(); }
  // The session this Dispatcher acts under is still the one issued: its revoke, which may wait in
  // the mailbox behind a blocking call, has not happened yet.
  bool still_leading() const { return leading() && election_.issued_session() == session_id_; }
  void reply(const RpcMessage& to, RpcKind kind);
  void post(Tag tag, std::shared_ptr<Event> event);
  void trace(const char* name, const std::string& job, std::vector<sim::TraceField> fields = {});
  void trace_as(const char* name, const std::string& job, const std::string& session,
                std::vector<sim::TraceField> fields = {});

  JobMasterEnvironment env_;
  LeaderElection& election_;
  sim::MailboxId box_{};
  std::string lock_owner_;
  std::unique_ptr<JobGraphs> job_graphs_;
  std::unique_ptr<JobResults> results_;
  std::string session_id_;  // "" while not leading
  std::map<std::string, std::unique_ptr<JobManagerRunner>> runners_;
  std::vector<std::unique_ptr<JobManagerRunner>> closing_;  // kept alive until their fiber ends
  std::set<std::string> standby_locked_;                    // FLINK-10255
  std::set<std::string> finishing_;  // jobs whose result is being written or cleaned up here: still registered
  // finish/cleanup fibers still running, of any term: a job's termination future in Flink, which
  // the Dispatcher's stop (hence the next leader process in this JVM) waits for.
  int termination_fibers_ = 0;
};

}  // namespace model::flink
