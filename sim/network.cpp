#include "sim/network.hpp"

#include "sim/assert.hpp"
#include "sim/simulation.hpp"

namespace sim {
namespace {

// Kernel trace kinds 16..31 belong to the network. b packs a per-direction count with the
// segment kind, so that a reordering or a lost segment changes the hash.
enum NetTraceKind : std::uint32_t {
  kTraceSend = 16,
  kTraceDeliver = 17,
  kTraceDrop = 18,
  kTraceHold = 19,
  kTraceRelease = 20,
};

std::pair<ProcessId, ProcessId> unordered(ProcessId a, ProcessId b) {
  return a < b ? std::make_pair(a, b) : std::make_pair(b, a);
}

}  // namespace

Network::Network(Simulation& sim, NetworkConfig config)
    : sim_(sim), config_(config), rng_(sim.rng_stream("network")) {
  SIM_ASSERT(config_.reset_delay.ns >= 0);
  SIM_ASSERT(config_.held_max > 0);
  SIM_ASSERT(config_.latency.min.ns >= 0);
  sim_.on_crash([this](ProcessId process) { on_process_crash(process); });
}

// --- connections ---

void Network::listen(ProcessId process, std::uint16_t port, MailboxId accept_box) {
  SIM_ASSERT(process < sim_.process_count());
  SIM_ASSERT_MSG(sim_.mailbox_live(accept_box), "listen with a dead mailbox");
  assert_caller_owns(process);
  const auto key = std::make_pair(process, port);
  const auto it = listeners_.find(key);
  SIM_ASSERT_MSG(it == listeners_.end() || !sim_.mailbox_live(it->second), "port already listened on");
  listeners_[key] = accept_box;
  record("listen", process, {{"port", std::int64_t{port}}});
}

void Network::unlisten(ProcessId process, std::uint16_t port) {
  SIM_ASSERT(process < sim_.process_count());
  assert_caller_owns(process);
  if (listeners_.erase(std::make_pair(process, port)) != 0) {
    record("unlisten", process, {{"port", std::int64_t{port}}});
  }
}

EndpointId Network::connect(ProcessId from, ProcessId to, std::uint16_t port, MailboxId box) {
  SIM_ASSERT(from < sim_.process_count() && to < sim_.process_count());
  SIM_ASSERT_MSG(sim_.mailbox_live(box), "connect with a dead mailbox");
  SIM_ASSERT_MSG(sim_.process_state(from) == ProcessState::kUp || sim_.process_state(from) == ProcessState::kPaused,
                 "connect from a process that is not running");
  assert_caller_owns(from);
  SIM_ASSERT(wires_.size() < (std::size_t{1} << 31));  // a direction's id must fit the pump's 32 bits
  const auto index = static_cast<ConnectionIndex>(wires_.size());
  const EndpointId client = EndpointId{index} << 1;
  ends_.push_back(End{from, box, EndState::kConnecting});
  ends_.push_back(End{to, MailboxId{}, EndState::kUnborn});
  auto wire = std::make_unique<Wire>();
  wire->port = port;
  wire->directions[0].held = !reachable(from, to);
  wire->directions[1].held = !reachable(to, from);
  wires_.push_back(std::move(wire));
  live_.insert(index);
  stats_.connects++;
  std::vector<TraceField> fields = endpoint_fields(client);
  fields.push_back({"port", std::int64_t{port}});
  record("connect", from, std::move(fields));
  enqueue(client, SegmentKind::kSyn, nullptr, Duration{});
  return client;
}

bool Network::send(EndpointId endpoint, std::shared_ptr<const Payload> payload) {
  SIM_ASSERT(payload != nullptr);
  const End& end = end_of(endpoint);
  assert_caller_owns(end.owner);
  SIM_ASSERT_MSG(end.state != EndState::kConnecting, "send before kConnected");
  if (end.state != EndState::kOpen) return false;
  Direction& direction = *direction_from(endpoint);
  if (direction.held && direction.queue.size() >= config_.held_max) {
    abort(endpoint, "held_overflow", true);
    return false;
  }
  stats_.data_sent++;
  direction.sent++;
  sim_.trace().kernel(sim_.now(), kTraceSend, endpoint, direction.sent);
  enqueue(endpoint, SegmentKind::kData, std::move(payload), Duration{});
  return true;
}

void Network::close(EndpointId endpoint) {
  End& end = end_of(endpoint);
  assert_caller_owns(end.owner);
  if (!alive(end)) return;
  const bool was_open = end.state == EndState::kOpen;
  end.state = EndState::kDone;
  record("close", end.owner, endpoint_fields(endpoint));
  clear(*direction_from(peer_of(endpoint)));
  // A connector that gives up before the handshake completes resets what the server accepted.
  if (alive(ends_[peer_of(endpoint)])) {
    enqueue(endpoint, was_open ? SegmentKind::kFin : SegmentKind::kRst, nullptr, Duration{});
  }
  free_if_finished(endpoint);
}

void Network::set_mailbox(EndpointId endpoint, MailboxId box) {
  End& end = end_of(endpoint);
  assert_caller_owns(end.owner);
  SIM_ASSERT_MSG(sim_.mailbox_live(box), "set_mailbox with a dead mailbox");
  if (alive(end)) end.box = box;
}

bool Network::open(EndpointId endpoint) const { return end_of(endpoint).state == EndState::kOpen; }
ProcessId Network::owner(EndpointId endpoint) const { return end_of(endpoint).owner; }
ProcessId Network::peer(EndpointId endpoint) const { return end_of(peer_of(endpoint)).owner; }

std::size_t Network::in_transit(EndpointId endpoint) const {
  SIM_ASSERT_MSG(endpoint < ends_.size(), "an endpoint that was never created");
  const Wire* wire = wires_[index_of(endpoint)].get();
  return wire == nullptr ? 0 : wire->directions[endpoint & 1].queue.size();
}

const Network::End& Network::end_of(EndpointId endpoint) const {
  SIM_ASSERT_MSG(endpoint < ends_.size(), "an endpoint that was never created");
  return ends_[endpoint];
}

Network::End& Network::end_of(EndpointId endpoint) {
  SIM_ASSERT_MSG(endpoint < ends_.size(), "an endpoint that was never created");
  return ends_[endpoint];
}

Network::Direction* Network::direction_from(EndpointId from) {
  Wire* wire = wires_[index_of(from)].get();
  return wire == nullptr ? nullptr : &wire->directions[from & 1];
}

void Network::assert_caller_owns(ProcessId owner) const {
  SIM_ASSERT_MSG(!sim_.in_fiber() || sim_.current_process() == owner, "an endpoint used by another process");
}

// --- segments ---

void Network::enqueue(EndpointId from, SegmentKind kind, std::shared_ptr<const Payload> payload, Duration extra_delay) {
  Direction& direction = *direction_from(from);
  // A held segment gets its delivery time when the cut heals.
  const Instant deliver_at = direction.held ? Instant{} : next_deliver_at(direction, from, extra_delay);
  direction.queue.push_back(Segment{deliver_at, std::move(payload), kind});
  if (direction.queue.size() == 1) arm(from);
}

Instant Network::next_deliver_at(Direction& direction, EndpointId from, Duration extra_delay) {
  const Duration extra = link_extra(ends_[from].owner, ends_[peer_of(from)].owner);
  Instant at = sim_.now() + extra_delay + config_.latency.sample(rng_) + extra;
  if (at < direction.last_deliver_at) at = direction.last_deliver_at;  // nothing overtakes
  direction.last_deliver_at = at;
  return at;
}

void Network::arm(EndpointId from) {
  Direction* direction = direction_from(from);
  if (direction == nullptr || direction->held || direction->pump_armed || direction->queue.empty()) return;
  direction->pump_armed = true;
  // Two 32-bit words and `this`: small enough for std::function to store without allocating.
  const auto packed_from = static_cast<std::uint32_t>(from);
  const std::uint32_t generation = direction->pump_generation;
  sim_.at(direction->queue.front().deliver_at, [this, packed_from, generation] { pump(packed_from, generation); });
}

void Network::disarm(Direction& direction) {
  direction.pump_armed = false;
  direction.pump_generation++;
}

void Network::clear(Direction& direction) {
  direction.queue.clear();
  disarm(direction);
}

void Network::pump(EndpointId from, std::uint32_t generation) {
  Direction* direction = direction_from(from);
  if (direction == nullptr || !direction->pump_armed || direction->pump_generation != generation) return;
  direction->pump_armed = false;
  SIM_ASSERT(!direction->held && !direction->queue.empty());
  SIM_ASSERT(direction->queue.front().deliver_at <= sim_.now());
  Segment segment = std::move(direction->queue.front());
  direction->queue.pop_front();
  direction->delivered++;
  sim_.trace().kernel(sim_.now(), kTraceDeliver, peer_of(from),
                      (direction->delivered << 3) | static_cast<std::uint64_t>(segment.kind));
  deliver(peer_of(from), std::move(segment));
  arm(from);  // the delivery may have freed the wire; arm looks it up again
}

void Network::deliver(EndpointId to, Segment segment) {
  const EndState state = ends_[to].state;
  switch (segment.kind) {
    case SegmentKind::kSyn: deliver_syn(to); break;
    case SegmentKind::kSynAck:
      if (state == EndState::kConnecting) {
        ends_[to].state = EndState::kOpen;
        record("connected", ends_[to].owner, endpoint_fields(to));
        notify(to, NetTag::kConnected, nullptr);
      }
      break;
    case SegmentKind::kRefuse:
      if (state == EndState::kConnecting) finish(to, NetTag::kRefused, "refused");
      break;
    case SegmentKind::kData: deliver_data(to, std::move(segment.payload)); break;
    case SegmentKind::kFin:
      if (state == EndState::kOpen) finish(to, NetTag::kClosed, "closed");
      break;
    case SegmentKind::kRst:
      if (alive(ends_[to])) finish(to, NetTag::kReset, "reset");
      break;
  }
  free_if_finished(to);
}

void Network::deliver_syn(EndpointId server) {
  End& end = ends_[server];
  SIM_ASSERT(end.state == EndState::kUnborn);
  const auto it = listeners_.find(std::make_pair(end.owner, wires_[index_of(server)]->port));
  if (it == listeners_.end() || !sim_.mailbox_live(it->second)) {
    // The host answers for a process that is down or not listening.
    end.state = EndState::kDone;
    stats_.refusals++;
    enqueue(server, SegmentKind::kRefuse, nullptr, Duration{});
    return;
  }
  end.state = EndState::kOpen;
  end.box = it->second;
  stats_.accepts++;
  record("accept", end.owner, endpoint_fields(server));
  enqueue(server, SegmentKind::kSynAck, nullptr, Duration{});
  notify(server, NetTag::kAccepted, nullptr);
}

void Network::deliver_data(EndpointId to, std::shared_ptr<const Payload> payload) {
  if (ends_[to].state != EndState::kOpen) {
    stats_.data_dropped++;
    sim_.trace().kernel(sim_.now(), kTraceDrop, to, stats_.data_dropped);
    return;
  }
  if (notify(to, NetTag::kData, std::move(payload))) stats_.data_delivered++;
}

void Network::finish(EndpointId endpoint, std::uint32_t tag, const char* event) {
  ends_[endpoint].state = EndState::kDone;
  record(event, ends_[endpoint].owner, endpoint_fields(endpoint));
  notify(endpoint, tag, nullptr);
}

bool Network::notify(EndpointId endpoint, std::uint32_t tag, std::shared_ptr<const Payload> payload) {
  const End& end = ends_[endpoint];
  if (sim_.mailbox_post(end.box, Mail{tag, endpoint, std::move(payload)})) return true;
  const char* reason = sim_.mailbox_live(end.box) ? "mailbox_full" : "mailbox_stale";
  if (alive(end)) {
    abort(endpoint, reason, false);
  } else {
    std::vector<TraceField> fields = endpoint_fields(endpoint);
    fields.push_back({"reason", std::string(reason)});
    record("notice_lost", end.owner, std::move(fields));
  }
  return false;
}

// The endpoint's own stack gives up on the connection: what was queued either way is discarded
// and the peer gets an RST, held like anything else while a cut lasts.
void Network::abort(EndpointId endpoint, const char* reason, bool tell_local) {
  End& end = ends_[endpoint];
  const bool was_alive = alive(end);
  end.state = EndState::kDone;
  stats_.aborts++;
  std::vector<TraceField> fields = endpoint_fields(endpoint);
  fields.push_back({"reason", std::string(reason)});
  record("abort", end.owner, std::move(fields));
  clear(*direction_from(peer_of(endpoint)));
  clear(*direction_from(endpoint));
  if (alive(ends_[peer_of(endpoint)])) enqueue(endpoint, SegmentKind::kRst, nullptr, Duration{});
  if (tell_local && was_alive) sim_.mailbox_post(end.box, Mail{NetTag::kReset, endpoint, nullptr});
  free_if_finished(endpoint);
}

// The endpoint's process crashed. What it had already sent stays on the wire, and its host
// resets the connection behind that.
void Network::end_silently(EndpointId endpoint) {
  ends_[endpoint].state = EndState::kDone;
  stats_.aborts++;
  std::vector<TraceField> fields = endpoint_fields(endpoint);
  fields.push_back({"reason", std::string("process_crashed")});
  record("abort", ends_[endpoint].owner, std::move(fields));
  clear(*direction_from(peer_of(endpoint)));
  if (alive(ends_[peer_of(endpoint)])) enqueue(endpoint, SegmentKind::kRst, nullptr, config_.reset_delay);
  free_if_finished(endpoint);
}

void Network::free_if_finished(EndpointId endpoint) {
  const ConnectionIndex index = index_of(endpoint);
  if (wires_[index] == nullptr || alive(ends_[endpoint]) || alive(ends_[peer_of(endpoint)])) return;
  wires_[index].reset();  // pending pumps find no wire and do nothing
  live_.erase(index);
}

void Network::on_process_crash(ProcessId process) {
  listeners_.erase(listeners_.lower_bound(std::make_pair(process, std::uint16_t{0})),
                   listeners_.upper_bound(std::make_pair(process, std::uint16_t{0xffff})));
  const std::vector<ConnectionIndex> live(live_.begin(), live_.end());
  for (const ConnectionIndex index : live) {
    for (EndpointId endpoint = EndpointId{index} << 1; endpoint <= ((EndpointId{index} << 1) | 1); endpoint++) {
      if (ends_[endpoint].owner == process && alive(ends_[endpoint])) end_silently(endpoint);
    }
  }
}

// --- topology ---

void Network::partition(const std::vector<std::vector<ProcessId>>& groups) {
  group_of_.assign(sim_.process_count(), -1);
  for (std::size_t g = 0; g < groups.size(); g++) {
    for (const ProcessId process : groups[g]) {
      SIM_ASSERT(process < sim_.process_count());
      SIM_ASSERT_MSG(group_of_[process] == -1, "a process in two groups");
      group_of_[process] = static_cast<std::int32_t>(g);
    }
  }
  bridges_.clear();
  record("partition", kNoProcess, {{"groups", describe_groups(groups)}});
  apply_topology();
}

void Network::cut(ProcessId from, ProcessId to) {
  SIM_ASSERT(from < sim_.process_count() && to < sim_.process_count() && from != to);
  cuts_.insert(std::make_pair(from, to));
  record("cut", from, {{"to", sim_.process_name(to)}});
  apply_topology();
}

void Network::isolate(ProcessId process) {
  std::vector<ProcessId> others;
  for (ProcessId other = 0; other < sim_.process_count(); other++) {
    if (other != process) others.push_back(other);
  }
  partition({{process}, others});
}

void Network::heal() {
  group_of_.clear();
  cuts_.clear();
  bridges_.clear();
  record("heal", kNoProcess, {});
  apply_topology();
}

void Network::heal(ProcessId a, ProcessId b) {
  SIM_ASSERT(a < sim_.process_count() && b < sim_.process_count() && a != b);
  cuts_.erase(std::make_pair(a, b));
  cuts_.erase(std::make_pair(b, a));
  bridges_.insert(unordered(a, b));
  record("heal", a, {{"with", sim_.process_name(b)}});
  apply_topology();
}

void Network::set_extra_latency(ProcessId a, ProcessId b, Duration extra) {
  SIM_ASSERT(a < sim_.process_count() && b < sim_.process_count());
  SIM_ASSERT(extra.ns >= 0);
  extra_latency_[unordered(a, b)] = extra;
  record("latency_spike", a, {{"with", sim_.process_name(b)}, {"extra_us", extra.to_us()}});
}

void Network::clear_extra_latency(ProcessId a, ProcessId b) {
  SIM_ASSERT(a < sim_.process_count() && b < sim_.process_count());
  if (extra_latency_.erase(unordered(a, b)) != 0) record("latency_clear", a, {{"with", sim_.process_name(b)}});
}

bool Network::reachable(ProcessId from, ProcessId to) const {
  SIM_ASSERT(from < sim_.process_count() && to < sim_.process_count());
  if (from == to) return true;
  if (cuts_.count(std::make_pair(from, to)) != 0) return false;
  const std::int32_t group_from = from < group_of_.size() ? group_of_[from] : -1;
  const std::int32_t group_to = to < group_of_.size() ? group_of_[to] : -1;
  if (group_from < 0 || group_to < 0 || group_from == group_to) return true;
  return bridges_.count(unordered(from, to)) != 0;
}

void Network::apply_topology() {
  for (const ConnectionIndex index : live_) {
    for (EndpointId from = EndpointId{index} << 1; from <= ((EndpointId{index} << 1) | 1); from++) {
      if (reachable(ends_[from].owner, ends_[peer_of(from)].owner)) {
        release(from);
      } else {
        hold(from);
      }
    }
  }
}

void Network::hold(EndpointId from) {
  Direction& direction = *direction_from(from);
  if (direction.held) return;
  direction.held = true;
  disarm(direction);
  sim_.trace().kernel(sim_.now(), kTraceHold, from, direction.queue.size());
}

// As TCP retransmits after a partition: in order, each segment with a fresh latency.
void Network::release(EndpointId from) {
  Direction& direction = *direction_from(from);
  if (!direction.held) return;
  direction.held = false;
  direction.last_deliver_at = sim_.now();
  for (Segment& segment : direction.queue) segment.deliver_at = next_deliver_at(direction, from, Duration{});
  sim_.trace().kernel(sim_.now(), kTraceRelease, from, direction.queue.size());
  arm(from);
}

Duration Network::link_extra(ProcessId from, ProcessId to) const {
  if (extra_latency_.empty()) return Duration{};
  const auto it = extra_latency_.find(unordered(from, to));
  return it == extra_latency_.end() ? Duration{} : it->second;
}

// --- trace ---

void Network::record(const char* name, ProcessId process, std::vector<TraceField> fields) {
  sim_.record("net", name, process, std::move(fields));
}

std::vector<TraceField> Network::endpoint_fields(EndpointId endpoint) const {
  return {{"endpoint", static_cast<std::int64_t>(endpoint)},
          {"peer", sim_.process_name(ends_[peer_of(endpoint)].owner)}};
}

std::string Network::describe_groups(const std::vector<std::vector<ProcessId>>& groups) const {
  std::string text;
  for (std::size_t g = 0; g < groups.size(); g++) {
    if (g > 0) text += '|';
    for (std::size_t i = 0; i < groups[g].size(); i++) {
      if (i > 0) text += ',';
      text += sim_.process_name(groups[g][i]);
    }
  }
  return text;
}

}  // namespace sim
