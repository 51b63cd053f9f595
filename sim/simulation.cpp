#include "sim/simulation.hpp"

#include <boost/fiber/fiber.hpp>
#include <boost/fiber/fixedsize_stack.hpp>
#include <boost/fiber/operations.hpp>
#include <stdexcept>

#include "sim/assert.hpp"
#include "sim/fiber_scheduler.hpp"

namespace sim {
namespace {

// Kernel event kinds as they are folded into the trace hash.
enum KernelTraceKind : std::uint32_t { kTraceWake = 1, kTraceStart = 2, kTraceCallback = 3 };
constexpr std::size_t kReapBatch = 64;

// fixedsize_stack that also tells the fiber's record where its stack lies, for the sanitizer.
class TrackedStack {
 public:
  TrackedStack(std::size_t size, StackBounds* bounds) : inner_(size), bounds_(bounds) {}
  boost::context::stack_context allocate() {
    boost::context::stack_context sctx = inner_.allocate();
    bounds_->bottom = static_cast<char*>(sctx.sp) - sctx.size;
    bounds_->size = sctx.size;
    return sctx;
  }
  void deallocate(boost::context::stack_context& sctx) noexcept { inner_.deallocate(sctx); }

 private:
  boost::fibers::fixedsize_stack inner_;
  StackBounds* bounds_;
};

}  // namespace

std::string_view to_string(ProcessState state) {
  switch (state) {
    case ProcessState::kNotStarted: return "not-started";
    case ProcessState::kUp: return "up";
    case ProcessState::kPaused: return "paused";
    case ProcessState::kDown: return "down";
  }
  return "?";
}

Simulation::Simulation(SimConfig config)
    : config_(config), algorithm_(&install_deterministic_fiber_algorithm()) {
  SIM_ASSERT(config_.limits.events_max > 0);
  SIM_ASSERT(config_.limits.events_per_instant_max > 0);
  SIM_ASSERT(config_.limits.time_max.ns > 0);
  SIM_ASSERT(config_.limits.fiber_stack_bytes >= 16 * 1024);
  loop_ctx_ = boost::fibers::context::active();
}

Simulation::~Simulation() { shutdown(); }

void Simulation::record(std::string category, std::string name, ProcessId process_id,
                        std::vector<TraceField> fields) {
  trace_.record(TraceEvent{now_, 0, std::move(category), std::move(name),
                           process_id == kNoProcess ? std::string() : processes_.at(process_id).name,
                           std::move(fields)});
}

// Deliberately outside the trace: a probe must leave the trace hash as it was.
void Simulation::probe(std::string_view name) {
  const auto found = probe_hits_.find(name);
  if (found != probe_hits_.end()) {
    found->second++;
  } else {
    probe_hits_.emplace(std::string(name), 1);
  }
}

// --- processes ---

ProcessId Simulation::add_process(std::string name, ProcessHooks hooks) {
  SIM_ASSERT(hooks.boot != nullptr);
  for (const auto& existing : processes_) SIM_ASSERT_MSG(existing.name != name, "process names are unique");
  processes_.push_back(ProcessRecord{std::move(name), std::move(hooks), ProcessState::kNotStarted, 0, {}, {}, {}});
  return static_cast<ProcessId>(processes_.size() - 1);
}

Simulation::ProcessRecord& Simulation::process(ProcessId id) {
  SIM_ASSERT(id < processes_.size());
  return processes_[id];
}
const Simulation::ProcessRecord& Simulation::process(ProcessId id) const {
  SIM_ASSERT(id < processes_.size());
  return processes_[id];
}
const std::string& Simulation::process_name(ProcessId id) const { return process(id).name; }
ProcessState Simulation::process_state(ProcessId id) const { return process(id).state; }
std::uint32_t Simulation::incarnation(ProcessId id) const { return process(id).incarnation; }

void Simulation::defer_or_run(std::function<void()> action) {
  if (in_fiber()) {
    at(now_, std::move(action));
  } else {
    action();
  }
}

void Simulation::boot(ProcessId id) {
  ProcessRecord& p = process(id);
  p.state = ProcessState::kUp;
  record("proc", "boot", id, {{"incarnation", std::int64_t{p.incarnation}}});
  p.hooks.boot(id);
}

void Simulation::start(ProcessId id) {
  defer_or_run([this, id] {
    if (process(id).state == ProcessState::kNotStarted) boot(id);
  });
}

void Simulation::crash(ProcessId id) {
  defer_or_run([this, id] { do_crash(id); });
}

void Simulation::restart(ProcessId id) {
  defer_or_run([this, id] {
    do_crash(id);
    boot(id);
  });
}

void Simulation::do_crash(ProcessId id) {
  SIM_ASSERT(!in_fiber());
  ProcessRecord& p = process(id);
  if (p.state == ProcessState::kDown || p.state == ProcessState::kNotStarted) return;
  p.state = ProcessState::kDown;
  p.incarnation++;
  // Callbacks set aside while paused die with the incarnation: free their slots now, or their
  // captures would live until shutdown.
  for (const Event& event : p.set_aside) {
    if (event.kind != EventKind::kCallback) continue;
    CallbackRecord& record = callbacks_[event.target];
    record.fn = nullptr;
    record.generation++;
    callbacks_free_.push_back(event.target);
  }
  p.set_aside.clear();
  record("proc", "crash", id);
  const std::vector<FiberId> doomed = p.fibers;
  for (const FiberId fiber : doomed) kill_fiber(fiber);
  SIM_ASSERT(process(id).fibers.empty());
  for (const MailboxId box : process(id).mailboxes) {
    MailboxRecord& record = mailboxes_[box.index];
    record.open = false;
    record.generation++;
    record.items.clear();
    record.waiter = kNoFiber;
    mailboxes_free_.push_back(box.index);
  }
  process(id).mailboxes.clear();
  for (const auto& listener : crash_listeners_) listener(id);
  if (process(id).hooks.on_crash) process(id).hooks.on_crash(id);
}

void Simulation::pause(ProcessId id) {
  defer_or_run([this, id] {
    ProcessRecord& p = process(id);
    if (p.state != ProcessState::kUp) return;
    p.state = ProcessState::kPaused;
    record("proc", "pause", id);
  });
}

void Simulation::resume(ProcessId id) {
  defer_or_run([this, id] {
    ProcessRecord& p = process(id);
    if (p.state != ProcessState::kPaused) return;
    p.state = ProcessState::kUp;
    record("proc", "resume", id, {{"late_events", static_cast<std::int64_t>(p.set_aside.size())}});
    // Everything that came due while paused runs now, late, in the order it came due.
    std::vector<Event> late = std::move(p.set_aside);
    p.set_aside.clear();
    for (Event& event : late) {
      event.at = now_;
      queue_.push_again(event);
    }
  });
}

// --- fibers ---

FiberId Simulation::spawn(ProcessId owner, std::string name, std::function<void()> body) {
  SIM_ASSERT(!shut_down_);
  SIM_ASSERT(body != nullptr);
  SIM_ASSERT_MSG(process(owner).state == ProcessState::kUp || process(owner).state == ProcessState::kPaused,
                 "spawn on a process that is not running");
  if (fibers_live_ >= config_.limits.fibers_max) throw std::length_error("limit reached: fibers_max");
  FiberId id;
  if (!fibers_free_.empty()) {
    id = fibers_free_.back();
    fibers_free_.pop_back();
  } else {
    id = static_cast<FiberId>(fibers_.size());
    fibers_.push_back(std::make_unique<FiberRecord>());
  }
  FiberRecord& f = *fibers_[id];
  SIM_ASSERT(!f.live);
  f.name = std::move(name);
  f.owner = owner;
  f.body = std::move(body);
  f.ctx = nullptr;
  f.started = false;
  f.live = true;
  f.kill_requested = false;
  fibers_live_++;
  process(owner).fibers.push_back(id);
  queue_.push(Event{now_, 0, id, f.wait_generation, EventKind::kStartFiber});
  return id;
}

ProcessId Simulation::current_process() const {
  return current_fiber_ == kNoFiber ? kNoProcess : fibers_[current_fiber_]->owner;
}

Simulation::FiberRecord& Simulation::current() {
  SIM_ASSERT_MSG(current_fiber_ != kNoFiber, "blocking call outside a simulated fiber");
  return *fibers_[current_fiber_];
}

void Simulation::block_current() {
  FiberRecord& f = current();
  if (f.kill_requested) throw FiberKilled{};
  sanitizer_start_switch(&f.sanitizer_fake_stack, loop_stack_);
  f.ctx->suspend();
  sanitizer_finish_switch(f.sanitizer_fake_stack, nullptr);
  if (f.kill_requested) throw FiberKilled{};
}

void Simulation::wake(FiberId id) {
  queue_.push(Event{now_, 0, id, fibers_[id]->wait_generation, EventKind::kWakeFiber});
}

void Simulation::sleep(Duration duration) {
  SIM_ASSERT(duration.ns >= 0);
  FiberRecord& f = current();
  queue_.push(Event{now_ + duration, 0, current_fiber_, f.wait_generation, EventKind::kWakeFiber});
  block_current();
}

std::optional<Mail> Simulation::receive(MailboxId box, Duration timeout) {
  SIM_ASSERT(timeout.ns >= 0);
  const FiberId self = current_fiber_;
  FiberRecord& f = current();
  MailboxRecord* record = live_mailbox(box);
  SIM_ASSERT_MSG(record != nullptr, "receive on a closed mailbox");
  SIM_ASSERT_MSG(record->owner == f.owner, "receive on another process's mailbox");
  if (record->items.empty() && timeout.ns > 0) {
    SIM_ASSERT_MSG(record->waiter == kNoFiber, "two fibers waiting on one mailbox");
    record->waiter = self;
    if (timeout != Duration::max()) {
      queue_.push(Event{now_ + timeout, 0, self, f.wait_generation, EventKind::kWakeFiber});
    }
    struct ClearWaiter {
      Simulation* sim;
      MailboxId box;
      FiberId self;
      ~ClearWaiter() {
        if (MailboxRecord* r = sim->live_mailbox(box); r != nullptr && r->waiter == self) r->waiter = kNoFiber;
      }
    } clear_waiter{this, box, self};
    block_current();
    record = live_mailbox(box);
    SIM_ASSERT(record != nullptr);
  }
  if (record->items.empty()) return std::nullopt;
  Mail mail = std::move(record->items.front());
  record->items.pop_front();
  return mail;
}

void Simulation::start_fiber(FiberId id) {
  FiberRecord& f = *fibers_[id];
  f.started = true;
  current_fiber_ = id;
  stats_.fiber_resumes++;
  // Posted, then entered by yielding: the stack exists before the switch, so the switch can be
  // announced to the sanitizer. The loop is the only other ready context, so the new fiber runs
  // at once and the loop resumes when it first blocks.
  boost::fibers::fiber fiber(std::allocator_arg, TrackedStack(config_.limits.fiber_stack_bytes, &f.stack), [this, id] {
    sanitizer_finish_switch(nullptr, &loop_stack_);
    fiber_entry(id);
  });
  fiber.detach();
  void* loop_fake_stack = nullptr;
  sanitizer_start_switch(&loop_fake_stack, f.stack);
  boost::this_fiber::yield();
  sanitizer_finish_switch(loop_fake_stack, nullptr);
  current_fiber_ = kNoFiber;
}

void Simulation::fiber_entry(FiberId id) {
  fibers_[id]->ctx = boost::fibers::context::active();
  {
    std::function<void()> body = std::move(fibers_[id]->body);
    fibers_[id]->body = nullptr;
    try {
      if (!fibers_[id]->kill_requested) body();
    } catch (const FiberKilled&) {
      // The normal end of a fiber whose process crashed.
    } catch (...) {
      if (!failure_) failure_ = std::current_exception();
    }
  }
  fiber_finished(id);
  sanitizer_start_switch(nullptr, loop_stack_);  // nullptr: this stack is about to be freed
}

void Simulation::fiber_finished(FiberId id) {
  FiberRecord& f = *fibers_[id];
  SIM_ASSERT(f.live);
  f.live = false;
  f.ctx = nullptr;
  f.wait_generation++;  // every event still aimed at this slot is now stale
  auto& owned = process(f.owner).fibers;
  for (std::size_t i = 0; i < owned.size(); i++) {
    if (owned[i] == id) {
      owned.erase(owned.begin() + static_cast<std::ptrdiff_t>(i));
      break;
    }
  }
  fibers_free_.push_back(id);
  fibers_live_--;
  if (f.started) fibers_finished_unreaped_++;
}

void Simulation::run_fiber(FiberId id) {
  SIM_ASSERT(current_fiber_ == kNoFiber);
  FiberRecord& f = *fibers_[id];
  SIM_ASSERT(f.live && f.ctx != nullptr);
  current_fiber_ = id;
  stats_.fiber_resumes++;
  // Switch straight to the fiber and make the loop ready behind it: the fiber's next block
  // picks the loop, the only ready context.
  void* loop_fake_stack = nullptr;
  sanitizer_start_switch(&loop_fake_stack, f.stack);
  f.ctx->resume(loop_ctx_);
  sanitizer_finish_switch(loop_fake_stack, nullptr);
  current_fiber_ = kNoFiber;
  if (fibers_finished_unreaped_ >= kReapBatch) {
    fibers_finished_unreaped_ = 0;
    algorithm_->request_reap();
    boost::this_fiber::yield();
  }
}

void Simulation::kill_fiber(FiberId id) {
  SIM_ASSERT(!in_fiber());
  FiberRecord& f = *fibers_[id];
  if (!f.live) return;
  if (!f.started) {
    f.body = nullptr;
    fiber_finished(id);
    return;
  }
  f.kill_requested = true;
  run_fiber(id);
  SIM_ASSERT_MSG(!fibers_[id]->live, "a killed fiber kept running");
}

// --- mailboxes ---

MailboxId Simulation::mailbox_open(ProcessId owner, std::size_t capacity) {
  SIM_ASSERT(process(owner).state != ProcessState::kDown);
  std::uint32_t index;
  if (!mailboxes_free_.empty()) {
    index = mailboxes_free_.back();
    mailboxes_free_.pop_back();
  } else {
    index = static_cast<std::uint32_t>(mailboxes_.size());
    mailboxes_.emplace_back();
  }
  MailboxRecord& record = mailboxes_[index];
  SIM_ASSERT(!record.open);
  record.owner = owner;
  record.open = true;
  record.capacity = capacity == 0 ? config_.limits.mailbox_capacity_default : capacity;
  record.items.clear();
  record.waiter = kNoFiber;
  const MailboxId id{index, record.generation};
  process(owner).mailboxes.push_back(id);
  return id;
}

Simulation::MailboxRecord* Simulation::live_mailbox(MailboxId box) {
  if (!box.valid() || box.index >= mailboxes_.size()) return nullptr;
  MailboxRecord& record = mailboxes_[box.index];
  return record.open && record.generation == box.generation ? &record : nullptr;
}

bool Simulation::mailbox_live(MailboxId box) const {
  return const_cast<Simulation*>(this)->live_mailbox(box) != nullptr;
}

std::size_t Simulation::mailbox_size(MailboxId box) const {
  const MailboxRecord* record = const_cast<Simulation*>(this)->live_mailbox(box);
  return record == nullptr ? 0 : record->items.size();
}

bool Simulation::mailbox_post(MailboxId box, Mail mail) {
  MailboxRecord* record = live_mailbox(box);
  if (record == nullptr || record->items.size() >= record->capacity) return false;
  record->items.push_back(std::move(mail));
  if (record->waiter != kNoFiber) {
    wake(record->waiter);
    record->waiter = kNoFiber;
  }
  return true;
}

// --- callbacks ---

void Simulation::at(Instant when, std::function<void()> fn, ProcessId owner) {
  SIM_ASSERT(fn != nullptr);
  SIM_ASSERT_MSG(when >= now_, "an event in the past");
  std::uint32_t slot;
  if (!callbacks_free_.empty()) {
    slot = callbacks_free_.back();
    callbacks_free_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(callbacks_.size());
    callbacks_.emplace_back();
  }
  CallbackRecord& record = callbacks_[slot];
  record.fn = std::move(fn);
  record.owner = owner;
  record.owner_incarnation = owner == kNoProcess ? 0 : process(owner).incarnation;
  queue_.push(Event{when, 0, slot, record.generation, EventKind::kCallback});
}

// --- running ---

bool Simulation::set_aside_if_paused(ProcessId owner, const Event& event) {
  if (owner == kNoProcess) return false;
  ProcessRecord& p = process(owner);
  if (p.state != ProcessState::kPaused) return false;
  p.set_aside.push_back(event);
  return true;
}

void Simulation::dispatch(const Event& event) {
  switch (event.kind) {
    case EventKind::kWakeFiber: {
      FiberRecord& f = *fibers_[event.target];
      if (!f.live || !f.started || f.wait_generation != event.token) {
        stats_.events_stale++;
        return;
      }
      if (set_aside_if_paused(f.owner, event)) return;
      f.wait_generation++;  // the other way out of this wait (mail or timeout) is now stale
      trace_.kernel(now_, kTraceWake, event.target, f.owner);
      run_fiber(event.target);
      return;
    }
    case EventKind::kStartFiber: {
      FiberRecord& f = *fibers_[event.target];
      if (!f.live || f.started || f.wait_generation != event.token) {
        stats_.events_stale++;
        return;
      }
      if (set_aside_if_paused(f.owner, event)) return;
      trace_.kernel(now_, kTraceStart, event.target, f.owner);
      start_fiber(event.target);
      return;
    }
    case EventKind::kCallback: {
      CallbackRecord& record = callbacks_[event.target];
      if (record.generation != event.token) {
        stats_.events_stale++;
        return;
      }
      if (record.owner != kNoProcess) {
        const ProcessRecord& p = process(record.owner);
        if (p.incarnation != record.owner_incarnation || p.state == ProcessState::kDown) {
          record.fn = nullptr;
          record.generation++;
          callbacks_free_.push_back(event.target);
          stats_.events_stale++;
          return;
        }
        if (set_aside_if_paused(record.owner, event)) return;
      }
      std::function<void()> fn = std::move(record.fn);
      record.fn = nullptr;
      record.generation++;
      callbacks_free_.push_back(event.target);
      trace_.kernel(now_, kTraceCallback, event.target, record.owner);
      stats_.callbacks_run++;
      fn();
      return;
    }
  }
}

void Simulation::check_failure() {
  if (failure_) {
    std::exception_ptr failure = failure_;
    failure_ = nullptr;
    std::rethrow_exception(failure);
  }
}

RunOutcome Simulation::run_until(Instant deadline) {
  SIM_ASSERT_MSG(!in_fiber(), "run_until from inside a simulated fiber");
  SIM_ASSERT(!shut_down_);
  SIM_ASSERT(boost::fibers::context::active() == loop_ctx_);
  const Instant time_bound{config_.limits.time_max.ns};
  const Instant bound = deadline < time_bound ? deadline : time_bound;
  for (;;) {
    if (stop_requested_) {
      stop_requested_ = false;
      return RunOutcome::kStopped;
    }
    if (trace_.full()) return RunOutcome::kTraceLimit;
    if (queue_.empty()) return RunOutcome::kDrained;
    if (queue_.top().at > bound) {
      if (now_ < bound) {
        now_ = bound;
        events_at_now_ = 0;
      }
      return bound == deadline ? RunOutcome::kDeadline : RunOutcome::kTimeLimit;
    }
    if (stats_.events_processed >= config_.limits.events_max) return RunOutcome::kEventLimit;
    if (queue_.size() > config_.limits.events_pending_max) return RunOutcome::kPendingLimit;
    if (queue_.top().at == now_ && events_at_now_ >= config_.limits.events_per_instant_max) return RunOutcome::kStalled;
    const Event event = queue_.pop();
    SIM_ASSERT(event.at >= now_);
    events_at_now_ = event.at == now_ ? events_at_now_ + 1 : 1;
    now_ = event.at;
    stats_.events_processed++;
    dispatch(event);
    check_failure();
  }
}

void Simulation::shutdown() {
  if (shut_down_) return;
  SIM_ASSERT_MSG(!in_fiber(), "shutdown from inside a simulated fiber");
  SIM_ASSERT_MSG(boost::fibers::context::active() == loop_ctx_, "shutdown on another thread");
  shut_down_ = true;
  for (FiberId id = 0; id < fibers_.size(); id++) {
    if (fibers_[id]->live) kill_fiber(id);
  }
  SIM_ASSERT(fibers_live_ == 0);
  failure_ = nullptr;
  fibers_finished_unreaped_ = 0;
  algorithm_->request_reap();
  boost::this_fiber::yield();
  queue_.clear();
  callbacks_.clear();
}

}  // namespace sim
