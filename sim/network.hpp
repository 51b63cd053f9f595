#pragma once
// The simulated network: TCP-like connections between processes, under partitions, one-way cuts
// and latency spikes.
//
// A connection is two FIFO directions. Each segment (handshake, data, FIN, RST) draws its latency
// from the network's own PRNG stream and is delivered at max(now + latency + link extra, the
// previous delivery in that direction), so nothing overtakes and nothing is duplicated.
//
// A cut makes a direction silent, never closed: whatever is in flight or sent while it lasts is
// held, in order, and flows again after the heal with fresh latencies, as TCP retransmission
// would. Peers learn of a partition only through their own timeouts. A held queue longer than
// NetworkConfig::held_max is the sender's stack giving up: the sender gets kReset at once and the
// peer gets an RST when it becomes reachable.
//
// A crashed process's endpoints die silently (the kernel has already closed its mailboxes); each
// peer gets kReset reset_delay + latency later, behind the data already on the wire.
//
// Everything the network does is a kernel callback: no real time, no threads, and every
// iteration that affects behaviour is over integer ids in order. Connection lifecycle and
// topology changes are recorded under trace category "net"; per-segment sends and deliveries are
// hashed only, as kernel events of kinds 16..31.
#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sim/ids.hpp"
#include "sim/latency.hpp"
#include "sim/mail.hpp"
#include "sim/prng.hpp"
#include "sim/time.hpp"
#include "sim/trace.hpp"

namespace sim {

class Simulation;

// One end of a connection. Ids are never reused: an id kept after its connection ended stays dead
// instead of reaching a newer connection. Mail::channel carries it.
using EndpointId = std::uint64_t;
inline constexpr EndpointId kNoEndpoint = std::numeric_limits<EndpointId>::max();

// Mail::tag values of network notifications. Mail::channel is always the receiving endpoint.
// The base keeps them apart from model tags.
struct NetTag {
  static constexpr std::uint32_t kBase = 0x4e00;
  static constexpr std::uint32_t kAccepted = kBase + 1;   // to the accept box; a new server endpoint
  static constexpr std::uint32_t kConnected = kBase + 2;  // the connector's endpoint is open
  static constexpr std::uint32_t kRefused = kBase + 3;    // nobody listens there, or the process is down
  static constexpr std::uint32_t kData = kBase + 4;       // Mail::payload is the message
  static constexpr std::uint32_t kClosed = kBase + 5;     // the peer closed cleanly
  static constexpr std::uint32_t kReset = kBase + 6;      // the peer crashed or the connection broke
  static constexpr bool contains(std::uint32_t tag) { return tag > kBase && tag <= kReset; }
};

struct NetworkConfig {
  LatencyModel latency;
  // How long a crashed process's host takes to answer for it with an RST.
  Duration reset_delay = milliseconds(1);
  // Data segments a direction may hold during a cut before its sender gives up.
  std::size_t held_max = 10'000;
};

struct NetworkStats {
  std::uint64_t connects = 0;
  std::uint64_t accepts = 0;
  std::uint64_t refusals = 0;
  std::uint64_t aborts = 0;  // connections reset by a crash, an overflow or a full mailbox
  std::uint64_t data_sent = 0;
  std::uint64_t data_delivered = 0;
  std::uint64_t data_dropped = 0;  // reached an endpoint that was no longer open
};

class Network {
 public:
  // Registers a crash listener with `sim` that cannot be removed: the network must outlive every
  // later run_until of `sim`.
  Network(Simulation& sim, NetworkConfig config);
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // --- connections (from the owning process's fibers, or from callbacks) ---
  // kAccepted mail for connections to (process, port) goes to `accept_box`. A listener ends with
  // its process's crash, or when its box goes stale.
  void listen(ProcessId process, std::uint16_t port, MailboxId accept_box);
  void unlisten(ProcessId process, std::uint16_t port);
  // The new endpoint is connecting: `box` gets kConnected or kRefused, or nothing at all while a
  // cut separates the two processes (the connector times out on its own).
  EndpointId connect(ProcessId from, ProcessId to, std::uint16_t port, MailboxId box);
  // False when the endpoint is no longer open (its peer closed or reset, it was closed, its
  // process crashed) or the held queue overflowed. Sending before kConnected is a bug.
  bool send(EndpointId endpoint, std::shared_ptr<const Payload> payload);
  // The peer gets kClosed after the data already sent. A no-op on an endpoint that is not open.
  void close(EndpointId endpoint);
  // Where the endpoint's notifications go from now on. A server endpoint starts with its
  // listener's accept box.
  void set_mailbox(EndpointId endpoint, MailboxId box);

  bool open(EndpointId endpoint) const;
  ProcessId owner(EndpointId endpoint) const;
  ProcessId peer(EndpointId endpoint) const;
  // Segments queued from this endpoint towards its peer: in flight or held.
  std::size_t in_transit(EndpointId endpoint) const;
  std::size_t connections_live() const { return live_.size(); }
  const NetworkStats& stats() const { return stats_; }

