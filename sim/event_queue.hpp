#pragma once
// The pending-event heap, ordered by (time, sequence). The sequence number is assigned at push, so
// events scheduled for the same instant run in the order they were scheduled: never by address.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "sim/assert.hpp"
#include "sim/time.hpp"

namespace sim {

enum class EventKind : std::uint8_t { kWakeFiber, kStartFiber, kCallback };

struct Event {
  Instant at;
  std::uint64_t seq = 0;
  std::uint32_t target = 0;  // fiber index or callback slot
  std::uint32_t token = 0;   // fiber wait generation, or callback slot generation
  EventKind kind = EventKind::kCallback;
};

class EventQueue {
 public:
  void push(Event event) {
    SIM_ASSERT(event.seq == 0);
    event.seq = ++seq_last_;
    heap_.push_back(event);
    std::push_heap(heap_.begin(), heap_.end(), Later{});
  }

  // Re-queues an event that was set aside (a paused process): it keeps its place relative to
  // the others set aside with it because it gets a fresh, larger sequence number.
  void push_again(Event event) {
    event.seq = 0;
    push(event);
  }

  Event pop() {
    SIM_ASSERT(!heap_.empty());
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    const Event event = heap_.back();
    heap_.pop_back();
    return event;
  }

  const Event& top() const {
    SIM_ASSERT(!heap_.empty());
    return heap_.front();
  }
  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  void clear() { heap_.clear(); }

 private:
  struct Later {
    bool operator()(const Event& a, const Event& b) const {
      return a.at != b.at ? a.at > b.at : a.seq > b.seq;
    }
  };
  std::vector<Event> heap_;
  std::uint64_t seq_last_ = 0;
};

}  // namespace sim
