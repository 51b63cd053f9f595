// Client connections at a server: session establishment and revalidation, per-session request
// order (a read waits behind the session's earlier writes, as the CommitProcessor orders them),
// local reads with watch registration, and answers delivered when a txn is applied here, with
// the watch notifications it fired sent first.
#include <algorithm>

#include "model/zookeeper/zk_server.hpp"
#include "model/probes.hpp"

namespace model::zk {
namespace {

// A txn the leader turned into SessionMoved: a plain error txn, or a multi whose first op carries it.
bool moved(const TxnResult& result) {
  if (result.err == Code::SessionMoved) return true;
  return std::any_of(result.multi.begin(), result.multi.end(), [](const OpResult& op) { return op.err == Code::SessionMoved; });
}

bool is_read(const ClientOp& op) {
  return std::holds_alternative<GetDataRequest>(op) || std::holds_alternative<ExistsRequest>(op) ||
         std::holds_alternative<GetChildrenRequest>(op);
}

}  // namespace

void ZkServer::on_client_mail(sim::EndpointId endpoint, const sim::Mail& mail) {
  if (const auto* connect = sim::payload_as<ConnectRequest>(mail.payload.get())) {
    on_connect_request(endpoint, *connect);
  } else if (const auto* request = sim::payload_as<ClientRequest>(mail.payload.get())) {
    on_client_request(endpoint, *request);
  }
}

void ZkServer::on_connect_request(sim::EndpointId endpoint, const ConnectRequest& request) {
  if (!serving_) {
    // "ZooKeeperServer not running": the client moves on to the next server.
    close_client(endpoint);
    return;
  }
  const sim::Duration timeout = negotiate_session_timeout(request.timeout, env_.config->session_bounds());
  if (request.session != 0) {
    // processConnectRequest: serverCnxnFactory.closeSession(sessionId, CLIENT_RECONNECT) before
    // reopenSession. The connection this server holds for the session (sessionMap keeps the latest,
    // so at most one) is closed with its watches, before the session is revalidated.
    std::vector<sim::EndpointId> older;
    for (const auto& [other, connection] : clients_) {
      if (other != endpoint && connection.session == request.session) older.push_back(other);
    }
    for (const sim::EndpointId other : older) {
      trace("reconnect-closes-old-connection", {{"session", request.session}});
      close_client(other);
    }
  }
  clients_[endpoint] = ClientConnection{request.session, false, 0, {}};
  if (request.session == 0) {
    route_to_leader(0, RequestOrigin{index_, endpoint, 0}, ForwardedRequest::CreateSession{timeout});
  } else {
    route_to_leader(request.session, RequestOrigin{index_, endpoint, 0}, ForwardedRequest::Revalidate{request.session});
  }
}

// A follower forwards to its leader; the leader handles its own clients' requests directly.
void ZkServer::route_to_leader(SessionId session, const RequestOrigin& origin, ForwardedRequest::Body body) {
  auto forwarded = std::make_shared<ForwardedRequest>();
  forwarded->session = session;
  forwarded->origin = origin;
  forwarded->request = std::move(body);
  if (state_ == PeerState::kLeading) {
    leader_accept(session, origin, *forwarded, kLeaderOwnConnections);
  } else {
    send(leader_link_, forwarded);
  }
}

void ZkServer::finish_connect(sim::EndpointId endpoint, SessionId session, sim::Duration timeout, bool valid) {
  auto client = clients_.find(endpoint);
  if (client == clients_.end()) return;
  auto response = std::make_shared<ConnectResponse>();
  response->session = session;
  response->timeout = valid ? timeout : sim::Duration{};
  env_.net->send(endpoint, response);
  if (!valid) {
    trace("connect-expired", {{"session", session}});
    close_client(endpoint);
    return;
  }
  client->second.session = session;
  client->second.established = true;
  touch_session(session);
}

void ZkServer::on_client_request(sim::EndpointId endpoint, const ClientRequest& request) {
  auto client = clients_.find(endpoint);
  if (client == clients_.end() || !client->second.established) return;
  touch_session(client->second.session);
  if (std::holds_alternative<PingRequest>(request.op)) {
    auto pong = std::make_shared<ClientReply>();
    pong->xid = kPingXid;
    pong->zxid = applied_ == 0 ? 0 : log_.entries[applied_ - 1].header.zxid;
    pong->result = EmptyResponse{};
    env_.net->send(endpoint, pong);
    return;
  }
  if (const auto* set_watches = std::get_if<SetWatchesRequest>(&request.op)) {
    notify_watchers(tree_.set_watches(endpoint, *set_watches));
    auto reply = std::make_shared<ClientReply>();
    reply->xid = kSetWatchesXid;
    reply->result = EmptyResponse{};
    env_.net->send(endpoint, reply);
    return;
  }
  client->second.waiting.push_back(request);
  drain_waiting(endpoint);
}

// Requests leave the queue in order: writes and syncs are submitted at once, a read waits until
// every earlier write of the session has been answered.
void ZkServer::drain_waiting(sim::EndpointId endpoint) {
  auto client = clients_.find(endpoint);
  while (client != clients_.end() && !client->second.waiting.empty()) {
    ClientConnection& connection = client->second;
    const ClientRequest next = connection.waiting.front();
    if (is_read(next.op)) {
      if (connection.writes_pending > 0) return;
      connection.waiting.erase(connection.waiting.begin());
      answer_read(endpoint, next);
      continue;
    }
    connection.waiting.erase(connection.waiting.begin());
    connection.writes_pending++;
    const RequestOrigin origin{index_, endpoint, next.xid};
    if (const auto* sync = std::get_if<SyncRequest>(&next.op)) {
      route_to_leader(connection.session, origin, ForwardedRequest::Sync{sync->path});
    } else {
      route_to_leader(connection.session, origin, std::get<WriteRequest>(next.op));
    }
    client = clients_.find(endpoint);
  }
}

void ZkServer::answer_read(sim::EndpointId endpoint, const ClientRequest& request) {
  auto reply = std::make_shared<ClientReply>();
  reply->xid = request.xid;
  reply->zxid = applied_ == 0 ? 0 : log_.entries[applied_ - 1].header.zxid;
  const auto watcher = [endpoint](bool watch) { return watch ? std::optional<WatcherId>(static_cast<WatcherId>(endpoint)) : std::nullopt; };
  if (const auto* get = std::get_if<GetDataRequest>(&request.op)) {
    GetDataResponse response = tree_.get_data(get->path, watcher(get->watch));
    reply->err = response.err;
    reply->result = std::move(response);
  } else if (const auto* exists = std::get_if<ExistsRequest>(&request.op)) {
    ExistsResponse response = tree_.exists(exists->path, watcher(exists->watch));
    reply->err = response.err;
    reply->result = std::move(response);
  } else {
    const auto& children = std::get<GetChildrenRequest>(request.op);
    GetChildrenResponse response = tree_.get_children(children.path, watcher(children.watch));
    reply->err = response.err;
    reply->result = std::move(response);
  }
  env_.net->send(endpoint, reply);
}

void ZkServer::notify_watchers(const std::vector<WatchEvent>& events) {
  for (const WatchEvent& event : events) {
    const auto endpoint = static_cast<sim::EndpointId>(event.watcher);
    if (clients_.count(endpoint) == 0) continue;
    auto notification = std::make_shared<WatchNotification>();
    notification->type = event.type;
    notification->path = event.path;
    env_.net->send(endpoint, notification);
  }
}

void ZkServer::deliver_result(const LogEntry& entry, const TxnResult& result) {
  notify_watchers(result.events);
  const RequestOrigin& origin = entry.origin;
  const bool ours = origin.server == index_ && clients_.count(origin.connection) != 0;
  if (const auto* created = std::get_if<CreateSessionTxn>(&entry.txn)) {
    if (ours) finish_connect(origin.connection, created->session, created->timeout, true);
    return;
  }
  // The write's connection closed before it committed: applied, but its client saw ConnectionLoss.
  if (origin.connection != 0 && origin.server == index_ && !ours &&
      !std::holds_alternative<CloseSessionTxn>(std::get<Txn>(entry.txn))) {
    model::probe(*env_.sim, model::Probe::kZkWriteCommittedAfterClientLeft);
  }
  if (ours && moved(result)) {
    // FinalRequestProcessor: SessionMovedException is a connection-level error. The server answers
    // nothing and closes the connection (cnxn.sendCloseSession), so the client sees ConnectionLoss
    // and reconnects (ZOOKEEPER-710).
    trace("session-moved-close", {{"session", entry.header.session}, {"zxid", entry.header.zxid}});
    close_client(origin.connection);
    return;
  }
  if (ours && drop_next_write_reply_ && !std::holds_alternative<CloseSessionTxn>(std::get<Txn>(entry.txn))) {
    drop_next_write_reply_ = false;
    trace("fault-drop-reply", {{"zxid", entry.header.zxid}, {"xid", std::int64_t{origin.xid}}});
    close_client(origin.connection);
    return;
  }
  if (ours) {
    auto reply = std::make_shared<ClientReply>();
    reply->xid = origin.xid;
    reply->zxid = entry.header.zxid;
    // FinalRequestProcessor leaves the header's err OK for OpCode.multi: the codes travel only in
    // the per-op results. (A multi turned into an ErrorTxn, e.g. of an expired session, is not
    // OpCode.multi any more and carries its code in the header.)
    const bool multi = std::holds_alternative<MultiTxn>(std::get<Txn>(entry.txn));
    reply->err = multi ? Code::Ok : result.err;
    reply->result = result;
    env_.net->send(origin.connection, reply);
    ClientConnection& connection = clients_[origin.connection];
    connection.writes_pending--;
    SIM_ASSERT(connection.writes_pending >= 0);
  }
  if (std::holds_alternative<CloseSessionTxn>(std::get<Txn>(entry.txn))) {
    // The session is gone: drop its connection here, whether it asked (close) or not (expiry).
    std::vector<sim::EndpointId> doomed;
    for (const auto& [endpoint, connection] : clients_) {
      if (connection.session == entry.header.session) doomed.push_back(endpoint);
    }
    for (const sim::EndpointId endpoint : doomed) close_client(endpoint);
    return;
  }
  if (ours) drain_waiting(origin.connection);
}

void ZkServer::answer_syncs() {
  const Zxid applied_zxid = applied_ == 0 ? 0 : log_.entries[applied_ - 1].header.zxid;
  for (std::size_t i = 0; i < syncs_waiting_.size();) {
    const SyncWaiting waiting = syncs_waiting_[i];
    if (waiting.zxid > applied_zxid) {
      i++;
      continue;
    }
    syncs_waiting_.erase(syncs_waiting_.begin() + static_cast<std::ptrdiff_t>(i));
    auto client = clients_.find(waiting.endpoint);
    if (client == clients_.end()) continue;
    auto reply = std::make_shared<ClientReply>();
    reply->xid = waiting.xid;
    reply->zxid = applied_zxid;
    reply->result = SyncResponse{Code::Ok, waiting.path};
    env_.net->send(waiting.endpoint, reply);
    client->second.writes_pending--;
    drain_waiting(waiting.endpoint);
  }
}

void ZkServer::touch_session(SessionId session) {
  if (session == 0) return;
  if (state_ == PeerState::kLeading && tracker_) {
    tracker_->touch(session, env_.sim->now());
  } else {
    touched_.insert(session);
  }
}

void ZkServer::close_client(sim::EndpointId endpoint) {
  tree_.remove_watcher(static_cast<WatcherId>(endpoint));
  clients_.erase(endpoint);
  links_.erase(endpoint);
  env_.net->close(endpoint);
}

void ZkServer::close_all_clients() {
  std::vector<sim::EndpointId> endpoints;
  for (const auto& [endpoint, connection] : clients_) endpoints.push_back(endpoint);
  for (const sim::EndpointId endpoint : endpoints) close_client(endpoint);
}

}  // namespace model::zk
