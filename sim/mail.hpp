#pragma once
// What travels through mailboxes: a tag and channel interpreted by whoever posts it (the network
// uses them for connection events), and an immutable payload shared rather than copied.
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <typeinfo>

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

// Message bodies are final classes, so the exact dynamic type decides: one type_info comparison
// instead of dynamic_cast's walk of the hierarchy (a server tries a dozen kinds per message).
template <typename T>
const T* payload_as(const Payload* payload) {
  if constexpr (std::is_final_v<T>) {
    if (payload == nullptr || typeid(*payload) != typeid(T)) return nullptr;
    return static_cast<const T*>(payload);
  } else {
    return dynamic_cast<const T*>(payload);
  }
}

template <typename T>
const T* payload_as(const Mail& mail) {
  return payload_as<T>(mail.payload.get());
}

}  // namespace sim
