#pragma once
// A ZooKeeper server's transaction log and epochs: what survives the server process. The
// ensemble owns one per server outside the process, so a crash loses only memory. An entry is
// acknowledged only once fsynced; the "crash with loss" fault drops what was appended but not
// yet fsynced, as a machine whose disk cache was lost would.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/zookeeper/protocol.hpp"
#include "sim/assert.hpp"

namespace model::zk {

struct DurableLog {
  std::vector<LogEntry> entries;  // strictly increasing zxids
  std::size_t synced = 0;         // entries[0, synced) are on disk
  std::int64_t accepted_epoch = 0;
  std::int64_t current_epoch = 0;
  std::size_t entries_max = 2'000'000;

  Zxid last_zxid() const { return entries.empty() ? 0 : entries.back().header.zxid; }

  void append(LogEntry entry) {
    SIM_ASSERT(entry.header.zxid > last_zxid());
    SIM_ASSERT_MSG(entries.size() < entries_max, "limit reached: ZooKeeper log entries_max");
    entries.push_back(std::move(entry));
  }

  // Drops every entry after `zxid` (a TRUNC from a new leader).
  void truncate_after(Zxid zxid) {
    while (!entries.empty() && entries.back().header.zxid > zxid) entries.pop_back();
    if (synced > entries.size()) synced = entries.size();
  }

  // Index of the entry with `zxid`, or entries.size() when absent.
  std::size_t index_of(Zxid zxid) const {
    for (std::size_t i = entries.size(); i > 0; i--) {
      if (entries[i - 1].header.zxid == zxid) return i - 1;
      if (entries[i - 1].header.zxid < zxid) break;
    }
    return entries.size();
  }

  void sync_all() { synced = entries.size(); }
  std::size_t lose_unsynced_tail() {
    const std::size_t lost = entries.size() - synced;
    entries.resize(synced);
    return lost;
  }
};

inline Zxid make_zxid(std::int64_t epoch, std::int64_t counter) { return (epoch << 32) | counter; }
inline std::int64_t epoch_of(Zxid zxid) { return zxid >> 32; }

}  // namespace model::zk
