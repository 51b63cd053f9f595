// Randomised conformance: every generated sequence runs against a REAL ZooKeeper 3.8.0 (Debian's
// zookeeper package, started by this test through zk_cluster.sh on free loopback ports, wiped
// between sequences) through the C client (OracleClient), and against the simulated ensemble
// (run_on_simulation). The two traces must be equal record by record. On a difference RapidCheck
// shrinks the sequence and the failure shows the shrunk sequence (as C++), both traces and the
// first differing record.
//
// Environment:
//   HASIM_CONFORMANCE_CASES           sequences for the standalone property (default 500)
//   HASIM_CONFORMANCE_ENSEMBLE_CASES  sequences for the 3-server property (default 100)
//   HASIM_CONFORMANCE_SEED            RapidCheck seed (default 1: the same sequences every run)
//   HASIM_CONFORMANCE_EXPIRE_WEIGHT   weight of `expire` among the generated ops (default 2, 0: none)
//   HASIM_CONFORMANCE_SHRINK_BUDGET_S seconds of shrinking after the first failure (default 120); the
//                                     first failure is also printed at once, unshrunk
//   HASIM_CONFORMANCE_VERBOSE=1       print every sequence before running it
//   HASIM_CONFORMANCE_KEEP_DIR=1      keep the servers' directories (logs) after the run
// Skipped (GTEST_SKIP) when the zookeeper package (/usr/share/java/zookeeper.jar) or java is missing.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <rapidcheck.h>
#include <rapidcheck/detail/Configuration.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zookeeper/zookeeper.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "tests/conformance/sim_conformance_runner.hpp"
#include "tests/conformance/zk_directed_sequences.hpp"
#include "tests/conformance/zk_oracle_client.hpp"
#include "tests/conformance/zk_sequence_gen.hpp"

#ifndef HASIM_CONFORMANCE_DIR
#error "HASIM_CONFORMANCE_DIR must name tests/conformance"
#endif

namespace conformance {
namespace {

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return std::atoi(v);
}

bool port_free(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// A base port B with B..B+2, B+10..B+12 and B+20..B+22 free (zk_cluster.sh's layout).
int free_base_port() {
  const int start = 30000 + static_cast<int>(::getpid() % 400) * 50;
  for (int i = 0; i < 400; i++) {
    const int base = 30000 + (start - 30000 + i * 50) % 20000;
    bool ok = true;
    for (const int offset : {0, 1, 2, 10, 11, 12, 20, 21, 22}) ok = ok && port_free(base + offset);
    if (ok) return base;
  }
  return -1;
}

std::string script() { return std::string(HASIM_CONFORMANCE_DIR) + "/zk_cluster.sh"; }

int shell(const std::string& command) {
  const int status = std::system((command + " > /dev/null 2>&1").c_str());
  return status == -1 ? -1 : WEXITSTATUS(status);
}

// A real ZooKeeper standalone server or 3-server ensemble on loopback, for the whole test suite.
class RealZooKeeper {
 public:
  RealZooKeeper() = default;
  RealZooKeeper(const RealZooKeeper&) = delete;
  RealZooKeeper& operator=(const RealZooKeeper&) = delete;
  ~RealZooKeeper() { stop(); }

  static bool installed(std::string& why) {
    if (!std::filesystem::exists("/usr/share/java/zookeeper.jar")) {
      why = "the zookeeper package is not installed (/usr/share/java/zookeeper.jar missing; apt-get install zookeeper)";
      return false;
    }
    if (shell("command -v java") != 0) {
      why = "java is not on PATH (the zookeeper package's server needs a JRE)";
      return false;
    }
    return true;
  }

  bool start(int servers, std::string& why) {
    char tmpl[] = "/tmp/hasim-zk-conformance.XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) {
      why = "mkdtemp failed";
      return false;
    }
    dir_ = tmpl;
    for (int attempt = 0; attempt < 3; attempt++) {
      const int base = free_base_port();
      if (base < 0) {
        why = "no free loopback ports";
        return false;
      }
      const std::string mode = servers == 1 ? "start-standalone" : "start-ensemble";
      if (shell(script() + " " + mode + " " + dir_ + " " + std::to_string(base)) != 0) {
        shell(script() + " stop " + dir_);
        continue;  // lost a race for a port: try others
      }
      bool ready = true;
      for (int i = 0; i < servers; i++)
        ready = ready && shell(script() + " wait-ready " + std::to_string(base + i) + " 90") == 0;
      if (!ready) {
        shell(script() + " stop " + dir_);
        continue;
      }
      hosts_.clear();
      for (int i = 0; i < servers; i++) hosts_.push_back("127.0.0.1:" + std::to_string(base + i));
      start_watchdog();
      return warm_up(why);
    }
    why = "could not start ZooKeeper (see " + dir_ + "/s*/server.log)";
    return false;
  }

  void stop() {
    if (dir_.empty()) return;
    shell(script() + " stop " + dir_);
    if (watchdog_fd_ >= 0) {
      ::close(watchdog_fd_);  // the watchdog finds nothing left to stop and exits
      watchdog_fd_ = -1;
    }
    if (env_int("HASIM_CONFORMANCE_KEEP_DIR", 0) == 0) {
      std::error_code ignored;
      std::filesystem::remove_all(dir_, ignored);
    } else {
      std::cout << "[ info ] ZooKeeper directory kept: " << dir_ << "\n";
    }
    dir_.clear();
  }

  const std::vector<std::string>& hosts() const { return hosts_; }
  std::string joined_hosts() const {
    std::string out;
    for (const auto& h : hosts_) out += (out.empty() ? "" : ",") + h;
    return out;
  }

 private:
  // If this process dies without stop() (a crash, an abort in the C client), a watchdog child
  // stops the servers: it waits for the end of a pipe whose only writer is this process.
  void start_watchdog() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return;
    const std::string command = script() + " stop " + dir_ + " > /dev/null 2>&1; " +
                                (env_int("HASIM_CONFORMANCE_KEEP_DIR", 0) != 0 ? std::string(":") : "rm -rf " + dir_);
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::close(fds[1]);
      char byte;
      while (::read(fds[0], &byte, 1) > 0) {
      }
      ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(fds[0]);
    if (pid < 0) {
      ::close(fds[1]);
      return;
    }
    watchdog_fd_ = fds[1];
  }

