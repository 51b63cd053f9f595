#pragma once
// ZooKeeperUtils.startCuratorFramework: the Curator client every Flink process builds from its
// configuration (session and connection timeouts, ExponentialBackoffRetry from retry-wait and
// max-retry-attempts, and the session-based error policy when tolerate-suspended-connections).
#include <string>
#include <vector>

#include "model/curator/curator_framework.hpp"
#include "model/flink/flink_config.hpp"

namespace model::flink {

curator::CuratorOptions curator_options(const FlinkConfig& config, const std::vector<sim::ProcessId>& zookeeper,
                                        const std::string& name);

}  // namespace model::flink
