#pragma once
// The API server's ConfigMaps as etcd keeps them: one linearizable map from name to object, each
// object with its data, its annotations and a resourceVersion drawn from one counter that every
// successful write advances (etcd's revision). An update carries the resourceVersion it read and
// is refused with 409 Conflict when the object has moved on: the compare-and-set every Flink
// writer builds on (KubernetesStateHandleStore, the fabric8 ConfigMapLock). Watches see every
// change of one name, in commit order. Pure data: no time, no network (api_server.* serves it).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace model::kubernetes {

using ResourceVersion = std::int64_t;

struct ConfigMap {
  std::string name;
  std::map<std::string, std::string> data;
  std::map<std::string, std::string> annotations;
  ResourceVersion resource_version = 0;  // set by the store; ignored on create
  bool operator==(const ConfigMap&) const = default;
};

// HTTP status codes the API server answers with.
enum class Status : int { kOk = 200, kCreated = 201, kNotFound = 404, kConflict = 409, kTooManyRequests = 429 };

struct WriteResult {
  Status status = Status::kOk;
  std::optional<ConfigMap> object;  // the stored object after a successful write
};

enum class WatchEventKind : std::uint8_t { kAdded, kModified, kDeleted };

// Watchers are told synchronously, in commit order, of every change to their name.
using WatchCallback = std::function<void(WatchEventKind, const ConfigMap&)>;
using WatchId = std::uint64_t;

class ConfigMapStore {
 public:
  // Bounds: objects and watches (a real API server limits both through quotas and
  // max-requests-inflight); a write or watch past them is answered 429.
  static constexpr std::size_t kObjectsMax = 4096;
  static constexpr std::size_t kWatchesMax = 1024;

  std::optional<ConfigMap> get(const std::string& name) const;
  // 201 with the stored object, or 409 AlreadyExists.
  WriteResult create(ConfigMap object);
  // 200, 404, or 409 when object.resource_version differs from the stored one.
  WriteResult update(ConfigMap object);
  // 200 or 404. expected_version 0 deletes whatever version is stored.
  WriteResult remove(const std::string& name, ResourceVersion expected_version = 0);

  std::optional<WatchId> watch(const std::string& name, WatchCallback callback);
  void unwatch(WatchId id);
  std::size_t watches() const { return watches_.size(); }
  std::size_t objects() const { return objects_.size(); }
  ResourceVersion revision() const { return revision_; }

 private:
  void notify(WatchEventKind kind, const ConfigMap& object);

  std::map<std::string, ConfigMap> objects_;
  struct Watch {
    std::string name;
    WatchCallback callback;
  };
  std::map<WatchId, Watch> watches_;  // ordered by id: watchers are told in registration order
  WatchId next_watch_ = 1;
  ResourceVersion revision_ = 0;
};

}  // namespace model::kubernetes
