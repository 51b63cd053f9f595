#pragma once
// Curator 5.4's LeaderLatch: a protected ephemeral-sequential "latch-" node under the latch path;
// the lowest sequence leads, every other node watches its predecessor. SUSPENDED costs leadership
// under the standard error policy only; LOST always. RECONNECTED re-reads the children and keeps
// a node that survived (Curator 2.x instead re-created it, sending the JobManager to the back of
// the queue: `requeue_on_reconnect`). Leadership is local state: nothing asks ZooKeeper before
// is_leader is called. The latch's work runs on its own fiber, one item at a time, as Curator's
// background callbacks run one at a time on its event thread.
//
// `version` picks the Curator release: 5.4 grants on "our node sorts first" alone, so after a
// new session it can lead on a node the old, not yet expired session still owns (CURATOR-696);
// 5.7 first checks that the node's ephemeral owner is the current session and resets otherwise.
#include <functional>
#include <string>

#include "model/curator/curator_framework.hpp"
#include "model/curator/curator_version.hpp"

namespace model::curator {

struct LeaderLatchOptions {
  std::string latch_path;  // e.g. "/flink/default/leader/latch"
  std::string id;          // the participant id stored in the node
  bool requeue_on_reconnect = false;
  CuratorVersion version = CuratorVersion::k5_4;
};

struct LeaderLatchListener {
  std::function<void()> is_leader;
  std::function<void()> not_leader;
};

class LeaderLatch {
 public:
  LeaderLatch(CuratorFramework& client, LeaderLatchOptions options, LeaderLatchListener listener);
  LeaderLatch(const LeaderLatch&) = delete;
  LeaderLatch& operator=(const LeaderLatch&) = delete;

  // Spawns the latch's fiber on the client's process; it joins once connected.
  void start();
  bool has_leadership() const { return has_leadership_; }
  const std::string& our_path() const { return our_path_; }
  // The ZooKeeper session our_path was created in, as the latch knows it from its own create.
  zk::SessionId our_session() const { return our_session_; }

 private:
  enum Work : std::uint32_t { kReset = 1, kGetChildren, kStateChange };

  void run();
  void post(Work work, std::uint64_t argument = 0);
  void reset();
  void get_children();
  void check_leadership(const std::vector<std::string>& children);
  bool owned_by_current_session();
  void on_state(ConnectionState state);
  void set_leadership(bool leading);

  CuratorFramework& client_;
  LeaderLatchOptions options_;
  LeaderLatchListener listener_;
  sim::MailboxId box_;
  bool has_leadership_ = false;
  // start() hands internalStart to AfterConnectionEstablished: nothing is created until the
  // framework's first connection, so a latch started during an outage is not left without a node.
  bool awaiting_connection_ = true;
  std::string our_path_;
  zk::SessionId our_session_ = 0;
};

}  // namespace model::curator
