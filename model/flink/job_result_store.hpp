#pragma once
// Flink's FileSystemJobResultStore on the simulated storage: entries live under
// <storageDir>/job-result-store/<cluster-id>/ as <jobId>_DIRTY.json until the job's global cleanup
// is done, when the entry is deleted (job-result-store.delete-on-commit, default true) or renamed
// to <jobId>.json. Blocking calls, from a fiber of the JobManager that owns the store.
#include <string>
#include <vector>

#include "sim/filesystem.hpp"

namespace model::flink {

// "hdfs:///flink/recovery" or "s3://bucket/ha" as a path on the simulated store.
std::string storage_path(const std::string& uri);

// Flink's JobResultStore as the Dispatcher uses it: the file system store below or the in-memory
// EmbeddedJobResultStore of high-availability.type none (standalone_ha.hpp).
class JobResults {
 public:
  virtual ~JobResults() = default;
  virtual sim::FsStatus create_dirty(const std::string& job_id, const std::string& result) = 0;
  virtual sim::FsStatus mark_clean(const std::string& job_id) = 0;
  virtual sim::FsList dirty_job_ids() = 0;
};

class JobResultStore final : public JobResults {
 public:
  JobResultStore(sim::Filesystem& fs, const std::string& storage_dir, const std::string& cluster_id,
                 bool delete_on_commit = true);

  sim::FsStatus create_dirty(const std::string& job_id, const std::string& result) override;
  // kNotFound when there is no dirty entry (Flink's NoSuchElementException).
  sim::FsStatus mark_clean(const std::string& job_id) override;
  // kOk (there is one), kNotFound (there is none) or a failure status.
  sim::FsStatus has_dirty(const std::string& job_id);
  sim::FsStatus has_clean(const std::string& job_id);
  // The job ids with a dirty entry, sorted; status is the listing's.
  sim::FsList dirty_job_ids() override;

  const std::string& base_path() const { return base_; }
  std::string dirty_path(const std::string& job_id) const { return base_ + "/" + job_id + "_DIRTY.json"; }
  std::string clean_path(const std::string& job_id) const { return base_ + "/" + job_id + ".json"; }

 private:
  sim::Filesystem& fs_;
  std::string base_;
  bool delete_on_commit_;
};

}  // namespace model::flink
