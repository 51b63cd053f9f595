#include <gtest/gtest.h>

#include "model/flink/job_result_store.hpp"
#include "model/flink/mutants.hpp"
#include "sim/simulation.hpp"

namespace {

TEST(StoragePath, MapsUrisOntoTheSimulatedStore) {
  EXPECT_EQ(model::flink::storage_path("hdfs:///flink/recovery"), "/flink/recovery");
  EXPECT_EQ(model::flink::storage_path("s3://bucket/ha/"), "/bucket/ha");
  EXPECT_EQ(model::flink::storage_path("/plain/dir"), "/plain/dir");
}

TEST(JobResultStore, DirtyThenCleanFollowsFlinksFileLayout) {
  sim::Simulation sim(sim::SimConfig{1, {}});
  sim::Filesystem fs(sim, {});
  std::vector<sim::FsStatus> statuses;
  std::vector<std::string> dirty_ids;
  const auto jm = sim.add_process("jm", {[&](sim::ProcessId pid) {
                                          sim.spawn(pid, "main", [&] {
                                            model::flink::JobResultStore store(fs, "hdfs:///flink/ha", "/cluster_one");
                                            statuses.push_back(store.has_dirty("job-1"));
                                            statuses.push_back(store.create_dirty("job-1", "{\"state\":\"FINISHED\"}"));
                                            statuses.push_back(store.create_dirty("job-1", "{}"));  // NO_OVERWRITE
                                            statuses.push_back(store.has_dirty("job-1"));
                                            dirty_ids = store.dirty_job_ids().names;
                                            statuses.push_back(store.mark_clean("job-1"));
                                            statuses.push_back(store.has_dirty("job-1"));
                                            statuses.push_back(store.mark_clean("job-1"));
                                          });
                                        },
                                        nullptr});
  sim.start(jm);
  sim.run_until(sim::Instant{} + sim::seconds(10));
  using sim::FsStatus;
  EXPECT_EQ(statuses, (std::vector<FsStatus>{FsStatus::kNotFound, FsStatus::kOk, FsStatus::kAlreadyExists, FsStatus::kOk,
                                             FsStatus::kOk, FsStatus::kNotFound, FsStatus::kNotFound}));
  EXPECT_EQ(dirty_ids, (std::vector<std::string>{"job-1"}));
  EXPECT_FALSE(fs.exists_now("/flink/ha/job-result-store/cluster_one/job-1_DIRTY.json"));
  // The trace shows the dirty entry's real path.
  bool saw_dirty_path = false;
  for (const auto& event : sim.trace().events()) {
    const auto* path = event.string_field("path");
    saw_dirty_path |= path != nullptr && *path == "/flink/ha/job-result-store/cluster_one/job-1_DIRTY.json";
  }
  EXPECT_TRUE(saw_dirty_path);
}

TEST(Mutants, EveryCatalogRowHasAUniqueParsableName) {
  std::set<std::string_view> names;
  for (const auto& info : model::flink::mutant_catalog()) {
    EXPECT_TRUE(names.insert(info.name).second) << info.name;
    EXPECT_EQ(model::flink::parse_mutant(info.name), info.mutant);
    EXPECT_EQ(model::flink::mutant_name(info.mutant), info.name);
  }
  EXPECT_EQ(names.size(), 15u);  // the 14 rows of the facts table and the synthetic one
  EXPECT_EQ(model::flink::parse_mutant("FLINK-25486"), model::flink::Mutant::kFlink19154);
  EXPECT_FALSE(model::flink::parse_mutant("FLINK-99999").has_value());
}

}  // namespace
