#include "model/kubernetes/config_map_watch.hpp"

#include <memory>

namespace model::kubernetes {
namespace {
constexpr sim::Duration kConnectTimeout = sim::seconds(10);
constexpr sim::Duration kRewatchDelay = sim::seconds(1);
}  // namespace

ConfigMapWatch::ConfigMapWatch(sim::Simulation& sim, sim::Network& net, sim::ProcessId owner, sim::ProcessId server,
                               std::string name, ConfigMapListener listener)
    : sim_(sim), net_(net), owner_(owner), server_(server), name_(std::move(name)), listener_(std::move(listener)) {}

void ConfigMapWatch::start() {
  box_ = sim_.mailbox_open(owner_, kBoxMax);
  sim_.spawn(owner_, "configmap-watch", [this] { run(); });
}

void ConfigMapWatch::run() {
  for (;;) {
    watch_once();
    sim_.sleep(kRewatchDelay);
  }
}

bool ConfigMapWatch::watch_once() {
  const sim::EndpointId endpoint = net_.connect(owner_, server_, kApiServerPort, box_);
  bool connected = false;
  const sim::Instant deadline = sim_.now() + kConnectTimeout;
  while (!connected && sim_.now() < deadline) {
    const std::optional<sim::Mail> mail = sim_.receive(box_, deadline - sim_.now());
    if (!mail) break;
    if (mail->channel != endpoint) continue;
    if (mail->tag == sim::NetTag::kConnected) connected = true;
    if (mail->tag == sim::NetTag::kRefused || mail->tag == sim::NetTag::kReset) break;
  }
  if (!connected) {
    net_.close(endpoint);
    return false;
  }
  auto request = std::make_shared<ApiRequest>();
  request->id = 1;
  request->verb = Verb::kWatch;
  request->name = name_;
  if (!net_.send(endpoint, std::move(request))) return false;
  for (;;) {
    const std::optional<sim::Mail> mail = sim_.receive(box_);
    if (!mail) return true;
    if (mail->channel != endpoint) continue;
    if (mail->tag == sim::NetTag::kReset || mail->tag == sim::NetTag::kClosed) {
      net_.close(endpoint);
      return true;
    }
    if (mail->tag != sim::NetTag::kData) continue;
    if (const auto* response = sim::payload_as<ApiResponse>(*mail)) {
      if (response->status != Status::kOk) {  // 429: no watch; try again later
        net_.close(endpoint);
        return true;
      }
      listener_(response->object);
    } else if (const auto* event = sim::payload_as<ApiWatchEvent>(*mail)) {
      if (event->kind == WatchEventKind::kDeleted) {
        listener_(std::nullopt);
      } else {
        listener_(event->object);
      }
    }
  }
}

}  // namespace model::kubernetes