  // A fresh JVM answers its first requests slowly; run a few so the sequences do not pay for it.
  bool warm_up(std::string& why) {
    OracleOptions options;
    options.servers = hosts_;
    options.client_log_level = 1;
    for (int round = 0; round < 3; round++) {
      if (OracleClient::wipe(joined_hosts()) != rc::kOk) {
        why = "wipe failed on a fresh server";
        return false;
      }
      OracleClient client(options);
      std::vector<Op> ops;
      for (int s = 0; s < static_cast<int>(hosts_.size()); s++) ops.push_back(open_session(s, 10000, s));
      for (int i = 0; i < 20; i++) {
        ops.push_back(create(0, "/warm" + std::to_string(i), "x", CreateMode::kEphemeral));
        ops.push_back(get_children(0, "/", true));
        ops.push_back(multi(0, {check("/warm0", 0), set_data(0, "/warm0", "y", -1)}));
      }
      client.run(ops);
    }
    return OracleClient::wipe(joined_hosts()) == rc::kOk;
  }

  std::string dir_;
  std::vector<std::string> hosts_;
  int watchdog_fd_ = -1;
};

std::string trace_text(const Trace& t) {
  std::string out;
  for (const auto& line : split_lines(to_json_lines(t))) out += "    " + line + "\n";
  return out;
}

// A real run disturbed by its environment rather than by the sequence: a session lost its connection
// (no op of a sequence drops one; the oracle's expire hides its own reconnects), or an expire gave up.
// On a loaded machine a JVM can stall past a client's receive timeout. Such runs are repeated.
// Also a race of the expire technique itself: when the second handle attaches, the server drops the
// original's connection (with its watches); the original reconnects at once, and if its reconnect
// (SetWatches re-arming its watches) lands between the second handle's closeSession being queued and
// applied, the original receives the watch events of its own session's expiry before being told it
// expired. Whether it does depends on microseconds; the simulated driver reproduces the usual
// outcome (no such events), so a real run that lost the race is repeated too.
// After a reattach (OpKind::kReattach), a CONNECTING right after an op of the same session that
// failed with connection loss is that op's own outcome (the old handle of a moved session is
// dropped by its server), not a disturbance.
std::string disturbance(const Trace& real) {
  const OpResult* op = nullptr;
  bool reattached = false;
  for (const Record& record : real) {
    if (const auto* e = std::get_if<WatchEvent>(&record)) {
      const bool own_drop = reattached && op != nullptr && op->session == e->session &&
                            op->rc == rc::kConnectionLoss && e->state == state::kConnecting;
      if (e->type == EventType::kSession && e->state != state::kExpiredSession && !own_drop) {
        return "session " + std::to_string(e->session) + " got " + std::string(state_name(e->state));
      }
      if (op != nullptr && op->kind == OpKind::kExpire && op->rc == rc::kOk && e->session == op->session &&
          e->type != EventType::kSession) {
        return "session " + std::to_string(e->session) + " got " + std::string(event_name(e->type)) + " " + e->path +
               " of its own expiry (its handle took the session back during the expire)";
      }
    } else {
      op = &std::get<OpResult>(record);
      if (op->kind == OpKind::kReattach && op->rc == rc::kOk) reattached = true;
      if (op->kind == OpKind::kExpire && op->rc == rc::kOperationTimeout) {
        return "the expire of session " + std::to_string(op->session) + " timed out";
      }
    }
  }
  return "";
}

