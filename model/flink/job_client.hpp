#pragma once
// The job client (flink run / the REST client): finds the Dispatcher through leader retrieval and
// submits each job at its time, retrying until the Dispatcher acknowledges it, then cancels those
// scheduled for cancellation, likewise. Actions run one after another in time order.
#include <memory>
#include <string>

#include "model/flink/task_manager.hpp"

namespace model::flink {

class JobClient {
 public:
  JobClient(const TaskManagerEnvironment& env, sim::ProcessId self, std::string address);
  JobClient(const JobClient&) = delete;
  JobClient& operator=(const JobClient&) = delete;

  void start();

 private:
  struct Action {
    sim::Instant at;
    std::string job;
    RpcKind kind;
  };
  void run();
  void perform(const Action& action);

  TaskManagerEnvironment env_;
  sim::ProcessId self_;
  std::string address_;
  sim::MailboxId inbox_{};
  std::unique_ptr<curator::CuratorFramework> client_;
  std::unique_ptr<LeaderRetriever> retrieval_;
  LeaderInformation dispatcher_;
  std::int64_t requests_sent_ = 0;  // request ids, so that each answer is matched to its request
};

}  // namespace model::flink
