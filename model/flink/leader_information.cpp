#include "model/flink/leader_information.hpp"

namespace model::flink {

std::string encode_leader_information(const LeaderInformation& info) { return info.session_id + "," + info.address; }

LeaderInformation decode_leader_information(const model::zk::Data& data) {
  if (!data || data->empty()) return {};
  const auto comma = data->find(',');
  if (comma == std::string::npos) return {};
  return LeaderInformation{data->substr(0, comma), data->substr(comma + 1)};
}

std::string connection_info_path(const std::string& zk_namespace, const std::string& component) {
  return zk_namespace + "/leader/" + component + "/connection_info";
}

PublishOutcome write_leader_information(curator::CuratorFramework& client, const std::string& path,
                                        const LeaderInformation& info, const std::function<bool()>& has_leadership,
                                        int attempts_max) {
  const model::zk::Data data = info.empty() ? model::zk::Data{} : model::zk::Data{encode_leader_information(info)};
  for (int attempt = 0; attempt < attempts_max; attempt++) {
    if (!has_leadership()) return PublishOutcome::kNotLeader;
    const auto stat = client.exists(path);
    if (stat.code == model::zk::Code::Ok) {
      if (stat.stat.ephemeral_owner == client.session_id()) {
        const auto written = client.set_data(path, data);
        if (written.code == model::zk::Code::Ok) return PublishOutcome::kWritten;
        if (written.code != model::zk::Code::NoNode) return PublishOutcome::kFailed;
      } else {
        const auto removed = client.remove(path);
        if (removed != model::zk::Code::Ok && removed != model::zk::Code::NoNode) return PublishOutcome::kFailed;
      }
    } else if (stat.code == model::zk::Code::NoNode) {
      const auto created = client.create(path, data, model::zk::CreateMode::Ephemeral, curator::CreateOptions{false, true});
      if (created.code == model::zk::Code::Ok) return PublishOutcome::kWritten;
      if (created.code != model::zk::Code::NodeExists) return PublishOutcome::kFailed;
    } else {
      return PublishOutcome::kFailed;
    }
  }
  return PublishOutcome::kFailed;
}

}  // namespace model::flink
