#include "model/flink/zookeeper_client.hpp"

namespace model::flink {

curator::CuratorOptions curator_options(const FlinkConfig& config, const std::vector<sim::ProcessId>& zookeeper,
                                        const std::string& name) {
  curator::CuratorOptions options;
  options.servers = zookeeper;
  options.session_timeout = config.zookeeper_client.session_timeout;
  options.connection_timeout = config.zookeeper_client.connection_timeout;
  options.retry = curator::ExponentialBackoffRetry{config.zookeeper_client.retry_wait,
                                                   config.zookeeper_client.max_retry_attempts};
  options.error_policy = config.zookeeper_client.tolerate_suspended_connections ? curator::ErrorPolicy::kSession
                                                                                 : curator::ErrorPolicy::kStandard;
  options.name = name;
  return options;
}

}  // namespace model::flink
