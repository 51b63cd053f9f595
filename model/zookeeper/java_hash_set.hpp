#pragma once
// A java.util.HashSet<String> (OpenJDK 17's HashMap underneath) reduced to what decides its
// iteration order, because ZooKeeper lets that order show: a closing session's ephemerals are
// deleted, and their watches fired, in the order of DataTree's per-session HashSet
// (PrepRequestProcessor closeSession: getEphemerals = clone(), then CloseSessionTxn(new
// ArrayList<>(set)); DataTree.killSession deletes in that list's order).
//
// What is reproduced, from java.util.HashMap:
//   - hash = String.hashCode() over UTF-16 units, spread as h ^ (h >>> 16); bucket = hash & (cap-1);
//   - no table until the first add, then 16 buckets (new HashSet<>()); a new key goes to the end of
//     its bucket; after an add, size > threshold (0.75 cap) doubles the table, each bucket splitting
//     into a "lo" part (same index) and a "hi" part (index + old cap), both in their old order;
//   - a bucket reaching 9 entries in a table below 64 buckets also doubles it (treeifyBin);
//   - removal unlinks in place; the table never shrinks;
//   - clone() (HashMap.clone -> putMapEntries) pre-sizes a fresh table to
//     tableSizeFor((int)(size / 0.75f + 1.0f)) and re-adds the entries in iteration order.
// Not reproduced: tree bins (a bucket of 9+ entries in a table of 64+ buckets), which reorder
// their bucket; only a session with dozens of colliding ephemerals could get one.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace model::zk {

// String.hashCode() of the Java string the server decodes from these UTF-8 bytes: s[0]*31^(n-1) +
// ... over UTF-16 units, in wrapping 32-bit arithmetic. Paths reaching a HashSet passed
// validatePath, so they are well-formed UTF-8 within the BMP; anything else is hashed as Java's
// decoder would see it only approximately (a malformed byte as one U+FFFD).
inline std::int32_t java_string_hash(std::string_view utf8) {
  std::uint32_t h = 0;
  const auto unit = [&](std::uint32_t u) { h = h * 31u + u; };
  for (std::size_t at = 0; at < utf8.size();) {
    const auto lead = static_cast<unsigned char>(utf8[at]);
    std::size_t length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
    if (length == 0 || at + length > utf8.size()) {
      unit(0xFFFD);
      at++;
      continue;
    }
    std::uint32_t cp = length == 1 ? lead : lead & (0x7Fu >> length);
    bool ok = true;
    for (std::size_t i = 1; i < length; i++) {
      const auto b = static_cast<unsigned char>(utf8[at + i]);
      ok = ok && (b & 0xC0) == 0x80;
      cp = (cp << 6) | (b & 0x3Fu);
    }
    if (!ok) {
      unit(0xFFFD);
      at++;
      continue;
    }
    if (cp > 0xFFFF) {  // a surrogate pair
      cp -= 0x10000;
      unit(0xD800 + (cp >> 10));
      unit(0xDC00 + (cp & 0x3FF));
    } else {
      unit(cp);
    }
    at += length;
  }
  return static_cast<std::int32_t>(h);
}

class JavaStringHashSet {
 public:
  JavaStringHashSet() = default;

  // HashMap.putVal. False if already present (its place is kept).
  bool add(const std::string& key) {
    if (table_.empty()) resize();
    const std::uint32_t hash = spread(key);
    std::vector<Entry>& bucket = table_[index(hash)];
    for (const Entry& e : bucket) {
      if (e.hash == hash && e.key == key) return false;
    }
    bucket.push_back(Entry{hash, key});
    if (bucket.size() >= 9 && table_.size() < 64) resize();  // treeifyBin on a small table
    if (static_cast<std::int64_t>(++size_) > threshold_) resize();
    return true;
  }

  // HashMap.removeNode. False if absent.
  bool remove(const std::string& key) {
    if (table_.empty()) return false;
    const std::uint32_t hash = spread(key);
    std::vector<Entry>& bucket = table_[index(hash)];
    for (auto it = bucket.begin(); it != bucket.end(); ++it) {
      if (it->hash == hash && it->key == key) {
        bucket.erase(it);
        size_--;
        return true;
      }
    }
    return false;
  }

  bool contains(const std::string& key) const {
    if (table_.empty()) return false;
    const std::uint32_t hash = spread(key);
    for (const Entry& e : table_[index(hash)]) {
      if (e.hash == hash && e.key == key) return true;
    }
    return false;
  }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::size_t capacity() const { return table_.size(); }  // 0 before the first add
  // Bucket order, and insertion order within a bucket.
  std::vector<std::string> in_iteration_order() const {
    std::vector<std::string> out;
    out.reserve(size_);
    for (const auto& bucket : table_) {
      for (const Entry& e : bucket) out.push_back(e.key);
    }
    return out;
  }

  // HashSet.clone -> HashMap.clone: reinitialize, then putMapEntries(this): pre-size, re-add.
  JavaStringHashSet clone() const {
    JavaStringHashSet copy;
    if (size_ == 0) return copy;
    const float ft = static_cast<float>(size_) / 0.75f + 1.0f;
    const auto t = static_cast<std::int64_t>(ft);
    std::int64_t cap = 1;  // tableSizeFor(t): the least power of two >= t
    while (cap < t) cap *= 2;
    copy.threshold_ = cap;
    for (const auto& bucket : table_) {
      for (const Entry& e : bucket) copy.add(e.key);
    }
    return copy;
  }

 private:
  struct Entry {
    std::uint32_t hash = 0;
    std::string key;
  };
  // HashMap.hash: h ^ (h >>> 16).
  static std::uint32_t spread(const std::string& key) {
    const auto h = static_cast<std::uint32_t>(java_string_hash(key));
    return h ^ (h >> 16);
  }
  std::size_t index(std::uint32_t hash) const { return hash & (table_.size() - 1); }

  // HashMap.resize: the first table is the capacity held in the threshold (a pre-sized clone) or
  // 16; later ones double, splitting each bucket into lo and hi in order.
  void resize() {
    const std::size_t old_cap = table_.size();
    std::size_t new_cap = 0;
    std::int64_t new_threshold = 0;
    if (old_cap > 0) {
      new_cap = old_cap * 2;
      if (old_cap >= 16) new_threshold = threshold_ * 2;
    } else if (threshold_ > 0) {
      new_cap = static_cast<std::size_t>(threshold_);
    } else {
      new_cap = 16;
      new_threshold = 12;
    }
    if (new_threshold == 0) new_threshold = static_cast<std::int64_t>(static_cast<float>(new_cap) * 0.75f);
    threshold_ = new_threshold;
    std::vector<std::vector<Entry>> grown(new_cap);
    for (std::size_t j = 0; j < old_cap; j++) {
      for (Entry& e : table_[j]) {
        const std::size_t to = (e.hash & old_cap) == 0 ? j : j + old_cap;
        grown[to].push_back(std::move(e));
      }
    }
    table_ = std::move(grown);
  }

  std::vector<std::vector<Entry>> table_;  // empty: Java's null table
  std::int64_t threshold_ = 0;             // 0 with no table: the default capacity comes next
  std::size_t size_ = 0;
};

}  // namespace model::zk
