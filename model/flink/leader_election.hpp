#pragma once
// One JobManager's leader election (DefaultLeaderElectionService over the ZooKeeper driver,
// Flink 1.15+): one LeaderLatch for all of the process's components; on isLeader a fresh leader
// session id is issued and every contender is granted it, on notLeader every contender is revoked
// and the issued id cleared, one event at a time on the service's own fiber. A contender's
// confirmation is accepted only while the local latch flag says leader and the id matches the
// issued one; accepting it publishes connection_info. Nothing here asks ZooKeeper whether the
// flag is still true: that gap is what the checkers watch.
// Flink >= 1.18 also watches what it published (ZooKeeperLeaderElectionDriver's TreeCache on the
// connection_info nodes, handled only while the latch says leader): when a confirmed component's
// connection_info differs from what it confirmed, or is gone, DefaultLeaderElectionService
// .notifyLeaderInformationChangeInternal publishes its own again ("Correcting leader
// information"). Two JobManagers that both believe they lead (CURATOR-696) therefore keep
// overwriting each other's connection_info until one loses its latch, as real Flink does.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/curator/leader_latch.hpp"
#include "model/flink/leader_information.hpp"

namespace model::flink {

struct LeaderContender {
  std::string component;  // "dispatcher", "resource_manager", "rest_server", "job-<id>"
  std::function<void(const std::string& session_id)> grant;
  std::function<void()> revoke;
};

// What probes (model/probes.hpp) may look at beyond this JobManager: the cluster's other
// JobManagers and the ZooKeeper quorum. Observation only; no decision of the model reads it.
struct LeadershipObserver {
  // Another JobManager of the cluster is paused while it believes it leads.
  std::function<bool(sim::ProcessId self)> other_leader_paused;
  // The quorum's serving leader no longer lists this ZooKeeper session: it was closed (expired).
  std::function<bool(model::zk::SessionId session)> session_closed;
};

struct LeaderElectionOptions {
  std::string zk_namespace;  // "/flink/default"
  std::string participant;   // the JobManager's name
  bool requeue_on_reconnect = false;  // Curator 2.x latch behaviour
  std::vector<sim::TraceField> trace_tags;  // added to every trace event: the cluster
  curator::CuratorVersion curator_version = curator::CuratorVersion::k5_4;
  const LeadershipObserver* observer = nullptr;  // for probes only; may be null
};

// What a JobManager's components see of leader election (Flink's LeaderElectionService): the
// ZooKeeper-backed service below, or the standalone one of high-availability.type none
// (standalone_ha.hpp). Chosen once, when the JobManager process boots.
class LeaderElection {
 public:
  virtual ~LeaderElection() = default;
  virtual void add_contender(LeaderContender contender) = 0;
  virtual void remove_contender(const std::string& component) = 0;
  virtual void start() = 0;
  virtual bool confirm(const std::string& component, const std::string& session_id, const std::string& address) = 0;
  virtual bool has_leadership() const = 0;
  virtual const std::optional<std::string>& issued_session() const = 0;
};

class LeaderElectionService final : public LeaderElection {
 public:
  LeaderElectionService(curator::CuratorFramework& client, LeaderElectionOptions options);
  LeaderElectionService(const LeaderElectionService&) = delete;
  LeaderElectionService& operator=(const LeaderElectionService&) = delete;

  // A contender added while leading is granted the current session at once (a JobManagerRunner
  // created by a leading Dispatcher).
  void add_contender(LeaderContender contender) override;
  void remove_contender(const std::string& component) override;
  void start() override;
  // From the contender's fiber. True when accepted and connection_info written.
  bool confirm(const std::string& component, const std::string& session_id, const std::string& address) override;
  bool has_leadership() const override { return latch_ && latch_->has_leadership(); }
  const std::optional<std::string>& issued_session() const override { return issued_; }
  const curator::LeaderLatch* latch() const { return latch_.get(); }

 private:
  enum Event : std::uint32_t { kIsLeader = 1, kNotLeader };
  enum CacheEvent : std::uint32_t { kCheck = 1, kResync };
  void trace(const char* name, std::vector<sim::TraceField> fields);
  void run();
  void run_leader_information_cache();
  void on_is_leader();
  void on_not_leader();
  void probe_grant();
  void probe_revoke();
  std::string new_session_id();
  std::size_t component_index(const std::string& component);
  void post_check(std::size_t index);
  void check_published(std::size_t index, std::uint32_t generation);

  curator::CuratorFramework& client_;
  LeaderElectionOptions options_;
  sim::Prng rng_;
  sim::MailboxId box_;
  std::vector<LeaderContender> contenders_;
  std::unique_ptr<curator::LeaderLatch> latch_;
  std::optional<std::string> issued_;
  model::zk::SessionId granted_zk_session_ = 0;  // the client's session at the grant (probes only)
  // What each component confirmed in this leadership (cleared on revoke), and the watch on its
  // connection_info. Components are few and never forgotten (dispatcher, resource_manager,
  // rest_server, job-<id> per job), so the table is bounded by the cluster's jobs.
  struct Published {
    std::string component;
    std::optional<LeaderInformation> confirmed;
    std::uint32_t watch_generation = 0;  // only the newest watch counts; older ones fire and are ignored
  };
  std::vector<Published> published_;
  sim::MailboxId cache_box_;
};

}  // namespace model::flink
