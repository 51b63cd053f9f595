#pragma once
// JobMasterServiceLeadershipRunner: the leader contender `job-<jobId>` of one job. Grant and revoke
// are handled one at a time on its own fiber: a grant starts a JobMaster only after the previous
// one in this process has fully stopped, then confirms leadership. FLINK-11400 is the bug where
// they were not serialized, so a new JobMaster started while the old one was still running.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "model/flink/job_master.hpp"
#include "model/flink/leader_election.hpp"

namespace model::flink {

class JobManagerRunner {
 public:
  // Called on the runner's fiber when a JobMaster ends; `session_id` is the term's.
  using ExitListener = std::function<void(JobOutcome, const std::string& session_id)>;
  JobManagerRunner(const JobMasterEnvironment& env, LeaderElection& election, std::string job,
                   ExitListener on_exit);
  JobManagerRunner(const JobManagerRunner&) = delete;
  JobManagerRunner& operator=(const JobManagerRunner&) = delete;

  void start();
  void post(const RpcMessage& message);  // to the current JobMaster
  void cancel();
  // Stops the current JobMaster (suspend) and leaves the election; the runner is done after.
  void close();
  // The owning Dispatcher lost leadership and will close this runner: ignore grants from now on.
  void mark_closing() { closing_ = true; }
  bool closed() const { return closed_; }
  const std::string& job() const { return job_; }

 private:
  enum Tag : std::uint32_t { kGrant = 1, kRevoke, kExited, kClose };
  struct Exit final : sim::Payload {
    Exit(JobOutcome o, std::string s) : outcome(o), session_id(std::move(s)) {}
    std::string describe() const override { return std::string(to_string(outcome)); }
    JobOutcome outcome;
    std::string session_id;
  };
  struct Session final : sim::Payload {
    explicit Session(std::string s) : id(std::move(s)) {}
    std::string describe() const override { return id; }
    std::string id;
  };

  void run();
  void on_grant(const std::string& session_id);
  void stop_current(bool wait);
  void wait_for_exit();
  std::string component() const { return "job-" + job_; }

  JobMasterEnvironment env_;
  LeaderElection& election_;
  std::string job_;
  ExitListener on_exit_;
  sim::MailboxId box_{};
  std::unique_ptr<JobMaster> current_;
  std::vector<std::unique_ptr<JobMaster>> retired_;  // stopping; kept alive until their fiber ends
  bool closed_ = false;
  bool closing_ = false;  // close() was called: grants still queued are ignored
};

}  // namespace model::flink
