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

class JobResultStore {
 public:
  JobResultStore(sim::Filesystem& fs, const std::string& storage_dir, const std::string& cluster_id,
                 bool delete_on_commit = true);

  sim::FsStatus create_dirty(const std::string& job_id, const std::string& result);
  // kNotFound when there is no dirty entry (Flink's NoSuchElementException).
  sim::FsStatus mark_clean(const std::string& job_id);
  // kOk (there is one), kNotFound (there is none) or a failure status.
  sim::FsStatus has_dirty(const std::string& job_id);
  sim::FsStatus has_clean(const std::string& job_id);
  // The job ids with a dirty entry, sorted; status is the listing's.
  sim::FsList dirty_job_ids();

  const std::string& base_path() const { return base_; }
  std::string dirty_path(const std::string& job_id) const { return base_ + "/" + job_id + "_DIRTY.json"; }
  std::string clean_path(const std::string& job_id) const { return base_ + "/" + job_id + ".json"; }

 private:
  sim::Filesystem& fs_;
  std::string base_;
  bool delete_on_commit_;
};

}  // namespace model::flink
