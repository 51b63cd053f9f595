#pragma once
// Which Curator release the model behaves like, where releases differ in something we model.
//   - k5_4: Curator 5.4.0, which Flink 1.18-1.20 ship (flink-shaded 17.0-20.0 bundle it). Its
//     LeaderLatch.checkLeadership takes leadership whenever our remembered node sorts first,
//     without asking who owns it: CURATOR-696.
//   - k5_7: Curator 5.7.0, with the CURATOR-696 fix (commit 1027c2cd): before taking leadership
//     the latch reads its node and resets unless the node's ephemeralOwner is the current session.
#include <optional>
#include <string_view>

namespace model::curator {

enum class CuratorVersion { k5_4, k5_7 };

// The scenario spelling: "5.4" or "5.7".
inline std::string_view to_string(CuratorVersion version) { return version == CuratorVersion::k5_7 ? "5.7" : "5.4"; }

inline std::optional<CuratorVersion> parse_curator_version(std::string_view text) {
  if (text == "5.4") return CuratorVersion::k5_4;
  if (text == "5.7") return CuratorVersion::k5_7;
  return std::nullopt;
}

}  // namespace model::curator
