#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/simulation.hpp"
#include "tests/sweep_seeds.hpp"

namespace {

using sim::Duration;
using sim::Instant;
using sim::milliseconds;
using sim::seconds;

struct Text final : sim::Payload {
  explicit Text(std::string v) : value(std::move(v)) {}
  std::string describe() const override { return value; }
  std::string value;
};

sim::Mail text_mail(std::string value) { return sim::Mail{1, 0, std::make_shared<Text>(std::move(value))}; }

Instant at_ms(std::int64_t ms) { return Instant{} + milliseconds(ms); }

// Counts destructions, to prove that a killed fiber's stack was unwound.
struct UnwindWitness {
  int* counter;
  ~UnwindWitness() { (*counter)++; }
};

class SimulationTest : public ::testing::Test {
 protected:
  sim::Simulation sim{sim::SimConfig{1, {}}};
  std::vector<std::string> log;

  sim::ProcessId add(const std::string& name, std::function<void(sim::ProcessId)> boot) {
    return sim.add_process(name, sim::ProcessHooks{std::move(boot), nullptr});
  }
  void note(const std::string& what) { log.push_back(std::to_string(sim.now().to_ms()) + ":" + what); }
};

TEST_F(SimulationTest, FibersInterleaveByVirtualTime) {
  const auto p = add("p", [&](sim::ProcessId pid) {
    sim.spawn(pid, "slow", [&] {
      sim.sleep(milliseconds(30));
      note("slow");
    });
    sim.spawn(pid, "fast", [&] {
      for (int i = 0; i < 3; i++) {
        sim.sleep(milliseconds(10));
        note("fast");
      }
    });
  });
  sim.start(p);
  EXPECT_EQ(sim.run_until(at_ms(100)), sim::RunOutcome::kDrained);
  // At 30 ms both are due; "slow" scheduled its wake first, so it runs first.
  EXPECT_EQ(log, (std::vector<std::string>{"10:fast", "20:fast", "30:slow", "30:fast"}));
  EXPECT_EQ(sim.live_fibers(), 0u);
}

TEST_F(SimulationTest, ReceiveReturnsMailOrTimesOut) {
  sim::MailboxId box;
  const auto p = add("p", [&](sim::ProcessId pid) {
    box = sim.mailbox_open(pid);
    sim.spawn(pid, "reader", [&] {
      auto first = sim.receive(box, milliseconds(50));
      note(first ? sim::payload_as<Text>(*first)->value : "timeout");
      auto second = sim.receive(box, milliseconds(50));
      note(second ? sim::payload_as<Text>(*second)->value : "timeout");
    });
  });
  sim.start(p);
  sim.at(at_ms(20), [&] { EXPECT_TRUE(sim.mailbox_post(box, text_mail("hello"))); });
  sim.run_until(at_ms(1000));
  EXPECT_EQ(log, (std::vector<std::string>{"20:hello", "70:timeout"}));
}

TEST_F(SimulationTest, MailAndTimeoutAtTheSameInstantWakeOnce) {
  sim::MailboxId box;
  int wakes = 0;
  const auto p = add("p", [&](sim::ProcessId pid) {
    box = sim.mailbox_open(pid);
    sim.spawn(pid, "reader", [&] {
      auto got = sim.receive(box, milliseconds(10));
      wakes++;
      // The post was scheduled (at time 0) before the timeout (at fiber start), so in (time, seq)
      // order the mail is in the box by the time either wake runs.
      EXPECT_TRUE(got.has_value());
      sim.sleep(milliseconds(100));
      wakes++;
      EXPECT_EQ(sim.now(), at_ms(110));  // the stale wake did not cut this sleep short
    });
  });
  sim.start(p);
  sim.at(at_ms(10), [&] { sim.mailbox_post(box, text_mail("late")); });
  sim.run_until(at_ms(1000));
  EXPECT_EQ(wakes, 2);
}

TEST_F(SimulationTest, CrashUnwindsFibersClosesMailboxesAndDropsOwnedCallbacks) {
  int unwound = 0, reached_after_crash = 0, callbacks_run = 0;
  sim::MailboxId box;
  const auto p = add("p", [&](sim::ProcessId pid) {
    box = sim.mailbox_open(pid);
    for (int i = 0; i < 3; i++) {
      sim.spawn(pid, "worker", [&] {
        UnwindWitness witness{&unwound};
        sim.sleep(seconds(10));
        reached_after_crash++;
      });
    }
    sim.after(seconds(5), [&] { callbacks_run++; }, pid);
  });
  sim.start(p);
  sim.at(at_ms(100), [&] { sim.crash(p); });
  sim.run_until(at_ms(20'000));
  EXPECT_EQ(unwound, 3);
  EXPECT_EQ(reached_after_crash, 0);
  EXPECT_EQ(callbacks_run, 0);
  EXPECT_EQ(sim.process_state(p), sim::ProcessState::kDown);
  EXPECT_FALSE(sim.mailbox_live(box));
  EXPECT_FALSE(sim.mailbox_post(box, text_mail("to the dead")));
  EXPECT_EQ(sim.live_fibers(), 0u);
}

TEST_F(SimulationTest, RestartBootsAFreshIncarnation) {
  std::vector<std::uint32_t> boots;
  const auto p = add("p", [&](sim::ProcessId pid) {
    boots.push_back(sim.incarnation(pid));
    sim.spawn(pid, "idle", [&] { sim.sleep(seconds(100)); });
  });
  sim.start(p);
  sim.at(at_ms(10), [&] { sim.crash(p); });
  sim.at(at_ms(20), [&] { sim.restart(p); });
  sim.at(at_ms(30), [&] { sim.restart(p); });  // restart of a running process: crash, then boot
  sim.run_until(at_ms(50));
  EXPECT_EQ(boots, (std::vector<std::uint32_t>{0, 1, 2}));
  EXPECT_EQ(sim.process_state(p), sim::ProcessState::kUp);
  EXPECT_EQ(sim.live_fibers(), 1u);
}

TEST_F(SimulationTest, PausedProcessRunsNothingAndItsTimersFireLate) {
  sim::MailboxId box;
  const auto p = add("p", [&](sim::ProcessId pid) {
    box = sim.mailbox_open(pid);
    sim.spawn(pid, "ticker", [&] {
      sim.sleep(milliseconds(100));
      note("tick");
      auto got = sim.receive(box, seconds(10));
      note(got ? "mail" : "timeout");
    });
  });
  sim.start(p);
  sim.at(at_ms(50), [&] { sim.pause(p); });
  sim.at(at_ms(200), [&] { EXPECT_TRUE(sim.mailbox_post(box, text_mail("queued while paused"))); });
  sim.at(at_ms(500), [&] { sim.resume(p); });
  sim.run_until(at_ms(20'000));
  // The 100 ms timer fired at 500 ms, and the mail that arrived at 200 ms waited in the
  // mailbox, so the receive returned at once.
  EXPECT_EQ(log, (std::vector<std::string>{"500:tick", "500:mail"}));
}

TEST_F(SimulationTest, CrashWhilePausedFreesCallbacksSetAside) {
  auto captured = std::make_shared<int>(7);
  const auto p = add("p", [&](sim::ProcessId pid) {
    sim.spawn(pid, "idle", [&] { sim.sleep(seconds(100)); });
    sim.after(milliseconds(10), [captured] { (void)captured; }, pid);
  });
  sim.start(p);
  sim.at(at_ms(5), [&] { sim.pause(p); });
  sim.at(at_ms(20), [&] { sim.crash(p); });
  sim.run_until(at_ms(30));
  // Only the test holds it: the set-aside callback and its capture are gone.
  EXPECT_EQ(captured.use_count(), 1);
}

TEST_F(SimulationTest, ExceptionInAFiberIsRethrownFromRun) {
  const auto p = add("p", [&](sim::ProcessId pid) {
    sim.spawn(pid, "bad", [&] {
      sim.sleep(milliseconds(5));
      throw std::runtime_error("model bug");
    });
  });
  sim.start(p);
  try {
    sim.run_until(at_ms(100));
    FAIL() << "expected the fiber's exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "model bug");
  }
  EXPECT_EQ(sim.now(), at_ms(5));
}

TEST_F(SimulationTest, ShutdownUnwindsEveryFiber) {
  int unwound = 0;
  const auto p = add("p", [&](sim::ProcessId pid) {
    sim::MailboxId box = sim.mailbox_open(pid);
    sim.spawn(pid, "sleeper", [&] {
      UnwindWitness witness{&unwound};
      sim.sleep(seconds(1000));
    });
    sim.spawn(pid, "waiter", [&, box] {
      UnwindWitness witness{&unwound};
      sim.receive(box);
    });
  });
  sim.start(p);
  sim.run_until(at_ms(10));
  EXPECT_EQ(sim.live_fibers(), 2u);
  sim.shutdown();
  EXPECT_EQ(unwound, 2);
  EXPECT_EQ(sim.live_fibers(), 0u);
}

TEST_F(SimulationTest, FiberCanSpawnAndCrashFromInside) {
  const auto p = add("p", [&](sim::ProcessId pid) {
    sim.spawn(pid, "parent", [&, pid] {
      sim.spawn(pid, "child", [&] { note("child"); });
      sim.sleep(milliseconds(1));
      note("parent");
      sim.crash(pid);  // deferred to the loop: this fiber keeps running until it blocks
      note("still running");
      sim.sleep(milliseconds(1));
      note("unreachable");
    });
  });
  sim.start(p);
  sim.run_until(at_ms(100));
  EXPECT_EQ(log, (std::vector<std::string>{"0:child", "1:parent", "1:still running"}));
}

TEST(SimulationLimits, EventLimitEndsTheRunWithAClearOutcome) {
  sim::Limits limits;
  limits.events_max = 1000;
  sim::Simulation sim(sim::SimConfig{1, limits});
  const auto p = sim.add_process("spinner", {[&](sim::ProcessId pid) {
                                              sim.spawn(pid, "loop", [&] {
                                                for (;;) sim.sleep(milliseconds(1));
                                              });
                                            },
                                            nullptr});
  sim.start(p);
  EXPECT_EQ(sim.run_until(Instant{} + seconds(1'000'000)), sim::RunOutcome::kEventLimit);
  EXPECT_EQ(sim.stats().events_processed, 1000u);
  EXPECT_TRUE(sim::is_limit(sim::RunOutcome::kEventLimit));
}

TEST(SimulationLimits, TimeLimitCapsTheDeadline) {
  sim::Limits limits;
  limits.time_max = seconds(5);
  sim::Simulation sim(sim::SimConfig{1, limits});
  int ticks = 0;
  const auto p = sim.add_process("ticker", {[&](sim::ProcessId pid) {
                                             sim.spawn(pid, "loop", [&] {
                                               for (;;) {
                                                 sim.sleep(seconds(1));
                                                 ticks++;
                                               }
                                             });
                                           },
                                           nullptr});
  sim.start(p);
  EXPECT_EQ(sim.run_until(Instant{} + seconds(60)), sim::RunOutcome::kTimeLimit);
  EXPECT_EQ(ticks, 5);
  EXPECT_EQ(sim.now(), Instant{} + seconds(5));
}

TEST(SimulationLimits, RunawayEventProducerHitsThePendingBound) {
  sim::Limits limits;
  limits.events_pending_max = 100;
  sim::Simulation sim(sim::SimConfig{1, limits});
  std::function<void()> fan_out = [&] {
    sim.after(milliseconds(1), fan_out);
    sim.after(milliseconds(1), fan_out);
  };
  sim.after(milliseconds(1), fan_out);
  EXPECT_EQ(sim.run_until(Instant{} + seconds(10)), sim::RunOutcome::kPendingLimit);
  EXPECT_LE(sim.pending_events(), 102u);
}

std::size_t resident_kib() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages_total = 0, pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return pages_resident * 4;
}

// Thousands of complete simulations in one process: fibers, stacks and mailboxes must all be
// returned, or a long exploration run would grow without bound.
TEST(SimulationLifecycle, ThousandsOfRunsBackToBackDoNotGrowMemory) {
  auto one_run = [](std::uint64_t seed) {
    sim::Simulation sim(sim::SimConfig{seed, {}});
    sim::Prng rng = sim.rng_stream("test");
    for (int i = 0; i < 20; i++) {
      const auto p = sim.add_process("p" + std::to_string(i), {[&sim](sim::ProcessId pid) {
                                                                 sim::MailboxId box = sim.mailbox_open(pid);
                                                                 sim.spawn(pid, "main", [&sim, box] {
                                                                   for (int k = 0; k < 10; k++) {
                                                                     sim.receive(box, milliseconds(3));
                                                                   }
                                                                 });
                                                               },
                                                               nullptr});
      sim.start(p);
      sim.after(milliseconds(rng.between(1, 20)), [&sim, p] { sim.crash(p); });
    }
    sim.run_until(Instant{} + seconds(1));
  };
  for (std::uint64_t seed = 0; seed < 200; seed++) one_run(seed);  // warm up allocator pools
  const std::size_t before_kib = resident_kib();
  // 3000 runs; 300 under ASan, whose quarantine holds freed blocks back anyway.
  for (std::uint64_t seed = 200; seed < 200 + hasim_tests::sweep_seeds(3000); seed++) one_run(seed);
  const std::size_t after_kib = resident_kib();
  EXPECT_LT(after_kib, before_kib + 4096) << "resident set grew from " << before_kib << " KiB to " << after_kib;
}

}  // namespace

namespace {

// A small workload of fibers, model records and random draws; `probes` marks states along the way.
std::uint64_t probed_workload_hash(bool probes, std::map<std::string, std::uint64_t, std::less<>>* hits = nullptr) {
  sim::Simulation s{sim::SimConfig{42, {}}};
  const auto p = s.add_process("p", sim::ProcessHooks{[&s, probes](sim::ProcessId pid) {
                                                        s.spawn(pid, "worker", [&s, probes] {
                                                          sim::Prng rng = s.rng_stream("work");
                                                          for (int i = 0; i < 20; i++) {
                                                            s.sleep(milliseconds(static_cast<std::int64_t>(rng.below(50)) + 1));
                                                            s.record("test", "step", s.current_process(), {{"i", std::int64_t{i}}});
                                                            if (probes) s.probe(i % 3 == 0 ? "test.every-third" : "test.other");
                                                          }
                                                        });
                                                      },
                                                      nullptr});
  s.start(p);
  EXPECT_EQ(s.run_until(at_ms(10'000)), sim::RunOutcome::kDrained);
  if (hits != nullptr) *hits = s.probe_hits();
  return s.trace().hash();
}

}  // namespace

TEST(SimulationProbes, CountsHitsPerName) {
  std::map<std::string, std::uint64_t, std::less<>> hits;
  probed_workload_hash(true, &hits);
  EXPECT_EQ(hits, (std::map<std::string, std::uint64_t, std::less<>>{{"test.every-third", 7}, {"test.other", 13}}));
}

TEST(SimulationProbes, LeaveTheTraceHashUnchanged) {
  std::map<std::string, std::uint64_t, std::less<>> hits;
  const std::uint64_t with_probes = probed_workload_hash(true, &hits);
  EXPECT_FALSE(hits.empty());
  EXPECT_EQ(with_probes, probed_workload_hash(false));
}

TEST(SimulationProbes, NothingCountedWithoutAProbe) {
  std::map<std::string, std::uint64_t, std::less<>> hits{{"x", 1}};
  probed_workload_hash(false, &hits);
  EXPECT_TRUE(hits.empty());
}
