#pragma once
// What a leader publishes in <ns>/leader/<component>/connection_info: its address and leader
// session id. Empty data means "no leader". Written by ZooKeeperUtils.writeLeaderInformationToZooKeeper's
// loop, which runs only while the local latch flag says leader and never asks ZooKeeper whether
// that is still true.
#include <functional>
#include <optional>
#include <string>

#include "model/curator/curator_framework.hpp"

namespace model::flink {

struct LeaderInformation {
  std::string session_id;  // the leader session UUID, which becomes the fencing token
  std::string address;
  bool empty() const { return session_id.empty() && address.empty(); }
  bool operator==(const LeaderInformation&) const = default;
};

std::string encode_leader_information(const LeaderInformation& info);
LeaderInformation decode_leader_information(const model::zk::Data& data);

std::string connection_info_path(const std::string& zk_namespace, const std::string& component);

enum class PublishOutcome { kWritten, kNotLeader, kFailed };

// The loop: the node exists and our session owns it -> setData; another session owns it ->
// delete it and try again; it is missing -> create it EPHEMERAL. Bounded by `attempts_max`.
PublishOutcome write_leader_information(curator::CuratorFramework& client, const std::string& path,
                                        const LeaderInformation& info, const std::function<bool()>& has_leadership,
                                        int attempts_max = 100);

}  // namespace model::flink
