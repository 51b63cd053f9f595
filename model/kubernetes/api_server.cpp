#include "model/kubernetes/api_server.hpp"

#include <memory>

namespace model::kubernetes {

ApiServer::ApiServer(sim::Simulation& sim, sim::Network& net, ConfigMapStore& store, sim::ProcessId self)
    : sim_(sim), net_(net), store_(store), self_(self) {}

// The process died: its watches die with it, the objects stay (they are etcd's).
ApiServer::~ApiServer() {
  for (const auto& [endpoint, ids] : watches_) {
    for (const WatchId id : ids) store_.unwatch(id);
  }
}

void ApiServer::start() {
  box_ = sim_.mailbox_open(self_, kInboxMax);
  net_.listen(self_, kApiServerPort, box_);
  sim_.spawn(self_, "apiserver", [this] { serve(); });
}

void ApiServer::serve() {
  for (;;) {
    const std::optional<sim::Mail> mail = sim_.receive(box_);
    if (!mail) return;
    const sim::EndpointId endpoint = mail->channel;
    if (mail->tag == sim::NetTag::kReset || mail->tag == sim::NetTag::kClosed) {
      drop_watches(endpoint);
      continue;
    }
    if (mail->tag != sim::NetTag::kData) continue;
    if (const auto* request = sim::payload_as<ApiRequest>(*mail)) handle(endpoint, *request);
  }
}

void ApiServer::handle(sim::EndpointId endpoint, const ApiRequest& request) {
  auto response = std::make_shared<ApiResponse>();
  response->id = request.id;
  switch (request.verb) {
    case Verb::kGet:
      response->object = store_.get(request.name);
      response->status = response->object ? Status::kOk : Status::kNotFound;
      break;
    case Verb::kCreate: {
      WriteResult result = store_.create(request.object);
      response->status = result.status;
      response->object = std::move(result.object);
      break;
    }
    case Verb::kUpdate: {
      WriteResult result = store_.update(request.object);
      response->status = result.status;
      response->object = std::move(result.object);
      break;
    }
    case Verb::kDelete: {
      WriteResult result = store_.remove(request.name, request.expected_version);
      response->status = result.status;
      break;
    }
    case Verb::kWatch: {
      // The answer carries the current object (list-then-watch in one step); every later change
      // follows on this connection, in commit order.
      sim::Network* net = &net_;
      const auto id = store_.watch(request.name, [net, endpoint](WatchEventKind kind, const ConfigMap& object) {
        auto event = std::make_shared<ApiWatchEvent>();
        event->kind = kind;
        event->object = object;
        net->send(endpoint, std::move(event));  // a dead connection's watch is dropped on its reset
      });
      if (!id) {
        response->status = Status::kTooManyRequests;
        break;
      }
      watches_[endpoint].push_back(*id);
      response->object = store_.get(request.name);
      response->status = Status::kOk;
      break;
    }
  }
  net_.send(endpoint, std::move(response));
}

void ApiServer::drop_watches(sim::EndpointId endpoint) {
  const auto found = watches_.find(endpoint);
  if (found == watches_.end()) return;
  for (const WatchId id : found->second) store_.unwatch(id);
  watches_.erase(found);
}

}  // namespace model::kubernetes