  // --- faults (from the event loop) ---
  // Processes in different groups cannot talk; a process in no group talks to everyone.
  // Replaces the previous groups and pairs healed since; one-way cuts stay.
  void partition(const std::vector<std::vector<ProcessId>>& groups);
  // `process` on one side, every other process on the other. (A single group alone isolates
  // nothing: processes in no group talk to everyone.)
  void isolate(ProcessId process);
  // from -> to goes silent; to -> from still flows.
  void cut(ProcessId from, ProcessId to);
  // Every group, cut and healed pair is gone.
  void heal();
  // a and b talk again both ways, whatever the groups and cuts say.
  void heal(ProcessId a, ProcessId b);
  // Added to every segment sent between a and b (both directions) from now on.
  void set_extra_latency(ProcessId a, ProcessId b, Duration extra);
  void clear_extra_latency(ProcessId a, ProcessId b);
  bool reachable(ProcessId from, ProcessId to) const;

 private:
  enum class EndState : std::uint8_t { kUnborn, kConnecting, kOpen, kDone };
  enum class SegmentKind : std::uint8_t { kSyn, kSynAck, kRefuse, kData, kFin, kRst };
  struct Segment {
    Instant deliver_at;
    std::shared_ptr<const Payload> payload;
    SegmentKind kind = SegmentKind::kData;
  };
  // Kept for the whole run, so that ids stay answerable after their connection is gone.
  struct End {
    ProcessId owner = kNoProcess;
    MailboxId box;
    EndState state = EndState::kUnborn;
  };
  // Segments from one end to the other. While held, none of them is scheduled, and the pump (the
  // one pending callback that delivers the front segment) is disarmed.
  struct Direction {
    std::deque<Segment> queue;
    Instant last_deliver_at;
    std::uint64_t sent = 0;
    std::uint64_t delivered = 0;
    std::uint32_t pump_generation = 0;
    bool pump_armed = false;
    bool held = false;
  };
  // The in-flight state of one connection, freed when neither end is alive any more.
  // Endpoint 2i connected and endpoint 2i + 1 accepted; directions[s] leaves endpoint 2i + s.
  struct Wire {
    std::array<Direction, 2> directions;
    std::uint16_t port = 0;
  };
  using ConnectionIndex = std::uint32_t;

  static ConnectionIndex index_of(EndpointId endpoint) { return static_cast<ConnectionIndex>(endpoint >> 1); }
  static EndpointId peer_of(EndpointId endpoint) { return endpoint ^ 1; }
  static bool alive(const End& end) { return end.state == EndState::kConnecting || end.state == EndState::kOpen; }

  const End& end_of(EndpointId endpoint) const;
  End& end_of(EndpointId endpoint);
  Direction* direction_from(EndpointId from);
  void assert_caller_owns(ProcessId owner) const;
  void enqueue(EndpointId from, SegmentKind kind, std::shared_ptr<const Payload> payload, Duration extra_delay);
  Instant next_deliver_at(Direction& direction, EndpointId from, Duration extra_delay);
  void arm(EndpointId from);
  static void disarm(Direction& direction);
  static void clear(Direction& direction);
  void pump(EndpointId from, std::uint32_t generation);
  void deliver(EndpointId to, Segment segment);
  void deliver_syn(EndpointId server);
  void deliver_data(EndpointId to, std::shared_ptr<const Payload> payload);
  void finish(EndpointId endpoint, std::uint32_t tag, const char* event);
  bool notify(EndpointId endpoint, std::uint32_t tag, std::shared_ptr<const Payload> payload);
  void abort(EndpointId endpoint, const char* reason, bool tell_local);
  void end_silently(EndpointId endpoint);
  void free_if_finished(EndpointId endpoint);
  void on_process_crash(ProcessId process);
  void apply_topology();
  void hold(EndpointId from);
  void release(EndpointId from);
  Duration link_extra(ProcessId from, ProcessId to) const;
  void record(const char* name, ProcessId process, std::vector<TraceField> fields);
  std::vector<TraceField> endpoint_fields(EndpointId endpoint) const;
  std::string describe_groups(const std::vector<std::vector<ProcessId>>& groups) const;

  Simulation& sim_;
  NetworkConfig config_;
  Prng rng_;
  NetworkStats stats_;
  std::vector<End> ends_;                      // index = endpoint id
  std::vector<std::unique_ptr<Wire>> wires_;   // index = connection index; null once finished
  std::set<ConnectionIndex> live_;
  std::map<std::pair<ProcessId, std::uint16_t>, MailboxId> listeners_;
  // Topology. Index = process; -1 = in no group.
  std::vector<std::int32_t> group_of_;
  std::set<std::pair<ProcessId, ProcessId>> cuts_;     // (from, to)
  std::set<std::pair<ProcessId, ProcessId>> bridges_;  // (low, high): healed across groups
  std::map<std::pair<ProcessId, ProcessId>, Duration> extra_latency_;  // (low, high)
};

}  // namespace sim
