#include "sim/filesystem.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "sim/simulation.hpp"

namespace {

using sim::Duration;
using sim::FsHandle;
using sim::FsStatus;
using sim::FsWriteMode;
using sim::Instant;
using sim::milliseconds;
using sim::seconds;

Instant at_ms(std::int64_t ms) { return Instant{} + milliseconds(ms); }

// Fixed latency makes every operation's timing exact: 5 ms each.
sim::FilesystemConfig fixed_config() {
  sim::FilesystemConfig config;
  config.latency = sim::LatencyModel::fixed(milliseconds(5));
  config.unavailable_timeout = milliseconds(100);
  return config;
}

// One simulation with one filesystem. Fibers are unwound before the filesystem they block in
// is destroyed.
struct World {
  explicit World(sim::FilesystemConfig config = fixed_config(), std::uint64_t seed = 1)
      : sim(sim::SimConfig{seed, {}}), fs(sim, config) {}
  ~World() { sim.shutdown(); }

  // A process whose boot runs `body` in one fiber, started at once.
  sim::ProcessId process(const std::string& name, std::function<void()> body) {
    const sim::ProcessId pid = sim.add_process(name, sim::ProcessHooks{[this, body](sim::ProcessId id) {
                                                                         sim.spawn(id, "main", body);
                                                                       },
                                                                       nullptr});
    sim.start(pid);
    return pid;
  }

  sim::RunOutcome run(Duration until = seconds(60)) { return sim.run_until(Instant{} + until); }

  // The filesystem's trace events, optionally only those named `name`.
  std::vector<sim::TraceEvent> fs_events(const std::string& name = "") {
    std::vector<sim::TraceEvent> out;
    for (const auto& event : sim.trace().events()) {
      if (event.category == "fs" && (name.empty() || event.name == name)) out.push_back(event);
    }
    return out;
  }

  void sleep_until(Instant when) {
    if (sim.now() < when) sim.sleep(when - sim.now());
  }

