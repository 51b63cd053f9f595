#pragma once
// One of a server's two watch tables (server/watch/WatchManager): DataTree keeps one for data and
// exists watches and one for child watches. Standard (one-shot) watches only: persistent and
// persistent-recursive watches (addWatch, 3.6+) are not modelled.
//
// A watcher is held at most once per path in a table, so a connection that set a watch twice
// (getData and exists on the same path) is notified once. Triggering consumes every watch on the
// path. Watchers come back in id order; the real server uses HashSet order, which only decides the
// interleaving between different connections and so is not observable by any one client.
#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "model/zookeeper/zk_types.hpp"
#include "sim/assert.hpp"

namespace model::zk {

class WatchManager {
 public:
  void add(const std::string& path, WatcherId watcher) {
    const bool new_for_path = by_path_[path].insert(watcher).second;
    const bool new_for_watcher = by_watcher_[watcher].insert(path).second;
    SIM_ASSERT(new_for_path == new_for_watcher);  // the two indexes hold the same pairs
    if (new_for_path) ++total_;
  }

  // Fires and removes every watch on `path`.
  std::vector<WatcherId> trigger(const std::string& path) {
    auto found = by_path_.find(path);
    if (found == by_path_.end()) return {};
    std::vector<WatcherId> fired(found->second.begin(), found->second.end());
    for (WatcherId watcher : fired) forget_path_of(watcher, path);
    by_path_.erase(found);
    return fired;
  }

  bool contains(const std::string& path, WatcherId watcher) const {
    auto found = by_path_.find(path);
    return found != by_path_.end() && found->second.count(watcher) != 0;
  }

  // removeWatches for one path. False when there was no such watch (the server answers NoWatcher).
  bool remove(const std::string& path, WatcherId watcher) {
    auto found = by_path_.find(path);
    if (found == by_path_.end() || found->second.erase(watcher) == 0) return false;
    if (found->second.empty()) by_path_.erase(found);
    forget_path_of(watcher, path);
    return true;
  }

  // The connection closed (DataTree.removeCnxn).
  void remove_watcher(WatcherId watcher) {
    auto found = by_watcher_.find(watcher);
    if (found == by_watcher_.end()) return;
    for (const std::string& path : found->second) {
      auto watchers = by_path_.find(path);
      SIM_ASSERT(watchers != by_path_.end());
      watchers->second.erase(watcher);
      if (watchers->second.empty()) by_path_.erase(watchers);
      --total_;
    }
    by_watcher_.erase(found);
  }

  std::size_t size() const { return total_; }

 private:
  void forget_path_of(WatcherId watcher, const std::string& path) {
    auto paths = by_watcher_.find(watcher);
    SIM_ASSERT(paths != by_watcher_.end() && paths->second.count(path) != 0);
    paths->second.erase(path);
    if (paths->second.empty()) by_watcher_.erase(paths);
    SIM_ASSERT(total_ > 0);
    --total_;
  }

  std::map<std::string, std::set<WatcherId>> by_path_;
  std::map<WatcherId, std::set<std::string>> by_watcher_;
  std::size_t total_ = 0;
};

}  // namespace model::zk