// Runs `ops` on the real server (after a wipe); repeats a disturbed run up to twice.
Trace run_real(const std::string& hosts, const OracleOptions& options, const std::vector<Op>& ops, int& reruns,
               std::string& last_disturbance) {
  Trace real;
  for (int attempt = 0; attempt < 3; attempt++) {
    if (OracleClient::wipe(hosts) != rc::kOk) throw std::runtime_error("wipe failed on " + hosts);
    {
      OracleClient oracle(options);
      real = oracle.run(ops);
    }  // closes the sessions left open
    last_disturbance = disturbance(real);
    if (last_disturbance.empty()) break;
    reruns++;
    std::cerr << "[ rerun ] the real run was disturbed (" << last_disturbance << ")\n";
  }
  return real;
}

struct PropertyStats {
  int cases = 0;
  long long ops = 0;
  long long records = 0;
  double real_seconds = 0;
  double sim_seconds = 0;
  int reruns = 0;  // real runs repeated because they were disturbed
};

// Runs `cases` generated sequences against the real server(s) and the simulation.
void check_sequences(RealZooKeeper& zk, int servers, int cases, const SequenceGenConfig& config, PropertyStats& stats) {
  OracleOptions oracle_options;
  oracle_options.servers = zk.hosts();
  oracle_options.client_log_level = 0;
  // Bounds the oracle's expire (connect_timeout + 2 * session timeout) when its second handle
  // loses the race for the session; opens on a warm loopback server take milliseconds.
  oracle_options.connect_timeout_ms = 3000;
  oracle_options.barrier_timeout_ms = 5000;

  using Clock = std::chrono::steady_clock;
  // After the first failure RapidCheck shrinks, re-running candidates on the real server; past the
  // budget every further candidate passes, so it reports the smallest failure found by then.
  std::optional<Clock::time_point> first_failure;
  const auto shrink_budget = std::chrono::seconds(env_int("HASIM_CONFORMANCE_SHRINK_BUDGET_S", 120));
  const auto fail = [&](const std::string& message) {
    if (!first_failure) {
      first_failure = Clock::now();
      std::cerr << "[ first failure, before shrinking ]\n" << message << std::endl;
    }
    RC_FAIL(message);
  };
  const auto property = [&] {
    std::vector<Op> ops = make_safe(spread_sessions(*op_sequence(config), servers));
    if (first_failure && Clock::now() - *first_failure > shrink_budget) RC_SUCCEED("shrink budget spent");
    if (env_int("HASIM_CONFORMANCE_VERBOSE", 0) != 0) std::cerr << "sequence:\n" << to_cpp(ops) << "\n";

    const auto t0 = Clock::now();
    std::string disturbed;
    const Trace real = run_real(zk.joined_hosts(), oracle_options, ops, stats.reruns, disturbed);
    const auto t1 = Clock::now();

    SimRunOptions sim_options;
    sim_options.servers = servers;
    sim_options.seed = std::hash<std::string>{}(to_cpp(ops)) | 1;
    const SimRunResult sim = run_on_simulation(ops, sim_options);
    const auto t2 = Clock::now();

    stats.cases++;
    stats.ops += static_cast<long long>(ops.size());
    stats.records += static_cast<long long>(real.size());
    stats.real_seconds += std::chrono::duration<double>(t1 - t0).count();
    stats.sim_seconds += std::chrono::duration<double>(t2 - t1).count();

    if (!disturbed.empty()) {
      fail("the real run was disturbed three times (" + disturbed + "): environment, not conformance\nsequence:\n" +
           to_cpp(ops));
    }
    if (!sim.error.empty()) fail("the simulated run did not complete: " + sim.error + "\nsequence:\n" + to_cpp(ops));
    const std::string diff = first_difference(real, sim.trace, "real ZooKeeper", "simulation");
    if (!diff.empty()) {
      fail(std::to_string(servers) + " server(s): " + diff + "sequence (after make_safe):\n" + to_cpp(ops) +
           "\nreal ZooKeeper trace:\n" + trace_text(real) + "simulated trace:\n" + trace_text(sim.trace));
    }
    // Wire-level surprises of the simulated servers that traces cannot show (e.g. a failed multi's
    // reply header) fail the case too.
    for (const std::string& note : sim.protocol_notes) {
      fail("simulated server: " + note + "\nsequence:\n" + to_cpp(ops));
    }
  };

  ::rc::detail::TestParams params = ::rc::detail::configuration().testParams;
  params.maxSuccess = cases;
  params.seed = static_cast<std::uint64_t>(env_int("HASIM_CONFORMANCE_SEED", 1));
  ::rc::detail::TestMetadata metadata;
  metadata.id = metadata.description = std::to_string(servers) + "-server conformance";
  const auto result = ::rc::detail::checkProperty(::rc::detail::toProperty(property), metadata, params);
  std::ostringstream message;
  ::rc::detail::printResultMessage(result, message);
  std::cout << "[ info ] " << stats.cases << " sequences run (shrinking included), " << stats.ops << " ops, "
            << stats.records << " records; real server " << stats.real_seconds << " s, simulation " << stats.sim_seconds
            << " s\n";
  if (stats.reruns > 0)
    std::cout << "[ note ] " << stats.reruns << " real runs repeated (disturbed by the environment)\n";
  EXPECT_TRUE(result.template is<::rc::detail::SuccessResult>()) << message.str();
}

