#pragma once
// The simulation kernel: event loop, fibers, processes and mailboxes, under one virtual clock
// and one seed. Everything that happens in a run is an event popped from one queue in (time,
// sequence) order on one OS thread; that is the whole determinism argument.
//
// Model code runs in fibers owned by simulated processes and blocks only through sleep() and
// receive(). Crashing a process unwinds its fibers (FiberKilled) and frees its mailboxes; pausing
// it sets aside every event aimed at it until it resumes.
#include <boost/fiber/context.hpp>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/clock.hpp"
#include "sim/event_queue.hpp"
#include "sim/fiber_sanitizer.hpp"
#include "sim/ids.hpp"
#include "sim/limits.hpp"
#include "sim/mail.hpp"
#include "sim/prng.hpp"
#include "sim/trace.hpp"

namespace sim {

class DeterministicFiberAlgorithm;

// Thrown inside a fiber whose process crashed or whose simulation is shutting down. It does not
// derive from std::exception so that model code catching std::exception cannot swallow it.
struct FiberKilled {};

enum class ProcessState { kNotStarted, kUp, kPaused, kDown };
std::string_view to_string(ProcessState state);

struct ProcessHooks {
  // Starts the process's fibers; called on start and on every restart.
  std::function<void(ProcessId)> boot;
  // Called after a crash has unwound the fibers: drop whatever models the process's memory.
  std::function<void(ProcessId)> on_crash;
};

struct SimConfig {
  std::uint64_t seed = 1;
  Limits limits;
};

struct RunStats {
  std::uint64_t events_processed = 0;
  std::uint64_t fiber_resumes = 0;
  std::uint64_t callbacks_run = 0;
  std::uint64_t events_stale = 0;
};

class Simulation {
 public:
  explicit Simulation(SimConfig config);
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;
  ~Simulation();

  Instant now() const { return now_; }
  const Clock& clock() const { return clock_; }
  std::uint64_t seed() const { return config_.seed; }
  const Limits& limits() const { return config_.limits; }
  Prng rng_stream(std::string_view name) const { return Prng::stream(config_.seed, name); }
  Trace& trace() { return trace_; }
  const RunStats& stats() const { return stats_; }

  // Model-level trace record, stamped with the current instant.
  void record(std::string category, std::string name, ProcessId process, std::vector<TraceField> fields = {});

  // A "sometimes" probe: counts that the run reached a rare state named `name` (FoundationDB's
  // CodeProbe). Only counts: it records nothing in the trace, draws no randomness and schedules
  // nothing, so marking a state can never change the run or its trace hash.
  void probe(std::string_view name);
  // Hits per probe name in this run; a name never hit is absent.
  const std::map<std::string, std::uint64_t, std::less<>>& probe_hits() const { return probe_hits_; }

  // --- processes ---
  ProcessId add_process(std::string name, ProcessHooks hooks);
  std::size_t process_count() const { return processes_.size(); }
  const std::string& process_name(ProcessId id) const;
  ProcessState process_state(ProcessId id) const;
  std::uint32_t incarnation(ProcessId id) const;
  // Each of these acts at once when called from the event loop (callbacks) and is deferred to an
  // event at the current instant when called from inside a fiber.
  void start(ProcessId id);
  void crash(ProcessId id);
  void restart(ProcessId id);
  void pause(ProcessId id);
  void resume(ProcessId id);
  void on_crash(std::function<void(ProcessId)> listener) { crash_listeners_.push_back(std::move(listener)); }

  // --- fibers ---
  FiberId spawn(ProcessId owner, std::string name, std::function<void()> body);
  ProcessId current_process() const;
  bool in_fiber() const { return current_fiber_ != kNoFiber; }
  // Blocking calls: only from inside a fiber. They throw FiberKilled when the fiber is killed.
  void sleep(Duration duration);
  std::optional<Mail> receive(MailboxId box, Duration timeout = Duration::max());

  // --- mailboxes ---
  MailboxId mailbox_open(ProcessId owner, std::size_t capacity = 0);
  // False when the mailbox is stale (its owner crashed) or full.
  bool mailbox_post(MailboxId box, Mail mail);
  bool mailbox_live(MailboxId box) const;
  std::size_t mailbox_size(MailboxId box) const;

