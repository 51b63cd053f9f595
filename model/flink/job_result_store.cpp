#include "model/flink/job_result_store.hpp"

namespace model::flink {
namespace {

constexpr std::string_view kDirtySuffix = "_DIRTY.json";

std::string cluster_segment(const std::string& cluster_id) {
  std::string segment = cluster_id;
  while (!segment.empty() && segment.front() == '/') segment.erase(segment.begin());
  while (!segment.empty() && segment.back() == '/') segment.pop_back();
  return segment.empty() ? "default" : segment;
}

}  // namespace

std::string storage_path(const std::string& uri) {
  std::string path = uri;
  const auto scheme = path.find("://");
  if (scheme != std::string::npos) path = path.substr(scheme + 3);
  if (path.empty() || path.front() != '/') path.insert(path.begin(), '/');
  // Flink's Path collapses repeated slashes ("hdfs:///flink//ha" is /flink/ha) and drops a trailing one.
  std::string collapsed;
  for (const char c : path) {
    if (c != '/' || collapsed.empty() || collapsed.back() != '/') collapsed += c;
  }
  while (collapsed.size() > 1 && collapsed.back() == '/') collapsed.pop_back();
  return collapsed;
}

JobResultStore::JobResultStore(sim::Filesystem& fs, const std::string& storage_dir, const std::string& cluster_id,
                               bool delete_on_commit)
    : fs_(fs),
      base_(storage_path(storage_dir) + "/job-result-store/" + cluster_segment(cluster_id)),
      delete_on_commit_(delete_on_commit) {}

sim::FsStatus JobResultStore::create_dirty(const std::string& job_id, const std::string& result) {
  return fs_.put(dirty_path(job_id), "{\"version\":1,\"result\":" + result + "}", sim::FsWriteMode::kNoOverwrite);
}

sim::FsStatus JobResultStore::mark_clean(const std::string& job_id) {
  const sim::FsStatus present = fs_.exists(dirty_path(job_id));
  if (present != sim::FsStatus::kOk) return present;
  if (delete_on_commit_) return fs_.remove(dirty_path(job_id));
  return fs_.rename(dirty_path(job_id), clean_path(job_id));
}

sim::FsStatus JobResultStore::has_dirty(const std::string& job_id) { return fs_.exists(dirty_path(job_id)); }

sim::FsStatus JobResultStore::has_clean(const std::string& job_id) { return fs_.exists(clean_path(job_id)); }

sim::FsList JobResultStore::dirty_job_ids() {
  sim::FsList listing = fs_.list(base_);
  std::vector<std::string> ids;
  for (const std::string& name : listing.names) {
    if (name.size() > kDirtySuffix.size() && name.compare(name.size() - kDirtySuffix.size(), kDirtySuffix.size(), kDirtySuffix) == 0) {
      ids.push_back(name.substr(0, name.size() - kDirtySuffix.size()));
    }
  }
  listing.names = std::move(ids);
  return listing;
}

}  // namespace model::flink