  sim::Simulation sim;
  sim::Filesystem fs;
};

std::string text(const sim::TraceEvent& event, const std::string& key) {
  const std::string* value = event.string_field(key);
  return value == nullptr ? "<missing>" : *value;
}

std::int64_t number(const sim::TraceEvent& event, const std::string& key) {
  const std::int64_t* value = event.int_field(key);
  return value == nullptr ? -12345 : *value;
}

// --- semantics of each operation ---

TEST(Filesystem, PutThenReadReturnsContentsAndEachOpCostsItsLatency) {
  World w;
  bool done = false;
  w.process("jm", [&] {
    EXPECT_EQ(w.fs.put("/ha/a", "hello"), FsStatus::kOk);
    EXPECT_EQ(w.sim.now(), at_ms(15));  // create, write, close
    const sim::FsRead read = w.fs.read("/ha/a");
    EXPECT_EQ(read.status, FsStatus::kOk);
    EXPECT_EQ(read.bytes, "hello");
    EXPECT_EQ(w.sim.now(), at_ms(20));
    EXPECT_EQ(w.fs.exists("/ha/a"), FsStatus::kOk);
    done = true;
  });
  w.run();
  EXPECT_TRUE(done);
  EXPECT_EQ(w.fs.paths(), std::vector<std::string>{"/ha/a"});
  EXPECT_EQ(w.fs.file_bytes(), 5u);
  EXPECT_EQ(w.fs.open_handle_count(), 0u);
}

TEST(Filesystem, FileBecomesVisibleWholeOnlyWhenClosed) {
  World w;
  std::vector<std::string> seen;
  w.process("writer", [&] {
    const sim::FsCreate created = w.fs.create("/ha/meta");
    ASSERT_EQ(created.status, FsStatus::kOk);
    ASSERT_EQ(w.fs.write(created.handle, "part1-"), FsStatus::kOk);
    ASSERT_EQ(w.fs.write(created.handle, "part2"), FsStatus::kOk);
    w.sleep_until(at_ms(100));
    ASSERT_EQ(w.fs.close(created.handle), FsStatus::kOk);  // visible at 105 ms
  });
  w.process("reader", [&] {
    w.sleep_until(at_ms(50));
    const sim::FsRead early = w.fs.read("/ha/meta");
    seen.push_back(std::string(sim::to_string(early.status)) + ":" + early.bytes);
    const sim::FsList listing = w.fs.list("/ha");
    EXPECT_EQ(listing.status, FsStatus::kOk);
    EXPECT_TRUE(listing.names.empty());
    EXPECT_EQ(w.fs.exists("/ha/meta"), FsStatus::kNotFound);
    w.sleep_until(at_ms(200));
    const sim::FsRead late = w.fs.read("/ha/meta");
    seen.push_back(std::string(sim::to_string(late.status)) + ":" + late.bytes);
  });
  w.sim.at(at_ms(104), [&] {
    EXPECT_FALSE(w.fs.exists_now("/ha/meta"));
    EXPECT_EQ(w.fs.open_handle_count(), 1u);
    EXPECT_EQ(w.fs.buffered_bytes(), 11u);
  });
  // 106, not 105: this callback was scheduled before the close's wake, so at 105 it runs first.
  w.sim.at(at_ms(106), [&] { EXPECT_EQ(w.fs.contents_now("/ha/meta"), "part1-part2"); });
  w.run();
  EXPECT_EQ(seen, (std::vector<std::string>{"not_found:", "ok:part1-part2"}));
  EXPECT_EQ(w.fs.buffered_bytes(), 0u);
  EXPECT_EQ(w.fs.file_bytes(), 11u);
}

TEST(Filesystem, CreateOnAnExistingPathFailsUnlessOverwriting) {
  World w;
  w.process("jm", [&] {
    ASSERT_EQ(w.fs.put("/f", "v1"), FsStatus::kOk);
    const sim::FsCreate again = w.fs.create("/f");
    EXPECT_EQ(again.status, FsStatus::kAlreadyExists);
    EXPECT_FALSE(again.handle.valid());
    EXPECT_EQ(w.fs.put("/f", "v2"), FsStatus::kAlreadyExists);
    EXPECT_EQ(w.fs.put("/f", "version3", FsWriteMode::kOverwrite), FsStatus::kOk);
  });
  w.run();
  EXPECT_EQ(w.fs.contents_now("/f"), "version3");
  EXPECT_EQ(w.fs.file_count(), 1u);
  EXPECT_EQ(w.fs.file_bytes(), 8u);
  EXPECT_EQ(w.fs.open_handle_count(), 0u);
}

TEST(Filesystem, NoOverwriteCloseNeverReplacesAFilePublishedMeanwhile) {
  World w;
  FsStatus first = FsStatus::kIoError;
  FsStatus second = FsStatus::kIoError;
  w.process("jm-1", [&] {
    const sim::FsCreate created = w.fs.create("/ha/leader");
    ASSERT_EQ(created.status, FsStatus::kOk);
    ASSERT_EQ(w.fs.write(created.handle, "jm-1"), FsStatus::kOk);
    first = w.fs.close(created.handle);
  });
  w.process("jm-2", [&] {
    const sim::FsCreate created = w.fs.create("/ha/leader");  // nothing visible yet: accepted
    ASSERT_EQ(created.status, FsStatus::kOk);
    ASSERT_EQ(w.fs.write(created.handle, "jm-2"), FsStatus::kOk);
    w.sleep_until(at_ms(50));
    second = w.fs.close(created.handle);
  });
  w.run();
  EXPECT_EQ(first, FsStatus::kOk);
  EXPECT_EQ(second, FsStatus::kAlreadyExists);
  EXPECT_EQ(w.fs.contents_now("/ha/leader"), "jm-1");
  EXPECT_EQ(w.fs.open_handle_count(), 0u);
  EXPECT_EQ(w.fs.buffered_bytes(), 0u);
}

TEST(Filesystem, ReadAndDeleteOfAMissingPathAreNotFound) {
  World w;
  std::vector<FsStatus> statuses;
  w.process("jm", [&] {
    statuses.push_back(w.fs.read("/nope").status);
    statuses.push_back(w.fs.remove("/nope"));
    statuses.push_back(w.fs.put("/f", "x"));
    statuses.push_back(w.fs.remove("/f"));
    statuses.push_back(w.fs.read("/f").status);
    statuses.push_back(w.fs.exists("/f"));
    statuses.push_back(w.fs.remove("/f"));
  });
  w.run();
  EXPECT_EQ(statuses, (std::vector<FsStatus>{FsStatus::kNotFound, FsStatus::kNotFound, FsStatus::kOk, FsStatus::kOk,
                                             FsStatus::kNotFound, FsStatus::kNotFound, FsStatus::kNotFound}));
  EXPECT_EQ(w.fs.file_count(), 0u);
  EXPECT_EQ(w.fs.file_bytes(), 0u);
}

TEST(Filesystem, ListReturnsSortedDistinctNamesDirectlyUnderADirectory) {
  World w;
  std::map<std::string, std::vector<std::string>> listings;
  w.process("jm", [&] {
    for (const char* path : {"/d/b", "/d/a", "/d/a-b/x", "/d/a/y", "/d/a/z/w", "/e/q", "/dd"}) {
      ASSERT_EQ(w.fs.put(path, "x"), FsStatus::kOk);
    }
    for (const char* dir : {"/", "/d", "/d/a", "/d/a/z", "/nope", "/d/b"}) {
      const sim::FsList listing = w.fs.list(dir);
      EXPECT_EQ(listing.status, FsStatus::kOk) << dir;
      listings[dir] = listing.names;
    }
  });
  w.run();
  using Names = std::vector<std::string>;
  EXPECT_EQ(listings["/"], (Names{"d", "dd", "e"}));
  // "a" once, although "/d/a-b/x" sorts between "/d/a" and "/d/a/y".
  EXPECT_EQ(listings["/d"], (Names{"a", "a-b", "b"}));
  EXPECT_EQ(listings["/d/a"], (Names{"y", "z"}));
  EXPECT_EQ(listings["/d/a/z"], (Names{"w"}));
  EXPECT_EQ(listings["/nope"], Names{});
  EXPECT_EQ(listings["/d/b"], Names{});  // a file, not a directory
}

TEST(Filesystem, RenameFailsOnMissingSourceOrExistingTargetAndOtherwiseMoves) {
  World w;
  std::vector<FsStatus> statuses;
  w.process("jm", [&] {
    statuses.push_back(w.fs.rename("/a", "/c"));
    ASSERT_EQ(w.fs.put("/a", "alpha"), FsStatus::kOk);
    ASSERT_EQ(w.fs.put("/b", "beta"), FsStatus::kOk);
    statuses.push_back(w.fs.rename("/a", "/b"));
    statuses.push_back(w.fs.rename("/a", "/a"));
    statuses.push_back(w.fs.rename("/a", "/dir/c"));
    statuses.push_back(w.fs.exists("/a"));
  });
  w.run();
  EXPECT_EQ(statuses, (std::vector<FsStatus>{FsStatus::kNotFound, FsStatus::kAlreadyExists, FsStatus::kAlreadyExists,
                                             FsStatus::kOk, FsStatus::kNotFound}));
  EXPECT_EQ(w.fs.paths(), (std::vector<std::string>{"/b", "/dir/c"}));
  EXPECT_EQ(w.fs.contents_now("/dir/c"), "alpha");
  EXPECT_EQ(w.fs.contents_now("/b"), "beta");
  EXPECT_EQ(w.fs.file_bytes(), 9u);
}

TEST(Filesystem, StaleOrUnknownHandlesAreNotFound) {
  World w;
  std::vector<FsStatus> statuses;
  w.process("jm", [&] {
    statuses.push_back(w.fs.write(FsHandle{}, "x"));
    statuses.push_back(w.fs.close(FsHandle{42}));
    const sim::FsCreate created = w.fs.create("/f");
    statuses.push_back(w.fs.close(created.handle));
    statuses.push_back(w.fs.write(created.handle, "late"));
    statuses.push_back(w.fs.close(created.handle));
  });
  w.run();
  EXPECT_EQ(statuses, (std::vector<FsStatus>{FsStatus::kNotFound, FsStatus::kNotFound, FsStatus::kOk,
                                             FsStatus::kNotFound, FsStatus::kNotFound}));
  EXPECT_EQ(w.fs.contents_now("/f"), "");  // an empty file is a file
}

TEST(Filesystem, EveryOperationIsTracedWithPathStatusAndBytes) {
  World w;
  w.process("jm", [&] {
    ASSERT_EQ(w.fs.put("/ha/a", "abc"), FsStatus::kOk);
    EXPECT_EQ(w.fs.read("/ha/a").bytes, "abc");
    EXPECT_EQ(w.fs.read("/ha/missing").status, FsStatus::kNotFound);
    EXPECT_EQ(w.fs.list("/ha").names.size(), 1u);
    EXPECT_EQ(w.fs.rename("/ha/a", "/ha/b"), FsStatus::kOk);
    EXPECT_EQ(w.fs.exists("/ha/b"), FsStatus::kOk);
    EXPECT_EQ(w.fs.remove("/ha/b"), FsStatus::kOk);
  });
  w.run();
  const auto events = w.fs_events();
  std::vector<std::string> summary;
  for (const auto& event : events) {
    EXPECT_EQ(event.process, "jm");
    EXPECT_EQ(number(event, "start_ns"), (event.at - milliseconds(5)).ns) << event.name;
    summary.push_back(event.name + " " + text(event, "path") + " " + text(event, "status") + " " +
                      std::to_string(number(event, "bytes")));
  }
  EXPECT_EQ(summary, (std::vector<std::string>{"create /ha/a ok 0", "write /ha/a ok 3", "close /ha/a ok 3",
                                               "read /ha/a ok 3", "read /ha/missing not_found 0", "list /ha ok 0",
                                               "rename /ha/a ok 3", "exists /ha/b ok 0", "delete /ha/b ok 3"}));
  ASSERT_EQ(events.size(), 9u);
  EXPECT_EQ(text(events[6], "to"), "/ha/b");
  EXPECT_EQ(number(events[5], "entries"), 1);
}

TEST(Filesystem, InspectionCostsNoTimeAndIsNotTraced) {
  World w;
  bool checked = false;
  w.process("jm", [&] {
    ASSERT_EQ(w.fs.put("/f", "xyz"), FsStatus::kOk);
    const Instant before = w.sim.now();
    const std::size_t events_before = w.sim.trace().events().size();
    EXPECT_TRUE(w.fs.exists_now("/f"));
    EXPECT_FALSE(w.fs.exists_now("/g"));
    EXPECT_EQ(w.fs.contents_now("/f"), "xyz");
    EXPECT_EQ(w.fs.contents_now("/g"), std::nullopt);
    EXPECT_EQ(w.fs.paths(), std::vector<std::string>{"/f"});
    EXPECT_EQ(w.fs.file_count(), 1u);
    EXPECT_FALSE(w.fs.unavailable());
    EXPECT_EQ(w.sim.now(), before);
    EXPECT_EQ(w.sim.trace().events().size(), events_before);
    checked = true;
  });
  w.run();
  EXPECT_TRUE(checked);
}

// --- crashes and pauses ---

TEST(Filesystem, CrashDiscardsTheProcessesOpenHandlesOnly) {
  World w;
  FsStatus other_close = FsStatus::kIoError;
  const sim::ProcessId jm = w.process("jm", [&] {
    const sim::FsCreate created = w.fs.create("/ha/partial");
    ASSERT_EQ(created.status, FsStatus::kOk);
    ASSERT_EQ(w.fs.write(created.handle, "partial"), FsStatus::kOk);
    w.sim.sleep(seconds(10));
    ADD_FAILURE() << "the crash should have unwound this fiber";
  });
  w.process("other", [&] {
    const sim::FsCreate created = w.fs.create("/ha/other");
    ASSERT_EQ(created.status, FsStatus::kOk);
    ASSERT_EQ(w.fs.write(created.handle, "kept"), FsStatus::kOk);
    w.sleep_until(at_ms(200));
    other_close = w.fs.close(created.handle);
  });
  w.sim.at(at_ms(50), [&] {
    EXPECT_EQ(w.fs.open_handle_count(), 2u);
    w.sim.crash(jm);
    EXPECT_EQ(w.fs.open_handle_count(), 1u);
    EXPECT_EQ(w.fs.buffered_bytes(), 4u);
  });
  w.run();
  EXPECT_EQ(other_close, FsStatus::kOk);
  EXPECT_EQ(w.fs.paths(), std::vector<std::string>{"/ha/other"});
  const auto discards = w.fs_events("discard");
  ASSERT_EQ(discards.size(), 1u);
  EXPECT_EQ(discards[0].process, "jm");
  EXPECT_EQ(text(discards[0], "path"), "/ha/partial");
  EXPECT_EQ(number(discards[0], "bytes"), 7);
  EXPECT_EQ(discards[0].at, at_ms(50));
}

TEST(Filesystem, CrashBeforeTheCommitPointOfCloseMakesNothingVisible) {
  World w;
  const sim::ProcessId jm = w.process("jm", [&] {
    ASSERT_EQ(w.fs.put("/ha/meta", "checkpoint"), FsStatus::kOk);  // close runs 10..15 ms
    ADD_FAILURE() << "the crash should have unwound this fiber";
  });
  w.sim.at(at_ms(14), [&] { w.sim.crash(jm); });
  w.run();
  EXPECT_FALSE(w.fs.exists_now("/ha/meta"));
  EXPECT_EQ(w.fs.open_handle_count(), 0u);
  EXPECT_EQ(w.fs.buffered_bytes(), 0u);
  EXPECT_TRUE(w.fs_events("close").empty());
  EXPECT_EQ(w.fs_events("discard").size(), 1u);
}

TEST(Filesystem, APausedCallerReachesTheCommitPointOnlyAfterResuming) {
  World w;
  Instant returned{};
  const sim::ProcessId jm = w.process("jm", [&] {
    ASSERT_EQ(w.fs.put("/f", "x"), FsStatus::kOk);
    returned = w.sim.now();
  });
  w.sim.at(at_ms(2), [&] { w.sim.pause(jm); });
  w.sim.at(at_ms(40), [&] { EXPECT_EQ(w.fs.open_handle_count(), 0u); });
  w.sim.at(at_ms(50), [&] { w.sim.resume(jm); });
  w.sim.at(at_ms(59), [&] { EXPECT_FALSE(w.fs.exists_now("/f")); });
  w.run();
  // create commits at resume (50 ms), then write 50..55 and close 55..60.
  EXPECT_EQ(returned, at_ms(60));
  EXPECT_TRUE(w.fs.exists_now("/f"));
}

// --- faults ---

TEST(Filesystem, UnavailableBlocksForTheTimeoutThenFailsWithoutEffect) {
  World w;
  std::vector<std::string> log;
  auto note = [&](const std::string& what, FsStatus status) {
    log.push_back(std::to_string(w.sim.now().to_ms()) + ":" + what + ":" + std::string(sim::to_string(status)));
  };
  w.process("jm", [&] {
    note("put", w.fs.put("/f", "x"));
    w.sleep_until(at_ms(30));
    note("delete", w.fs.remove("/f"));
    note("put", w.fs.put("/g", "y"));
    note("list", w.fs.list("/").status);
    note("read", w.fs.read("/f").status);
    w.sleep_until(at_ms(600));
    const sim::FsRead read = w.fs.read("/f");
    note("read-" + read.bytes, read.status);
  });
  w.sim.at(at_ms(20), [&] { w.fs.set_unavailable(); });
  w.sim.at(at_ms(500), [&] {
    EXPECT_TRUE(w.fs.unavailable());
    w.fs.clear_unavailable();
  });
  w.run();
  EXPECT_EQ(log, (std::vector<std::string>{"15:put:ok", "130:delete:unavailable", "230:put:unavailable",
                                           "330:list:unavailable", "430:read:unavailable", "605:read-x:ok"}));
  EXPECT_EQ(w.fs.paths(), std::vector<std::string>{"/f"});
  EXPECT_EQ(w.fs.open_handle_count(), 0u);
  EXPECT_EQ(w.fs_events("unavailable_set").size(), 1u);
  EXPECT_EQ(w.fs_events("unavailable_cleared").size(), 1u);
}

TEST(Filesystem, CutOffDuringAnOperationFailsItAtTheTimeoutMeasuredFromItsStart) {
  World w;
  FsStatus status = FsStatus::kOk;
  Instant returned{};
  w.process("jm", [&] {
    ASSERT_EQ(w.fs.put("/f", "x"), FsStatus::kOk);
    status = w.fs.remove("/f");  // 15..20 ms, cut off at 17 ms
    returned = w.sim.now();
  });
  w.sim.at(at_ms(17), [&] { w.fs.set_unavailable(); });
  w.sim.at(at_ms(30), [&] { w.fs.clear_unavailable(); });  // cleared before the caller's timeout
  w.run();
  EXPECT_EQ(status, FsStatus::kUnavailable);
  EXPECT_EQ(returned, at_ms(115));
  EXPECT_TRUE(w.fs.exists_now("/f"));
}

TEST(Filesystem, AWriteLostToTheCutOffPoisonsItsHandle) {
  World w;
  std::vector<FsStatus> statuses;
  w.process("jm", [&] {
    const sim::FsCreate created = w.fs.create("/f");
    statuses.push_back(w.fs.write(created.handle, "lost"));  // 5..10 ms, cut off at 7 ms
    statuses.push_back(w.fs.write(created.handle, "tail"));
    statuses.push_back(w.fs.close(created.handle));
  });
  w.sim.at(at_ms(7), [&] { w.fs.set_unavailable(); });
  w.sim.at(at_ms(50), [&] { w.fs.clear_unavailable(); });
  w.run();
  EXPECT_EQ(statuses, (std::vector<FsStatus>{FsStatus::kUnavailable, FsStatus::kIoError, FsStatus::kIoError}));
  EXPECT_FALSE(w.fs.exists_now("/f"));
}

TEST(Filesystem, SlowAddsLatencyOrMultipliesIt) {
  World w;
  std::vector<std::int64_t> took_ms;
  w.process("jm", [&] {
    for (const std::int64_t start_ms : {0, 100, 200, 300, 400}) {
      w.sleep_until(at_ms(start_ms));
      const Instant before = w.sim.now();
      EXPECT_EQ(w.fs.read("/missing").status, FsStatus::kNotFound);
      took_ms.push_back((w.sim.now() - before).to_ms());
    }
  });
  w.sim.at(at_ms(50), [&] { w.fs.set_slow(milliseconds(20)); });
  w.sim.at(at_ms(150), [&] { w.fs.set_slow(Duration{}, 3); });
  w.sim.at(at_ms(250), [&] { w.fs.set_slow(milliseconds(10), 2); });
  w.sim.at(at_ms(350), [&] { w.fs.clear_slow(); });
  w.run();
  EXPECT_EQ(took_ms, (std::vector<std::int64_t>{5, 25, 15, 20, 5}));
  const auto set = w.fs_events("slow_set");
  ASSERT_EQ(set.size(), 3u);
  EXPECT_EQ(number(set[2], "extra_ns"), milliseconds(10).ns);
  EXPECT_EQ(number(set[2], "multiplier"), 2);
  EXPECT_EQ(w.fs_events("slow_cleared").size(), 1u);
}

TEST(Filesystem, SlowRaisesSampledLatenciesToo) {
  sim::FilesystemConfig config;
  config.latency = sim::LatencyModel::uniform(milliseconds(1), milliseconds(10));
  World w(config);
  std::vector<std::int64_t> normal_us;
  std::vector<std::int64_t> slow_us;
  w.process("jm", [&] {
    for (int i = 0; i < 40; i++) {
      std::vector<std::int64_t>& into = w.sim.now() < at_ms(1000) ? normal_us : slow_us;
      const Instant before = w.sim.now();
      w.fs.exists("/x");
      into.push_back((w.sim.now() - before).to_us());
      if (i == 19) w.sleep_until(at_ms(1000));
    }
  });
  w.sim.at(at_ms(999), [&] { w.fs.set_slow(milliseconds(50)); });
  w.run();
  ASSERT_EQ(normal_us.size(), 20u);
  ASSERT_EQ(slow_us.size(), 20u);
  for (const std::int64_t us : normal_us) {
    EXPECT_GE(us, 1000);
    EXPECT_LE(us, 10000);
  }
  for (const std::int64_t us : slow_us) {
    EXPECT_GE(us, 51000);
    EXPECT_LE(us, 60000);
  }
  EXPECT_GT(std::set<std::int64_t>(normal_us.begin(), normal_us.end()).size(), 1u);
}

TEST(Filesystem, WriteErrorsForTheNextNWritesPoisonTheHandle) {
  World w;
  std::vector<FsStatus> statuses;
  w.fs.fail_next_writes(1);
  w.process("jm", [&] {
    const sim::FsCreate created = w.fs.create("/a");  // creates are not writes
    statuses.push_back(created.status);
    statuses.push_back(w.fs.write(created.handle, "x"));
    statuses.push_back(w.fs.write(created.handle, "y"));
    statuses.push_back(w.fs.close(created.handle));
    statuses.push_back(w.fs.put("/b", "z"));  // the one injected error is spent
  });
  w.run();
  EXPECT_EQ(statuses, (std::vector<FsStatus>{FsStatus::kOk, FsStatus::kIoError, FsStatus::kIoError,
                                             FsStatus::kIoError, FsStatus::kOk}));
  EXPECT_EQ(w.fs.paths(), std::vector<std::string>{"/b"});
  EXPECT_EQ(w.fs.buffered_bytes(), 0u);
  std::vector<std::string> reasons;
  for (const auto& event : w.fs_events()) {
    if (event.string_field("reason") != nullptr) reasons.push_back(event.name + ":" + text(event, "reason"));
  }
  EXPECT_EQ(reasons, (std::vector<std::string>{"write:injected", "write:poisoned", "close:poisoned"}));
  const auto set = w.fs_events("write_errors_set");
  ASSERT_EQ(set.size(), 1u);
  EXPECT_EQ(number(set[0], "count"), 1);
}

TEST(Filesystem, AFailedCloseMakesNothingVisible) {
  World w;
  FsStatus close_status = FsStatus::kOk;
  FsStatus retry_status = FsStatus::kIoError;
  w.process("jm", [&] {
    const sim::FsCreate created = w.fs.create("/meta");
    ASSERT_EQ(w.fs.write(created.handle, "data"), FsStatus::kOk);
    w.sleep_until(at_ms(100));
    close_status = w.fs.close(created.handle);
    EXPECT_FALSE(w.fs.exists_now("/meta"));
    retry_status = w.fs.put("/meta", "data");
  });
  w.sim.at(at_ms(50), [&] { w.fs.fail_next_writes(1); });
  w.run();
  EXPECT_EQ(close_status, FsStatus::kIoError);
  EXPECT_EQ(retry_status, FsStatus::kOk);
  EXPECT_EQ(w.fs.contents_now("/meta"), "data");
}

TEST(Filesystem, WriteErrorsUntilClearedFailEveryWriteUntilCleared) {
  World w;
  std::vector<std::string> log;
  w.fs.fail_writes_until_cleared();
  w.process("jm", [&] {
    for (int i = 0; i < 3; i++) {
      log.push_back(std::string(sim::to_string(w.fs.put("/f" + std::to_string(i), "x"))));
      EXPECT_EQ(w.fs.read("/missing").status, FsStatus::kNotFound);  // reads are unaffected
    }
    w.sleep_until(at_ms(1000));
    log.push_back(std::string(sim::to_string(w.fs.put("/after", "x"))));
  });
  w.sim.at(at_ms(500), [&] { w.fs.clear_write_errors(); });
  w.run();
  EXPECT_EQ(log, (std::vector<std::string>{"io_error", "io_error", "io_error", "ok"}));
  EXPECT_EQ(w.fs.paths(), std::vector<std::string>{"/after"});
  const auto set = w.fs_events("write_errors_set");
  ASSERT_EQ(set.size(), 1u);
  EXPECT_EQ(number(set[0], "count"), -1);
  EXPECT_EQ(w.fs_events("write_errors_cleared").size(), 1u);
}

TEST(Filesystem, LostFilesDisappearSilentlyAndAreTraced) {
  World w;
  std::vector<FsStatus> after;
  w.process("jm", [&] {
    for (const char* path : {"/ha/a", "/ha/b", "/ha/sub/c", "/hab", "/other"}) {
      ASSERT_EQ(w.fs.put(path, "1234"), FsStatus::kOk);
    }
    w.sleep_until(at_ms(500));
    after.push_back(w.fs.read("/ha/a").status);
    after.push_back(w.fs.read("/ha/sub/c").status);
    after.push_back(w.fs.read("/hab").status);
  });
  w.sim.at(at_ms(100), [&] {
    EXPECT_TRUE(w.fs.lose("/ha/a"));
    EXPECT_FALSE(w.fs.lose("/nope"));
    EXPECT_EQ(w.fs.lose_matching("/ha/"), 2u);
    EXPECT_EQ(w.fs.lose_matching("/zzz"), 0u);
  });
  w.run();
  EXPECT_EQ(after, (std::vector<FsStatus>{FsStatus::kNotFound, FsStatus::kNotFound, FsStatus::kOk}));
  EXPECT_EQ(w.fs.paths(), (std::vector<std::string>{"/hab", "/other"}));
  EXPECT_EQ(w.fs.file_bytes(), 8u);
  std::vector<std::string> lost;
  for (const auto& event : w.fs_events("lose")) {
    EXPECT_EQ(event.at, at_ms(100));
    EXPECT_EQ(event.process, "");
    lost.push_back(text(event, "path") + ":" + text(event, "status"));
  }
  EXPECT_EQ(lost, (std::vector<std::string>{"/ha/a:ok", "/nope:not_found", "/ha/b:ok", "/ha/sub/c:ok"}));
  const auto matching = w.fs_events("lose_matching");
  ASSERT_EQ(matching.size(), 2u);
  EXPECT_EQ(number(matching[0], "count"), 2);
}

// --- bounds ---

std::vector<std::string> reasons_of(World& w) {
  std::vector<std::string> reasons;
  for (const auto& event : w.fs_events()) {
    if (event.string_field("reason") != nullptr) reasons.push_back(event.name + ":" + text(event, "reason"));
  }
  return reasons;
}

TEST(Filesystem, TheFileCountIsBounded) {
  sim::FilesystemConfig config = fixed_config();
  config.files_max = 2;
  World w(config);
  std::vector<FsStatus> statuses;
  w.process("jm", [&] {
    statuses.push_back(w.fs.put("/a", "1"));
    statuses.push_back(w.fs.put("/b", "2"));
    statuses.push_back(w.fs.put("/c", "3"));
    statuses.push_back(w.fs.put("/a", "4", FsWriteMode::kOverwrite));  // replaces: no new file
  });
  w.run();
  EXPECT_EQ(statuses, (std::vector<FsStatus>{FsStatus::kOk, FsStatus::kOk, FsStatus::kIoError, FsStatus::kOk}));
  EXPECT_EQ(w.fs.paths(), (std::vector<std::string>{"/a", "/b"}));
  EXPECT_EQ(reasons_of(w), std::vector<std::string>{"close:files_max"});
}

TEST(Filesystem, TotalBytesIncludingOpenBuffersAreBounded) {
  sim::FilesystemConfig config = fixed_config();
  config.bytes_max = 10;
  World w(config);
  std::vector<FsStatus> statuses;
  w.process("jm", [&] {
    statuses.push_back(w.fs.put("/a", "123456"));
    const sim::FsCreate created = w.fs.create("/b");
    statuses.push_back(w.fs.write(created.handle, "1234"));  // exactly at the bound
    statuses.push_back(w.fs.write(created.handle, "5"));
    statuses.push_back(w.fs.close(created.handle));
  });
  w.run();
  EXPECT_EQ(statuses, (std::vector<FsStatus>{FsStatus::kOk, FsStatus::kOk, FsStatus::kIoError, FsStatus::kIoError}));
  EXPECT_EQ(w.fs.paths(), std::vector<std::string>{"/a"});
  EXPECT_EQ(w.fs.file_bytes(), 6u);
  EXPECT_EQ(w.fs.buffered_bytes(), 0u);
  EXPECT_EQ(reasons_of(w), (std::vector<std::string>{"write:bytes_max", "close:poisoned"}));
}

TEST(Filesystem, OpenHandlesAreBounded) {
  sim::FilesystemConfig config = fixed_config();
  config.open_handles_max = 2;
  World w(config);
  std::vector<FsStatus> statuses;
  w.process("jm", [&] {
    const sim::FsCreate first = w.fs.create("/a");
    statuses.push_back(first.status);
    statuses.push_back(w.fs.create("/b").status);
    const sim::FsCreate third = w.fs.create("/c");
    statuses.push_back(third.status);
    EXPECT_FALSE(third.handle.valid());
    statuses.push_back(w.fs.close(first.handle));
    statuses.push_back(w.fs.create("/c").status);
  });
  w.run();
  EXPECT_EQ(statuses, (std::vector<FsStatus>{FsStatus::kOk, FsStatus::kOk, FsStatus::kIoError, FsStatus::kOk,
                                             FsStatus::kOk}));
  EXPECT_EQ(w.fs.open_handle_count(), 2u);
  EXPECT_EQ(reasons_of(w), std::vector<std::string>{"create:open_handles_max"});
}

// --- against a reference model ---

enum class OpKind { kCreate, kWrite, kClose, kRead, kList, kRename, kRemove, kExists, kPut, kCount };

struct Op {
  OpKind kind = OpKind::kRead;
  std::string path;
  std::string to;
  std::string dir;
  std::string bytes;
  bool overwrite = false;
  std::size_t slot = 0;
};

// What the filesystem must do when no fault is set: a map of visible files and a list of
// handles, written as plainly as possible.
struct ReferenceModel {
  struct Handle {
    std::string path;
    bool overwrite = false;
    std::string buffer;
    bool open = true;
  };
  std::map<std::string, std::string> files;
  std::vector<Handle> handles;

