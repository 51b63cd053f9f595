#include "sim/fiber_scheduler.hpp"

#include <boost/fiber/operations.hpp>
#include <boost/fiber/type.hpp>
#include <cstdio>
#include <cstdlib>

#include "sim/assert.hpp"

namespace sim {

void DeterministicFiberAlgorithm::awakened(boost::fibers::context* ctx) noexcept {
  SIM_ASSERT(ctx != nullptr);
  if (ctx->is_context(boost::fibers::type::dispatcher_context)) {
    SIM_ASSERT(dispatcher_ == nullptr);
    dispatcher_ = ctx;
    return;
  }
  ctx->ready_link(ready_);
}

boost::fibers::context* DeterministicFiberAlgorithm::pick_next() noexcept {
  if (reap_requested_ && dispatcher_ != nullptr) {
    reap_requested_ = false;
    return std::exchange(dispatcher_, nullptr);
  }
  if (!ready_.empty()) {
    boost::fibers::context* ctx = &ready_.front();
    ready_.pop_front();
    return ctx;
  }
  return std::exchange(dispatcher_, nullptr);
}

bool DeterministicFiberAlgorithm::has_ready_fibers() const noexcept { return !ready_.empty(); }

// determinism-ok: the signature Boost requires; the body never reads the clock.
void DeterministicFiberAlgorithm::suspend_until(std::chrono::steady_clock::time_point const&) noexcept {  // determinism-ok
  std::fprintf(stderr,
               "hasim: every fiber is blocked outside the simulator (a Boost.Fiber primitive was used "
               "inside a simulation); aborting rather than waiting on real time\n");
  std::abort();
}

DeterministicFiberAlgorithm& install_deterministic_fiber_algorithm() {
  thread_local DeterministicFiberAlgorithm* installed = nullptr;
  if (installed == nullptr) {
    installed = new DeterministicFiberAlgorithm();
    // The scheduler takes shared ownership through its intrusive pointer and keeps the algorithm
    // alive for the rest of the thread.
    boost::fibers::context::active()->get_scheduler()->set_algo(
        boost::fibers::algo::algorithm::ptr_t(installed));
  }
  return *installed;
}

}  // namespace sim