  // --- callbacks ---
  // A callback owned by a process is set aside while it is paused and dropped if it crashes.
  void at(Instant when, std::function<void()> fn, ProcessId owner = kNoProcess);
  void after(Duration delay, std::function<void()> fn, ProcessId owner = kNoProcess) {
    at(now_ + delay, std::move(fn), owner);
  }

  // --- running ---
  // Runs events up to and including `deadline` (bounded by Limits::time_max). Rethrows the first
  // exception that escaped a fiber or callback.
  RunOutcome run_until(Instant deadline);
  void request_stop() { stop_requested_ = true; }
  // Unwinds every live fiber. Idempotent; the destructor calls it. Call it before destroying the
  // model objects those fibers refer to.
  void shutdown();
  std::size_t live_fibers() const { return fibers_live_; }
  std::size_t pending_events() const { return queue_.size(); }

 private:
  struct FiberRecord {
    std::string name;
    ProcessId owner = kNoProcess;
    std::function<void()> body;
    boost::fibers::context* ctx = nullptr;
    StackBounds stack;             // for sanitizer switch annotations
    void* sanitizer_fake_stack = nullptr;
    std::uint32_t wait_generation = 0;
    bool started = false;
    bool live = false;
    bool kill_requested = false;
  };
  struct ProcessRecord {
    std::string name;
    ProcessHooks hooks;
    ProcessState state = ProcessState::kNotStarted;
    std::uint32_t incarnation = 0;
    std::vector<FiberId> fibers;
    std::vector<MailboxId> mailboxes;
    std::vector<Event> set_aside;
  };
  struct MailboxRecord {
    ProcessId owner = kNoProcess;
    std::uint32_t generation = 0;
    bool open = false;
    std::size_t capacity = 0;
    std::deque<Mail> items;
    FiberId waiter = kNoFiber;
  };
  struct CallbackRecord {
    std::function<void()> fn;
    ProcessId owner = kNoProcess;
    std::uint32_t owner_incarnation = 0;
    std::uint32_t generation = 0;
  };

  void dispatch(const Event& event);
  bool set_aside_if_paused(ProcessId owner, const Event& event);
  void run_fiber(FiberId id);
  void start_fiber(FiberId id);
  void fiber_entry(FiberId id);
  void fiber_finished(FiberId id);
  void block_current();
  void wake(FiberId id);
  void kill_fiber(FiberId id);
  void do_crash(ProcessId id);
  void boot(ProcessId id);
  void defer_or_run(std::function<void()> action);
  void check_failure();
  FiberRecord& current();
  ProcessRecord& process(ProcessId id);
  const ProcessRecord& process(ProcessId id) const;
  MailboxRecord* live_mailbox(MailboxId box);

  SimConfig config_;
  Instant now_{};
  std::uint64_t events_at_now_ = 0;  // dispatched in a row at now_ (the stall watchdog)
  Clock clock_{&now_};
  Trace trace_;
  RunStats stats_;
  EventQueue queue_;
  DeterministicFiberAlgorithm* algorithm_;
  boost::fibers::context* loop_ctx_ = nullptr;
  StackBounds loop_stack_;

  // Pointer-stable records: a fiber holds a reference to its own across blocking calls, while
  // other fibers may spawn more.
  std::vector<std::unique_ptr<FiberRecord>> fibers_;
  std::vector<FiberId> fibers_free_;
  std::size_t fibers_live_ = 0;
  std::size_t fibers_finished_unreaped_ = 0;
  FiberId current_fiber_ = kNoFiber;

  std::vector<ProcessRecord> processes_;
  std::vector<MailboxRecord> mailboxes_;
  std::vector<std::uint32_t> mailboxes_free_;
  std::vector<CallbackRecord> callbacks_;
  std::vector<std::uint32_t> callbacks_free_;
  std::vector<std::function<void(ProcessId)>> crash_listeners_;

  std::map<std::string, std::uint64_t, std::less<>> probe_hits_;

  std::exception_ptr failure_;
  bool stop_requested_ = false;
  bool shut_down_ = false;
};

}  // namespace sim
