#include "model/kubernetes/config_map_store.hpp"

#include <vector>

#include "sim/assert.hpp"

namespace model::kubernetes {

std::optional<ConfigMap> ConfigMapStore::get(const std::string& name) const {
  const auto found = objects_.find(name);
  if (found == objects_.end()) return std::nullopt;
  return found->second;
}

WriteResult ConfigMapStore::create(ConfigMap object) {
  SIM_ASSERT(!object.name.empty());
  if (objects_.count(object.name) != 0) return {Status::kConflict, std::nullopt};
  if (objects_.size() >= kObjectsMax) return {Status::kTooManyRequests, std::nullopt};
  object.resource_version = ++revision_;
  const ConfigMap& stored = objects_.emplace(object.name, std::move(object)).first->second;
  notify(WatchEventKind::kAdded, stored);
  return {Status::kCreated, stored};
}

WriteResult ConfigMapStore::update(ConfigMap object) {
  const auto found = objects_.find(object.name);
  if (found == objects_.end()) return {Status::kNotFound, std::nullopt};
  if (found->second.resource_version != object.resource_version) return {Status::kConflict, std::nullopt};
  object.resource_version = ++revision_;
  found->second = std::move(object);
  notify(WatchEventKind::kModified, found->second);
  return {Status::kOk, found->second};
}

WriteResult ConfigMapStore::remove(const std::string& name, ResourceVersion expected_version) {
  const auto found = objects_.find(name);
  if (found == objects_.end()) return {Status::kNotFound, std::nullopt};
  if (expected_version != 0 && found->second.resource_version != expected_version) {
    return {Status::kConflict, std::nullopt};
  }
  ConfigMap gone = std::move(found->second);
  objects_.erase(found);
  ++revision_;
  notify(WatchEventKind::kDeleted, gone);
  return {Status::kOk, gone};
}

std::optional<WatchId> ConfigMapStore::watch(const std::string& name, WatchCallback callback) {
  SIM_ASSERT(callback != nullptr);
  if (watches_.size() >= kWatchesMax) return std::nullopt;
  const WatchId id = next_watch_++;
  watches_.emplace(id, Watch{name, std::move(callback)});
  return id;
}

void ConfigMapStore::unwatch(WatchId id) { watches_.erase(id); }

void ConfigMapStore::notify(WatchEventKind kind, const ConfigMap& object) {
  // A callback may unwatch (its connection died): collect first, then call those still present.
  std::vector<WatchId> ids;
  for (const auto& [id, watch] : watches_) {
    if (watch.name == object.name) ids.push_back(id);
  }
  for (const WatchId id : ids) {
    const auto found = watches_.find(id);
    if (found != watches_.end()) found->second.callback(kind, object);
  }
}

}  // namespace model::kubernetes
