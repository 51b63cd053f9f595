#include <gtest/gtest.h>

#include "model/zookeeper/ensemble_config.hpp"

namespace {

using model::zk::EnsembleConfig;
using model::zk::EnsembleConfigError;

TEST(ZooCfg, ParsesTheFlinkTemplate) {
  auto parsed = model::zk::parse_zoo_cfg({"tickTime=2000", "initLimit=10", "syncLimit=5", "dataDir=/tmp/zookeeper",
                                          "clientPort=2181", "server.1=zk1:2888:3888", "server.2=zk2:2888:3888",
                                          "server.3=zk3:2888:3888;2181"});
  ASSERT_TRUE(std::holds_alternative<EnsembleConfig>(parsed));
  const auto& config = std::get<EnsembleConfig>(parsed);
  EXPECT_EQ(config.tick, sim::milliseconds(2000));
  EXPECT_EQ(config.sync_limit, 5);
  ASSERT_EQ(config.servers.size(), 3u);
  EXPECT_EQ(config.servers[2].host, "zk3");
  EXPECT_EQ(config.quorum_size(), 2);
  EXPECT_EQ(config.session_bounds().min, sim::milliseconds(4000));
  EXPECT_EQ(config.session_bounds().max, sim::milliseconds(40000));
}

TEST(ZooCfg, DefaultsFollowZooKeeper) {
  auto parsed = model::zk::parse_zoo_cfg({"server.0=localhost:2888:3888"});
  ASSERT_TRUE(std::holds_alternative<EnsembleConfig>(parsed));
  const auto& config = std::get<EnsembleConfig>(parsed);
  EXPECT_EQ(config.tick, sim::milliseconds(3000));
  EXPECT_EQ(config.session_bounds().min, sim::milliseconds(6000));
  EXPECT_EQ(config.quorum_size(), 1);
}

TEST(ZooCfg, ExplicitSessionBoundsOverrideTicks) {
  auto parsed = model::zk::parse_zoo_cfg({"tickTime=2000", "minSessionTimeout=1000", "maxSessionTimeout=90000"});
  ASSERT_TRUE(std::holds_alternative<EnsembleConfig>(parsed));
  EXPECT_EQ(std::get<EnsembleConfig>(parsed).session_bounds().min, sim::milliseconds(1000));
  EXPECT_EQ(std::get<EnsembleConfig>(parsed).session_bounds().max, sim::milliseconds(90000));
}

TEST(ZooCfg, ErrorsNameTheKey) {
  auto key_of = [](std::vector<std::string> lines) {
    auto parsed = model::zk::parse_zoo_cfg(lines);
    EXPECT_TRUE(std::holds_alternative<EnsembleConfigError>(parsed));
    return std::holds_alternative<EnsembleConfigError>(parsed) ? std::get<EnsembleConfigError>(parsed).key : "";
  };
  EXPECT_EQ(key_of({"tickTime=fast"}), "tickTime");
  EXPECT_EQ(key_of({"server.1=zk1:2888"}), "server.1");
  EXPECT_EQ(key_of({"server.1=zk1:2888:3888", "server.1=zk2:2888:3888"}), "server.1");
  EXPECT_EQ(key_of({"tikTime=2000"}), "tikTime");
  EXPECT_EQ(key_of({"minSessionTimeout=9000", "maxSessionTimeout=5000"}), "minSessionTimeout");
}

}  // namespace
