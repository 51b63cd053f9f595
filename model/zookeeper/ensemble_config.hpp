#pragma once
// A ZooKeeper ensemble's configuration, from zoo.cfg lines or defaults. Keys and defaults as
// ZooKeeper 3.8's QuorumPeerConfig: tickTime 3000 ms, min/maxSessionTimeout 2 and 20 ticks when
// unset (-1), "server.X=host:peerPort:leaderPort" with X the server id.
#include <string>
#include <variant>
#include <vector>

#include "model/zookeeper/session_tracker.hpp"
#include "sim/time.hpp"

namespace model::zk {

struct ServerAddress {
  int id = 0;
  std::string host;
  int peer_port = 2888;
  int election_port = 3888;

  // Whether a connect-string host names this server: its zoo.cfg host, or the simulated process
  // name "zk<id>" the ensemble gives it.
  bool answers_to(const std::string& name) const { return name == host || name == "zk" + std::to_string(id); }
};

struct EnsembleConfig {
  sim::Duration tick = sim::milliseconds(3000);
  int init_limit = 10;  // ticks a follower may take to sync with a new leader
  int sync_limit = 5;   // ticks a follower may be out of touch with its leader
  int client_port = 2181;
  sim::Duration min_session_timeout{-1};  // negative: 2 ticks
  sim::Duration max_session_timeout{-1};  // negative: 20 ticks
  std::vector<ServerAddress> servers;     // sorted by id; empty means standalone

  SessionTimeoutBounds session_bounds() const;
  int quorum_size() const { return static_cast<int>(servers.size()) / 2 + 1; }
};

struct EnsembleConfigError {
  std::string key;
  std::string message;
};

std::variant<EnsembleConfig, EnsembleConfigError> parse_zoo_cfg(const std::vector<std::string>& lines);
// The ensemble of `count` servers with ids 1..count and otherwise default settings.
EnsembleConfig default_ensemble(int count, sim::Duration tick);

}  // namespace model::zk