SequenceGenConfig gen_config() {
  SequenceGenConfig config;
  config.expire_weight = static_cast<unsigned>(env_int("HASIM_CONFORMANCE_EXPIRE_WEIGHT", 2));
  return config;
}

class OracleConformance : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR); }
};

TEST_F(OracleConformance, StandaloneMatchesSimulation) {
  std::string why;
  if (!RealZooKeeper::installed(why)) GTEST_SKIP() << why;
  RealZooKeeper zk;
  ASSERT_TRUE(zk.start(1, why)) << why;
  PropertyStats stats;
  check_sequences(zk, 1, env_int("HASIM_CONFORMANCE_CASES", 500), gen_config(), stats);
  zk.stop();
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The directed sequences: the real server still produces the recorded golden traces (which the
// simulated side is compared with everywhere, sim_golden_test.cpp), and the simulation matches them.
void check_directed(RealZooKeeper& zk, int servers) {
  OracleOptions options;
  options.servers = zk.hosts();
  options.client_log_level = 0;
  options.connect_timeout_ms = 3000;
  for (const DirectedCase& c : directed_cases()) {
    if (servers < c.min_servers) continue;
    const std::vector<Op> ops = spread_sessions(c.ops, servers);
    int reruns = 0;
    std::string disturbed;
    const Trace real = run_real(zk.joined_hosts(), options, ops, reruns, disturbed);
    const auto golden =
        split_lines(read_text(std::string(HASIM_CONFORMANCE_DIR) + "/golden/directed/" + c.name + ".jsonl"));
    const std::string vs_golden =
        first_difference_lines(golden, split_lines(to_json_lines(real)), "golden", "real ZooKeeper");
    EXPECT_TRUE(vs_golden.empty()) << c.name << ": the real server no longer produces the golden trace: " << vs_golden;
    SimRunOptions sim_options;
    sim_options.servers = servers;
    const SimRunResult sim = run_on_simulation(ops, sim_options);
    const std::string vs_sim = first_difference(real, sim.trace, "real ZooKeeper", "simulation");
    EXPECT_TRUE(vs_sim.empty()) << c.name << " (" << servers << " server(s)): " << vs_sim;
  }
}

TEST_F(OracleConformance, DirectedSequencesStandalone) {
  std::string why;
  if (!RealZooKeeper::installed(why)) GTEST_SKIP() << why;
  RealZooKeeper zk;
  ASSERT_TRUE(zk.start(1, why)) << why;
  check_directed(zk, 1);
}

TEST_F(OracleConformance, ThreeServerEnsembleMatchesSimulation) {
  std::string why;
  if (!RealZooKeeper::installed(why)) GTEST_SKIP() << why;
  RealZooKeeper zk;
  ASSERT_TRUE(zk.start(3, why)) << why;
  PropertyStats stats;
  check_directed(zk, 3);
  check_sequences(zk, 3, env_int("HASIM_CONFORMANCE_ENSEMBLE_CASES", 100), gen_config(), stats);
  zk.stop();
}

}  // namespace
}  // namespace conformance
