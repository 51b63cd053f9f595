#pragma once
#include <cstdint>
#include <limits>

namespace sim {

using ProcessId = std::uint32_t;
using FiberId = std::uint32_t;
inline constexpr ProcessId kNoProcess = std::numeric_limits<ProcessId>::max();
inline constexpr FiberId kNoFiber = std::numeric_limits<FiberId>::max();

// A kernel-owned mailbox. The generation makes a handle kept across its owner's crash stale
// instead of silently reading the new incarnation's mail.
struct MailboxId {
  std::uint32_t index = std::numeric_limits<std::uint32_t>::max();
  std::uint32_t generation = 0;
  bool valid() const { return index != std::numeric_limits<std::uint32_t>::max(); }
  bool operator==(const MailboxId&) const = default;
};

}  // namespace sim
