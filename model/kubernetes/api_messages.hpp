#pragma once
// What travels between an API client and the API server over a simulated TCP connection: one
// request, one response with the same id (an HTTP exchange), and, on a watch connection, one event
// per change of the watched ConfigMap.
#include <cstdint>
#include <optional>
#include <string>

#include "model/kubernetes/config_map_store.hpp"
#include "sim/mail.hpp"

namespace model::kubernetes {

// The API server's port (kube-apiserver --secure-port default).
inline constexpr std::uint16_t kApiServerPort = 6443;

enum class Verb : std::uint8_t { kGet, kCreate, kUpdate, kDelete, kWatch };

struct ApiRequest final : sim::Payload {
  std::uint64_t id = 0;
  Verb verb = Verb::kGet;
  std::string name;
  ConfigMap object;  // create, update; update carries the resourceVersion it read
  ResourceVersion expected_version = 0;  // delete: 0 = unconditional
  std::string describe() const override { return "api-request " + name; }
};

struct ApiResponse final : sim::Payload {
  std::uint64_t id = 0;
  Status status = Status::kOk;
  std::optional<ConfigMap> object;
  std::string describe() const override { return "api-response " + std::to_string(static_cast<int>(status)); }
};

struct ApiWatchEvent final : sim::Payload {
  WatchEventKind kind = WatchEventKind::kModified;
  ConfigMap object;
  std::string describe() const override { return "api-watch " + object.name; }
};

}  // namespace model::kubernetes
