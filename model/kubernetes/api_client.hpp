#pragma once
// One process's HTTP client to the API server (fabric8's OkHttp client reduced to what failover
// depends on), used from exactly one fiber. Each call connects if needed, sends one request and
// waits for its response up to the request timeout (fabric8 Config: connection and request
// timeouts 10 s). A timeout, a refusal or a reset is an error the caller sees (a
// KubernetesClientException); the connection is then dropped and the next call reconnects. A
// request that timed out may still have been applied: the caller cannot tell.
#include <cstdint>
#include <optional>

#include "model/kubernetes/api_messages.hpp"
#include "sim/network.hpp"
#include "sim/simulation.hpp"

namespace model::kubernetes {

struct ApiClientOptions {
  sim::ProcessId server = sim::kNoProcess;
  sim::Duration connect_timeout = sim::seconds(10);
  sim::Duration request_timeout = sim::seconds(10);
};

class ApiClient {
 public:
  ApiClient(sim::Simulation& sim, sim::Network& net, sim::ProcessId owner, ApiClientOptions options);
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;
  ~ApiClient();

  // nullopt: no answer (timeout, refused, reset). Otherwise the server's answer.
  std::optional<ApiResponse> call(ApiRequest request);

  std::optional<ApiResponse> get(const std::string& name);
  std::optional<ApiResponse> create(ConfigMap object);
  std::optional<ApiResponse> update(ConfigMap object);
  std::optional<ApiResponse> remove(const std::string& name);

  sim::Simulation& sim() const { return sim_; }
  sim::ProcessId owner() const { return owner_; }

 private:
  bool ensure_connected();
  void disconnect();

  sim::Simulation& sim_;
  sim::Network& net_;
  sim::ProcessId owner_;
  ApiClientOptions options_;
  sim::MailboxId box_{};
  sim::EndpointId endpoint_ = sim::kNoEndpoint;
  std::uint64_t next_id_ = 1;
};

}  // namespace model::kubernetes
