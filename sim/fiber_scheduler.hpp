#pragma once
// A Boost.Fiber scheduling algorithm that never decides anything by itself.
//
// The simulator's event loop runs on the thread's main fiber and resumes exactly one simulated
// fiber per wake event; that fiber runs until it blocks on a simulator primitive and control
// returns to the loop. So the ready queue holds at most the loop plus one fiber, and the order in
// which fibers run is the event queue's (time, sequence) order, not Boost's.
//
// suspend_until() never waits on real time: it is reachable only if some code blocked on a Boost
// primitive instead of a simulator one, which would make the run nondeterministic, so it aborts.
#include <boost/fiber/algo/algorithm.hpp>
#include <boost/fiber/context.hpp>
#include <boost/fiber/scheduler.hpp>

namespace sim {

class DeterministicFiberAlgorithm final : public boost::fibers::algo::algorithm {
 public:
  void awakened(boost::fibers::context* ctx) noexcept override;
  boost::fibers::context* pick_next() noexcept override;
  bool has_ready_fibers() const noexcept override;
  void suspend_until(std::chrono::steady_clock::time_point const&) noexcept override;  // determinism-ok: signature only
  void notify() noexcept override {}

  // Boost frees finished fibers only when its dispatcher fiber runs, and the dispatcher runs only
  // when nothing else is ready, which never happens while the loop is busy. Asking for a reap
  // lets the dispatcher run once at the next yield of the loop.
  void request_reap() noexcept { reap_requested_ = true; }

 private:
  boost::fibers::scheduler::ready_queue_type ready_;
  boost::fibers::context* dispatcher_ = nullptr;
  bool reap_requested_ = false;
};

// Installs the algorithm on the calling thread once; later calls find it in place. Returns it.
DeterministicFiberAlgorithm& install_deterministic_fiber_algorithm();

}  // namespace sim
