#pragma once
// What travels through mailboxes: a tag and channel interpreted by whoever posts it (the network
// uses them for connection events), and an immutable payload shared rather than copied.
#include <cstdint>
#include <memory>
#include <string>

namespace sim {

// Base of every message body. describe() is what the trace shows of it.
struct Payload {
  virtual ~Payload() = default;
  virtual std::string describe() const = 0;
};

struct Mail {
  std::uint32_t tag = 0;
  std::uint64_t channel = 0;
  std::shared_ptr<const Payload> payload;
};

template <typename T>
const T* payload_as(const Mail& mail) {
  return dynamic_cast<const T*>(mail.payload.get());
}

}  // namespace sim
