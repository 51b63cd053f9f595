#include "model/zookeeper/protocol.hpp"

#include <fmt/core.h>

namespace model::zk {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

std::string describe_write(const WriteRequest& request) {
  return std::visit(Overloaded{
                        [](const CreateRequest& r) { return "create " + r.path; },
                        [](const DeleteRequest& r) { return fmt::format("delete {} v{}", r.path, r.version); },
                        [](const SetDataRequest& r) { return fmt::format("setData {} v{}", r.path, r.version); },
                        [](const CheckRequest& r) { return fmt::format("check {} v{}", r.path, r.version); },
                        [](const MultiRequest& r) { return fmt::format("multi of {}", r.ops.size()); },
                        [](const CloseSessionRequest&) { return std::string("closeSession"); },
                        [](const DeleteContainerRequest& r) { return "deleteContainer " + r.path; },
                    },
                    request);
}

std::string describe_txn(const LoggedTxn& txn) {
  if (const auto* session = std::get_if<CreateSessionTxn>(&txn)) {
    return fmt::format("createSession {:#x}", session->session);
  }
  return std::visit(Overloaded{
                        [](const CreateTxn& t) { return "create " + t.path; },
                        [](const DeleteTxn& t) { return "delete " + t.path; },
                        [](const SetDataTxn& t) { return "setData " + t.path; },
                        [](const CheckVersionTxn& t) { return "check " + t.path; },
                        [](const ErrorTxn& t) { return fmt::format("error {}", static_cast<int>(t.err)); },
                        [](const MultiTxn& t) { return fmt::format("multi of {}", t.txns.size()); },
                        [](const CloseSessionTxn& t) { return fmt::format("closeSession ({} ephemerals)", t.paths_to_delete.size()); },
                    },
                    std::get<Txn>(txn));
}

}  // namespace

std::string_view to_string(PeerState state) {
  switch (state) {
    case PeerState::kLooking: return "LOOKING";
    case PeerState::kFollowing: return "FOLLOWING";
    case PeerState::kLeading: return "LEADING";
  }
  return "?";
}

std::string ConnectRequest::describe() const {
  return fmt::format("connect session={:#x} timeout={}ms last_zxid={:#x}", session, timeout.to_ms(), last_zxid_seen);
}

std::string ConnectResponse::describe() const {
  return fmt::format("connected session={:#x} timeout={}ms", session, timeout.to_ms());
}

std::string ClientRequest::describe() const {
  const std::string what = std::visit(Overloaded{
                                          [](const WriteRequest& r) { return describe_write(r); },
                                          [](const GetDataRequest& r) { return "getData " + r.path; },
                                          [](const ExistsRequest& r) { return "exists " + r.path; },
                                          [](const GetChildrenRequest& r) { return "getChildren " + r.path; },
                                          [](const SyncRequest& r) { return "sync " + r.path; },
                                          [](const PingRequest&) { return std::string("ping"); },
                                          [](const SetWatchesRequest&) { return std::string("setWatches"); },
                                      },
                                      op);
  return fmt::format("xid={} {}", xid, what);
}

std::string ClientReply::describe() const {
  return fmt::format("reply xid={} zxid={:#x} err={}", xid, zxid, static_cast<int>(err));
}

std::string WatchNotification::describe() const {
  return fmt::format("watch {} {}", static_cast<int>(type), path);
}

std::string Vote::describe() const {
  return fmt::format("vote from={} leader={} zxid={:#x} epoch={} round={} state={}", from, leader, zxid, epoch, round,
                     to_string(state));
}

std::string FollowerInfo::describe() const {
  return fmt::format("FOLLOWERINFO from={} accepted_epoch={} last_zxid={:#x}", from, accepted_epoch, last_zxid);
}

std::string NewLeader::describe() const {
  return fmt::format("NEWLEADER epoch={} truncate_to={:#x} entries={}", epoch, truncate_to, entries.size());
}

std::string AckNewLeader::describe() const { return fmt::format("ACK NEWLEADER from={}", from); }

std::string Proposal::describe() const {
  return fmt::format("PROPOSAL zxid={:#x} {}", entry.header.zxid, describe_txn(entry.txn));
}

std::string Ack::describe() const { return fmt::format("ACK from={} zxid={:#x}", from, zxid); }

std::string Commit::describe() const { return fmt::format("COMMIT zxid={:#x}", zxid); }

std::string ForwardedRequest::describe() const {
  const std::string what = std::visit(Overloaded{
                                          [](const WriteRequest& r) { return describe_write(r); },
                                          [](const CreateSession&) { return std::string("createSession"); },
                                          [](const Revalidate& r) { return fmt::format("revalidate {:#x}", r.session); },
                                          [](const Sync& r) { return "sync " + r.path; },
                                      },
                                      request);
  return fmt::format("REQUEST from={} session={:#x} {}", origin.server, session, what);
}

std::string ForwardedReply::describe() const {
  return fmt::format("REPLY to={} session={:#x} valid={}", origin.server, session, session_valid);
}

std::string FollowerPing::describe() const { return fmt::format("PING from={} touched={}", from, touched.size()); }

}  // namespace model::zk