  FsStatus create(const std::string& path, bool overwrite) {
    if (!overwrite && files.count(path) > 0) return FsStatus::kAlreadyExists;
    handles.push_back(Handle{path, overwrite, "", true});
    return FsStatus::kOk;
  }
  FsStatus write(std::size_t index, const std::string& bytes) {
    if (index >= handles.size() || !handles[index].open) return FsStatus::kNotFound;
    handles[index].buffer += bytes;
    return FsStatus::kOk;
  }
  FsStatus close(std::size_t index) {
    if (index >= handles.size() || !handles[index].open) return FsStatus::kNotFound;
    Handle& handle = handles[index];
    handle.open = false;
    if (!handle.overwrite && files.count(handle.path) > 0) return FsStatus::kAlreadyExists;
    files[handle.path] = handle.buffer;
    return FsStatus::kOk;
  }
  std::vector<std::string> list(const std::string& dir) const {
    const std::string prefix = dir == "/" ? "/" : dir + "/";
    std::vector<std::string> names;
    for (const auto& [path, bytes] : files) {
      if (path.compare(0, prefix.size(), prefix) != 0) continue;
      const std::string rest = path.substr(prefix.size());
      names.push_back(rest.substr(0, rest.find('/')));
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
  }
  FsStatus rename(const std::string& from, const std::string& to) {
    if (files.count(from) == 0) return FsStatus::kNotFound;
    if (files.count(to) > 0) return FsStatus::kAlreadyExists;
    files[to] = files[from];
    files.erase(from);
    return FsStatus::kOk;
  }
  FsStatus remove(const std::string& path) { return files.erase(path) > 0 ? FsStatus::kOk : FsStatus::kNotFound; }
};

rc::Gen<Op> gen_op() {
  static const std::vector<std::string> kPaths{"/a", "/b", "/d/x", "/d/y", "/d/e/z", "/d-e/w", "/dd"};
  static const std::vector<std::string> kDirs{"/", "/d", "/d/e", "/a", "/nope"};
  return rc::gen::map(
      rc::gen::tuple(rc::gen::inRange(0, static_cast<int>(OpKind::kCount)), rc::gen::elementOf(kPaths),
                     rc::gen::elementOf(kPaths), rc::gen::elementOf(kDirs),
                     rc::gen::container<std::string>(rc::gen::element('a', 'b', '/', '\n')),
                     rc::gen::arbitrary<bool>(), rc::gen::inRange<std::size_t>(0, 8)),
      [](const auto& t) {
        return Op{static_cast<OpKind>(std::get<0>(t)), std::get<1>(t), std::get<2>(t), std::get<3>(t),
                  std::get<4>(t), std::get<5>(t), std::get<6>(t)};
      });
}

std::string show(FsStatus status) { return std::string(sim::to_string(status)); }

RC_GTEST_PROP(FilesystemModel, RandomOperationSequencesMatchAMapWhenNoFaultIsSet, ()) {
  const auto ops = *rc::gen::container<std::vector<Op>>(gen_op());
  const auto seed = *rc::gen::inRange<std::uint64_t>(1, 1'000'000);
  World w(sim::FilesystemConfig{}, seed);  // the default, sampled latency
  ReferenceModel model;
  std::vector<FsHandle> handles;
  std::vector<std::string> mismatches;
  bool finished = false;
  auto expect = [&](std::size_t i, const std::string& what, const std::string& got, const std::string& want) {
    if (got != want) mismatches.push_back("op " + std::to_string(i) + " " + what + ": got " + got + ", want " + want);
  };
  w.process("jm", [&] {
    for (std::size_t i = 0; i < ops.size(); i++) {
      const Op& op = ops[i];
      // A slot past the handles made so far stands for a handle that never existed.
      const std::size_t index = handles.empty() ? op.slot : op.slot % (handles.size() + 1);
      const FsHandle handle = index < handles.size() ? handles[index] : FsHandle{};
      const FsWriteMode mode = op.overwrite ? FsWriteMode::kOverwrite : FsWriteMode::kNoOverwrite;
      switch (op.kind) {
        case OpKind::kCreate: {
          const sim::FsCreate got = w.fs.create(op.path, mode);
          const FsStatus want = model.create(op.path, op.overwrite);
          expect(i, "create", show(got.status), show(want));
          if (got.status != want) return;  // the handle lists would no longer line up
          if (got.status == FsStatus::kOk) handles.push_back(got.handle);
          break;
        }
        case OpKind::kWrite:
          expect(i, "write", show(w.fs.write(handle, op.bytes)), show(model.write(index, op.bytes)));
          break;
        case OpKind::kClose: expect(i, "close", show(w.fs.close(handle)), show(model.close(index))); break;
        case OpKind::kRead: {
          const sim::FsRead got = w.fs.read(op.path);
          const auto it = model.files.find(op.path);
          expect(i, "read", show(got.status), show(it == model.files.end() ? FsStatus::kNotFound : FsStatus::kOk));
          expect(i, "read bytes", got.bytes, it == model.files.end() ? "" : it->second);
          break;
        }
        case OpKind::kList: {
          const sim::FsList got = w.fs.list(op.dir);
          expect(i, "list", show(got.status), show(FsStatus::kOk));
          std::string got_names;
          std::string want_names;
          for (const auto& name : got.names) got_names += name + ",";
          for (const auto& name : model.list(op.dir)) want_names += name + ",";
          expect(i, "list names", got_names, want_names);
          break;
        }
        case OpKind::kRename:
          expect(i, "rename", show(w.fs.rename(op.path, op.to)), show(model.rename(op.path, op.to)));
          break;
        case OpKind::kRemove: expect(i, "remove", show(w.fs.remove(op.path)), show(model.remove(op.path))); break;
        case OpKind::kExists:
          expect(i, "exists", show(w.fs.exists(op.path)),
                 show(model.files.count(op.path) > 0 ? FsStatus::kOk : FsStatus::kNotFound));
          break;
        case OpKind::kPut: {
          // One fiber, so nothing can publish the path between put's create and its close.
          FsStatus want = FsStatus::kAlreadyExists;
          if (op.overwrite || model.files.count(op.path) == 0) {
            model.files[op.path] = op.bytes;
            want = FsStatus::kOk;
          }
          expect(i, "put", show(w.fs.put(op.path, op.bytes, mode)), show(want));
          break;
        }
        case OpKind::kCount: break;
      }
    }
    finished = true;
  });
  const sim::RunOutcome outcome = w.run(seconds(3600));
  RC_ASSERT(mismatches == std::vector<std::string>{});
  RC_ASSERT(finished);
  RC_ASSERT(outcome == sim::RunOutcome::kDrained);
  std::vector<std::string> model_paths;
  std::uint64_t model_bytes = 0;
  for (const auto& [path, bytes] : model.files) {
    model_paths.push_back(path);
    model_bytes += bytes.size();
    RC_ASSERT(w.fs.contents_now(path) == std::optional<std::string>(bytes));
  }
  RC_ASSERT(w.fs.paths() == model_paths);
  RC_ASSERT(w.fs.file_bytes() == model_bytes);
  const auto open = static_cast<std::size_t>(
      std::count_if(model.handles.begin(), model.handles.end(), [](const auto& h) { return h.open; }));
  RC_ASSERT(w.fs.open_handle_count() == open);
}

// --- determinism ---

struct WorkloadResult {
  std::uint64_t trace_hash = 0;
  std::size_t fs_events = 0;
  std::vector<std::string> paths;
};

// Three processes doing random operations concurrently, with every fault kind and a crash.
WorkloadResult run_workload(std::uint64_t seed) {
  sim::FilesystemConfig config;
  config.unavailable_timeout = milliseconds(200);
  World w(config, seed);
  static const std::vector<std::string> kPaths{"/ha/a", "/ha/b", "/ha/job/c", "/ha/job/d", "/tmp/e"};
  std::vector<sim::ProcessId> pids;
  for (const std::string name : {"jm-1", "jm-2", "tm-1"}) {
    pids.push_back(w.process(name, [&w, name] {
      sim::Prng rng = w.sim.rng_stream("workload/" + name + "/" + std::to_string(w.sim.now().ns));
      for (int i = 0; i < 60; i++) {
        const std::string& path = rng.pick(kPaths);
        switch (rng.below(6)) {
          case 0: w.fs.put(path, name + std::to_string(i), rng.chance(1, 2) ? FsWriteMode::kOverwrite
                                                                             : FsWriteMode::kNoOverwrite);
            break;
          case 1: w.fs.read(path); break;
          case 2: w.fs.list("/ha"); break;
          case 3: w.fs.rename(path, rng.pick(kPaths)); break;
          case 4: w.fs.remove(path); break;
          default: {
            const sim::FsCreate created = w.fs.create(path, FsWriteMode::kOverwrite);
            w.fs.write(created.handle, "slow");
            w.sim.sleep(milliseconds(static_cast<std::int64_t>(rng.below(100))));
            w.fs.close(created.handle);
          }
        }
      }
    }));
  }
  w.sim.at(at_ms(40), [&] { w.fs.set_unavailable(); });
  w.sim.at(at_ms(140), [&] { w.fs.clear_unavailable(); });
  w.sim.at(at_ms(150), [&] { w.sim.restart(pids[1]); });
  w.sim.at(at_ms(200), [&] { w.fs.set_slow(milliseconds(3), 2); });
  w.sim.at(at_ms(300), [&] { w.fs.fail_next_writes(3); });
  w.sim.at(at_ms(350), [&] { w.fs.lose_matching("/ha/job/"); });
  w.sim.at(at_ms(400), [&] { w.fs.clear_slow(); });
  w.run();
  return WorkloadResult{w.sim.trace().hash(), w.fs_events().size(), w.fs.paths()};
}

TEST(FilesystemDeterminism, SameSeedSameTraceHashDifferentSeedsDiffer) {
  std::set<std::uint64_t> distinct;
  for (std::uint64_t seed = 1; seed <= 20; seed++) {
    const WorkloadResult first = run_workload(seed);
    const WorkloadResult second = run_workload(seed);
    ASSERT_EQ(first.trace_hash, second.trace_hash) << "seed " << seed;
    ASSERT_EQ(first.fs_events, second.fs_events) << "seed " << seed;
    ASSERT_EQ(first.paths, second.paths) << "seed " << seed;
    ASSERT_GT(first.fs_events, 150u) << "seed " << seed;
    distinct.insert(first.trace_hash);
  }
  EXPECT_EQ(distinct.size(), 20u);
}

// A fault consumes no extra draws, so the operations after it see the latencies they would have
// seen without it.
TEST(FilesystemDeterminism, AFaultDoesNotShiftLaterLatencies) {
  auto durations_us = [](bool cut_off) {
    sim::FilesystemConfig config;
    config.latency = sim::LatencyModel::uniform(milliseconds(1), milliseconds(10));
    World w(config, 77);
    if (cut_off) w.fs.set_unavailable();
    std::vector<std::int64_t> took;
    w.process("jm", [&] {
      for (int i = 0; i < 10; i++) {
        const Instant before = w.sim.now();
        w.fs.read("/x");
        took.push_back((w.sim.now() - before).to_us());
      }
    });
    w.sim.at(Instant{} + sim::microseconds(1), [&] { w.fs.clear_unavailable(); });
    w.run();
    return took;
  };
  const std::vector<std::int64_t> clean = durations_us(false);
  const std::vector<std::int64_t> faulted = durations_us(true);
  ASSERT_EQ(clean.size(), 10u);
  ASSERT_EQ(faulted.size(), 10u);
  EXPECT_EQ(faulted[0], seconds(10).to_us());  // the default unavailable_timeout
  EXPECT_NE(clean[0], faulted[0]);
  EXPECT_EQ(std::vector<std::int64_t>(clean.begin() + 1, clean.end()),
            std::vector<std::int64_t>(faulted.begin() + 1, faulted.end()));
}

}  // namespace
