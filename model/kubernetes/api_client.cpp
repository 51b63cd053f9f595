#include "model/kubernetes/api_client.hpp"

#include <memory>

#include "sim/assert.hpp"

namespace model::kubernetes {
namespace {
// Responses and notifications of one connection at a time; stale ones of an older connection are
// read and dropped.
constexpr std::size_t kClientBoxMax = 256;
}  // namespace

ApiClient::ApiClient(sim::Simulation& sim, sim::Network& net, sim::ProcessId owner, ApiClientOptions options)
    : sim_(sim), net_(net), owner_(owner), options_(options) {
  SIM_ASSERT(options_.server != sim::kNoProcess);
  box_ = sim_.mailbox_open(owner_, kClientBoxMax);
}

ApiClient::~ApiClient() { disconnect(); }

void ApiClient::disconnect() {
  if (endpoint_ != sim::kNoEndpoint) net_.close(endpoint_);
  endpoint_ = sim::kNoEndpoint;
}

bool ApiClient::ensure_connected() {
  if (endpoint_ != sim::kNoEndpoint && net_.open(endpoint_)) return true;
  disconnect();
  endpoint_ = net_.connect(owner_, options_.server, kApiServerPort, box_);
  const sim::Instant deadline = sim_.now() + options_.connect_timeout;
  while (sim_.now() < deadline) {
    const std::optional<sim::Mail> mail = sim_.receive(box_, deadline - sim_.now());
    if (!mail) break;
    if (mail->channel != endpoint_) continue;
    if (mail->tag == sim::NetTag::kConnected) return true;
    if (mail->tag == sim::NetTag::kRefused || mail->tag == sim::NetTag::kReset) break;
  }
  disconnect();
  return false;
}

std::optional<ApiResponse> ApiClient::call(ApiRequest request) {
  SIM_ASSERT(sim_.current_process() == owner_);
  if (!ensure_connected()) return std::nullopt;
  request.id = next_id_++;
  const std::uint64_t id = request.id;
  if (!net_.send(endpoint_, std::make_shared<ApiRequest>(std::move(request)))) {
    disconnect();
    return std::nullopt;
  }
  const sim::Instant deadline = sim_.now() + options_.request_timeout;
  while (sim_.now() < deadline) {
    const std::optional<sim::Mail> mail = sim_.receive(box_, deadline - sim_.now());
    if (!mail) break;
    if (mail->channel != endpoint_) continue;
    if (mail->tag == sim::NetTag::kReset || mail->tag == sim::NetTag::kClosed) break;
    if (mail->tag != sim::NetTag::kData) continue;
    const auto* response = sim::payload_as<ApiResponse>(*mail);
    if (response != nullptr && response->id == id) return *response;
  }
  // OkHttp cancels the call and the connection with it; a late answer is never taken for a newer
  // request because the next call runs on a new connection.
  disconnect();
  return std::nullopt;
}

std::optional<ApiResponse> ApiClient::get(const std::string& name) {
  ApiRequest request;
  request.verb = Verb::kGet;
  request.name = name;
  return call(std::move(request));
}

std::optional<ApiResponse> ApiClient::create(ConfigMap object) {
  ApiRequest request;
  request.verb = Verb::kCreate;
  request.name = object.name;
  request.object = std::move(object);
  return call(std::move(request));
}

std::optional<ApiResponse> ApiClient::update(ConfigMap object) {
  ApiRequest request;
  request.verb = Verb::kUpdate;
  request.name = object.name;
  request.object = std::move(object);
  return call(std::move(request));
}

std::optional<ApiResponse> ApiClient::remove(const std::string& name) {
  ApiRequest request;
  request.verb = Verb::kDelete;
  request.name = name;
  return call(std::move(request));
}

}  // namespace model::kubernetes
