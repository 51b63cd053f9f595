#pragma once
// Leader retrieval over ZooKeeper (ZooKeeperLeaderRetrievalDriver + DefaultLeaderRetrievalService):
// watch connection_info and tell the listener when the (session id, address) pair changes; empty
// data means no leader. SUSPENDED reports "no leader" unless tolerate-suspended-connections is on;
// LOST always does; CONNECTED (TreeCache root.wasCreated) and RECONNECTED re-read the node (the
// latter is the FLINK-19557 fix), which also repairs a read that failed while ZooKeeper was down. With the FLINK-19557
// mutant on, RECONNECTED does nothing, so after a blip with the data unchanged the listener stays
// at "no leader": nothing fires a watch because nothing changed.
#include <functional>
#include <string>

#include "model/curator/curator_framework.hpp"
#include "model/flink/leader_information.hpp"

namespace model::flink {

struct LeaderRetrievalOptions {
  std::string path;  // <ns>/leader/<component>/connection_info
  bool tolerate_suspended_connections = false;
  bool mutant_flink_19557 = false;
  std::vector<sim::TraceField> trace_tags;  // added to every trace event: the cluster
};

using LeaderListener = std::function<void(const LeaderInformation&)>;

// What a TaskManager or the job client sees of leader retrieval: the ZooKeeper driver below, or the
// fixed address of high-availability.type none (standalone_ha.hpp).
class LeaderRetriever {
 public:
  virtual ~LeaderRetriever() = default;
  virtual void start() = 0;
  virtual const LeaderInformation& last_notified() const = 0;
};

class LeaderRetrieval final : public LeaderRetriever {
 public:
  using Listener = LeaderListener;
  LeaderRetrieval(curator::CuratorFramework& client, LeaderRetrievalOptions options, Listener listener);
  LeaderRetrieval(const LeaderRetrieval&) = delete;
  LeaderRetrieval& operator=(const LeaderRetrieval&) = delete;

  void start() override;
  const LeaderInformation& last_notified() const override { return last_; }

 private:
  enum Event : std::uint32_t { kRead = 1, kState };
  void run();
  void read_and_watch();
  void notify(const LeaderInformation& info);

  curator::CuratorFramework& client_;
  LeaderRetrievalOptions options_;
  Listener listener_;
  sim::MailboxId box_;
  LeaderInformation last_;
};

}  // namespace model::flink
