#pragma once
// The clock every model component reads. It is a view of the event loop's current instant:
// components hold a Clock, never a reference to the whole simulation, when time is all they need.
#include "sim/time.hpp"

namespace sim {

class Clock {
 public:
  explicit Clock(const Instant* now) : now_(now) {}
  Instant now() const { return *now_; }

 private:
  const Instant* now_;
};

}  // namespace sim
