#include <gtest/gtest.h>

#include "model/flink/flink_config.hpp"
#include "model/flink/flink_duration.hpp"

namespace {

using model::flink::ConfigError;
using model::flink::FlinkConfig;
using model::flink::parse_flink_config;
using model::flink::parse_flink_duration;

TEST(FlinkDuration, AcceptsFlinkSyntax) {
  EXPECT_EQ(parse_flink_duration("60 s").value, sim::seconds(60));
  EXPECT_EQ(parse_flink_duration("500 ms").value, sim::milliseconds(500));
  EXPECT_EQ(parse_flink_duration("1 min").value, sim::minutes(1));
  EXPECT_EQ(parse_flink_duration("2h").value, sim::minutes(120));
  EXPECT_EQ(parse_flink_duration("100").value, sim::milliseconds(100));  // no unit: milliseconds
  EXPECT_EQ(parse_flink_duration(" 3 Seconds ").value, sim::seconds(3));
  EXPECT_EQ(parse_flink_duration("7 days").value, sim::seconds(7 * 86400));
  EXPECT_EQ(parse_flink_duration("5m").value, sim::minutes(5));  // "m" is minutes in Flink
}

TEST(FlinkDuration, RejectsWhatFlinkRejects) {
  for (const char* bad : {"", "-5 s", "s", "1.5 s", "10 fortnights", "99999999999999999999 ms", "5 s s"}) {
    const auto parsed = parse_flink_duration(bad);
    EXPECT_FALSE(parsed.value.has_value()) << bad;
    EXPECT_FALSE(parsed.error.empty()) << bad;
  }
}

FlinkConfig parse_ok(const model::flink::ConfigEntries& entries) {
  auto result = parse_flink_config(entries);
  if (auto* error = std::get_if<ConfigError>(&result)) {
    ADD_FAILURE() << error->key << ": " << error->message;
    return {};
  }
  return std::get<FlinkConfig>(result);
}

ConfigError parse_error(const model::flink::ConfigEntries& entries) {
  auto result = parse_flink_config(entries);
  EXPECT_TRUE(std::holds_alternative<ConfigError>(result));
  return std::holds_alternative<ConfigError>(result) ? std::get<ConfigError>(result) : ConfigError{};
}

TEST(FlinkConfig, DefaultsAreFlinks) {
  const FlinkConfig config = parse_ok({});
  EXPECT_EQ(config.ha_type, model::flink::HaType::kNone);
  EXPECT_EQ(config.zookeeper_namespace(), "/flink/default");
  EXPECT_EQ(config.zookeeper_client.session_timeout, sim::seconds(60));
  EXPECT_EQ(config.zookeeper_client.connection_timeout, sim::seconds(15));
  EXPECT_EQ(config.zookeeper_client.retry_wait, sim::seconds(5));
  EXPECT_EQ(config.zookeeper_client.max_retry_attempts, 3);
  EXPECT_FALSE(config.zookeeper_client.tolerate_suspended_connections);
  EXPECT_EQ(config.checkpoints_num_retained, 1);
  EXPECT_FALSE(config.checkpoint_interval.has_value());
  EXPECT_EQ(config.heartbeat_interval, sim::seconds(10));
  EXPECT_EQ(config.heartbeat_timeout, sim::seconds(50));
  EXPECT_EQ(config.yarn_application_attempts, 1);
  EXPECT_EQ(config.kubernetes.lease_duration, sim::seconds(15));
}

TEST(FlinkConfig, TheSeedDocumentsStandaloneExample) {
  // The docs' example, old key names and all.
  const FlinkConfig config = parse_ok({{"high-availability", "zookeeper"},
                                       {"high-availability.zookeeper.quorum", "localhost:2181"},
                                       {"high-availability.zookeeper.path.root", "/flink"},
                                       {"high-availability.zookeeper.path.namespace", "/cluster_one"},
                                       {"high-availability.zookeeper.storageDir", "hdfs:///flink/recovery"}});
  EXPECT_EQ(config.ha_type, model::flink::HaType::kZooKeeper);
  EXPECT_EQ(config.zookeeper_namespace(), "/flink/cluster_one");
  EXPECT_EQ(config.storage_dir, "hdfs:///flink/recovery");
  ASSERT_EQ(config.zookeeper_quorum.size(), 1u);
  EXPECT_EQ(config.zookeeper_quorum[0], (model::flink::HostPort{"localhost", 2181}));
  EXPECT_EQ(config.yarn_application_attempts, 2);  // HA on, key unset
}

TEST(FlinkConfig, CurrentKeyWinsOverDeprecatedOneInAnyOrder) {
  const FlinkConfig config = parse_ok({{"state.checkpoints.num-retained", "5"},
                                       {"execution.checkpointing.num-retained", "3"},
                                       {"high-availability.type", "ZOOKEEPER"},
                                       {"recovery.mode", "none"},
                                       {"high-availability.zookeeper.quorum", "zk1:2181,zk2:2181,zk3:2181"},
                                       {"high-availability.storageDir", "s3://bucket/ha"}});
  EXPECT_EQ(config.checkpoints_num_retained, 3);
  EXPECT_EQ(config.ha_type, model::flink::HaType::kZooKeeper);
  EXPECT_EQ(config.zookeeper_quorum.size(), 3u);
}

TEST(FlinkConfig, ErrorsNameTheKey) {
  EXPECT_EQ(parse_error({{"high-availabilty.type", "zookeeper"}}).key, "high-availabilty.type");
  EXPECT_EQ(parse_error({{"heartbeat.interval", "-1 s"}}).key, "heartbeat.interval");
  EXPECT_EQ(parse_error({{"high-availability.type", "etcd"}}).key, "high-availability.type");
  EXPECT_EQ(parse_error({{"high-availability.type", "zookeeper"}, {"high-availability.storageDir", "x"}}).key,
            "high-availability.zookeeper.quorum");
  EXPECT_EQ(parse_error({{"high-availability.type", "zookeeper"}, {"high-availability.zookeeper.quorum", "zk:2181"}}).key,
            "high-availability.storageDir");
  EXPECT_EQ(parse_error({{"high-availability.zookeeper.quorum", "zk1:2181,zk2"}}).key,
            "high-availability.zookeeper.quorum");
  EXPECT_EQ(parse_error({{"high-availability.zookeeper.client.tolerate-suspended-connections", "yes"}}).key,
            "high-availability.zookeeper.client.tolerate-suspended-connections");
  EXPECT_EQ(parse_error({{"heartbeat.interval", "60 s"}}).key, "heartbeat.timeout");
}

TEST(FlinkConfig, JobManagerPortAcceptsPortRangeAndList) {
  EXPECT_EQ(parse_ok({{"high-availability.jobmanager.port", "50010"}}).jobmanager_port, "50010");
  EXPECT_EQ(parse_ok({{"high-availability.jobmanager.port", "50010,50011,50020-50025,50050-50075"}}).jobmanager_port,
            "50010,50011,50020-50025,50050-50075");
  EXPECT_EQ(parse_error({{"high-availability.jobmanager.port", "50025-50000"}}).key, "high-availability.jobmanager.port");
}

TEST(Masters, ParsesHostAndWebUiPort) {
  auto parsed = model::flink::parse_masters({"localhost:8081", "", "# standby", "localhost:8082"});
  ASSERT_TRUE((std::holds_alternative<std::vector<model::flink::HostPort>>(parsed)));
  const auto& masters = std::get<std::vector<model::flink::HostPort>>(parsed);
  ASSERT_EQ(masters.size(), 2u);
  EXPECT_EQ(masters[1].port, 8082);
  auto bad = model::flink::parse_masters({"localhost:8081", "localhost"});
  ASSERT_TRUE(std::holds_alternative<ConfigError>(bad));
  EXPECT_EQ(std::get<ConfigError>(bad).key, "masters[1]");
}

}  // namespace
