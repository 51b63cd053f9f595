// Timing facts measured on a REAL ZooKeeper through the C client, for the simulated model to match.
// Starts no server itself (measure_timing.sh does). Every wait is bounded.
//
//   zk_timing negotiate HOSTS MS [MS...]
//       Opens one session per requested timeout; prints the negotiated timeout.
//   zk_timing ephemeral-expiry HOSTS TIMEOUT_MS TRIALS stop|kill
//       Per trial: a forked helper opens a session (TIMEOUT_MS), creates an ephemeral, does one more
//       round trip (its last contact with the server), and reports. The parent then SIGSTOPs it
//       ("stop": socket open, no pings) or SIGKILLs it ("kill": the kernel closes the socket), and
//       measures how long until its own exists-watch sees the ephemeral deleted. Trial t first
//       waits (t * 733) % 2000 ms, so the trials sample different phases of the tickTime buckets.
//   zk_timing outage HOSTS TIMEOUT_MS SCRIPT DIR OUTAGE_MS KILL_IDS
//       A client (all servers in HOSTS, first one preferred) holds an ephemeral; a prober issues
//       exists() every 100 ms and logs each rc and latency, and every session event is logged. At
//       t=1 s servers KILL_IDS (e.g. "2,3") are killed with `SCRIPT kill-server DIR N`; after
//       OUTAGE_MS they are started again; then the client's fate is reported: same session id?
//       ephemeral still there? or expired.
// Output: one JSON object per line on stdout; times in ms.
#ifndef THREADED
#define THREADED
#endif
#include <zookeeper/zookeeper.h>

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
const Clock::time_point kStart = Clock::now();

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}
double now_ms() { return ms_since(kStart); }

struct Conn {
  std::mutex mu;
  std::condition_variable cv;
  int state = 0;
  std::vector<std::pair<int, std::string>> events;  // (type, path) of watch events
  bool log_session_events = false;
  const char* name = "client";
};

void conn_watcher(zhandle_t*, int type, int state, const char* path, void* ctx) {
  auto* c = static_cast<Conn*>(ctx);
  std::lock_guard lock(c->mu);
  if (type == ZOO_SESSION_EVENT) {
    c->state = state;
    if (c->log_session_events) {
      std::printf("{\"t_ms\":%.0f,\"who\":\"%s\",\"session_event_state\":%d}\n", now_ms(), c->name, state);
      std::fflush(stdout);
    }
  } else {
    c->events.emplace_back(type, path ? path : "");
  }
  c->cv.notify_all();
}

zhandle_t* connect(const std::string& hosts, int timeout_ms, Conn& c, int wait_ms = 15000) {
  zhandle_t* zh = zookeeper_init(hosts.c_str(), conn_watcher, timeout_ms, nullptr, &c, 0);
  if (!zh) return nullptr;
  std::unique_lock lock(c.mu);
  if (!c.cv.wait_for(lock, std::chrono::milliseconds(wait_ms), [&] { return c.state == ZOO_CONNECTED_STATE; })) {
    lock.unlock();
    zookeeper_close(zh);
    return nullptr;
  }
  return zh;
}

int ensure_path(zhandle_t* zh, const char* path) {
  int rc = zoo_create(zh, path, "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, nullptr, 0);
  return rc == ZNODEEXISTS ? ZOK : rc;
}

int cmd_negotiate(const std::string& hosts, const std::vector<int>& requested) {
  for (int req : requested) {
    Conn c;
    zhandle_t* zh = connect(hosts, req, c);
    if (!zh) {
      std::printf("{\"requested_ms\":%d,\"error\":\"connect failed\"}\n", req);
      continue;
    }
    std::printf("{\"requested_ms\":%d,\"negotiated_ms\":%d}\n", req, zoo_recv_timeout(zh));
    zookeeper_close(zh);
  }
  return 0;
}

// The helper process: session, ephemeral, a final round trip, then tell the parent and idle.
[[noreturn]] void expiry_helper(const std::string& hosts, int timeout_ms, const std::string& path, int fd) {
  Conn c;
  zhandle_t* zh = connect(hosts, timeout_ms, c);
  char status = 'E';
  if (zh && zoo_create(zh, path.c_str(), "x", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, nullptr, 0) == ZOK) {
    struct Stat st {};
    if (zoo_exists(zh, "/", 0, &st) == ZOK) status = 'K';  // the last contact
  }
  if (write(fd, &status, 1) != 1) _exit(3);
  for (int i = 0; i < 600; ++i) sleep(1);  // bounded idle; the parent stops or kills us
  _exit(0);
}

int cmd_ephemeral_expiry(const std::string& hosts, int timeout_ms, int trials, const std::string& how) {
  Conn watcher_conn;
  zhandle_t* zh = connect(hosts, 30000, watcher_conn);
  if (!zh) {
    std::fprintf(stderr, "cannot connect to %s\n", hosts.c_str());
    return 1;
  }
  ensure_path(zh, "/timing");
  int failures = 0;
  for (int t = 0; t < trials; ++t) {
    const std::string path = "/timing/eph-" + std::to_string(getpid()) + "-" + std::to_string(t);
    // Spread the trials over the server's expiry-bucket phase (buckets are tickTime wide; a
    // trial started right after the previous deletion would always sit at the same phase).
    std::this_thread::sleep_for(std::chrono::milliseconds((t * 733) % 2000));
    int fds[2];
    if (pipe(fds) != 0) return 1;
    std::fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) return 1;
    if (pid == 0) {
      // exec a fresh image: the parent has C-client threads, so the forked child must not use them.
      close(fds[0]);
      const std::string timeout = std::to_string(timeout_ms), fd = std::to_string(fds[1]);
      execl("/proc/self/exe", "zk_timing", "expiry-helper", hosts.c_str(), timeout.c_str(), path.c_str(), fd.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    char status = 0;
    const bool ready = read(fds[0], &status, 1) == 1 && status == 'K';
    close(fds[0]);
    const auto stopped_at = Clock::now();
    kill(pid, how == "kill" ? SIGKILL : SIGSTOP);
    if (!ready) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
      ++failures;
      continue;
    }
    struct Stat st {};
    {
      std::lock_guard lock(watcher_conn.mu);
      watcher_conn.events.clear();
    }
    int rc = zoo_exists(zh, path.c_str(), 1, &st);
    double gone_ms = -1;
    if (rc == ZOK) {
      std::unique_lock lock(watcher_conn.mu);
      const bool deleted = watcher_conn.cv.wait_for(lock, std::chrono::milliseconds(timeout_ms * 3 + 10000), [&] {
        for (const auto& [type, p] : watcher_conn.events) {
          if (type == ZOO_DELETED_EVENT && p == path) return true;
        }
        return false;
      });
      if (deleted) gone_ms = ms_since(stopped_at);
    } else if (rc == ZNONODE) {
      gone_ms = 0;
    }
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    std::printf("{\"trial\":%d,\"how\":\"%s\",\"session_timeout_ms\":%d,\"ephemeral_gone_after_ms\":%.0f}\n", t,
                how.c_str(), timeout_ms, gone_ms);
    std::fflush(stdout);
    if (gone_ms < 0) ++failures;
  }
  zookeeper_close(zh);
  return failures == 0 ? 0 : 1;
}

int run_script(const std::string& script, const std::string& verb, const std::string& dir, const std::string& id) {
  const std::string cmd = "'" + script + "' " + verb + " '" + dir + "' " + id + " >&2";
  const int rc = std::system(cmd.c_str());
  std::printf("{\"t_ms\":%.0f,\"action\":\"%s %s\",\"rc\":%d}\n", now_ms(), verb.c_str(), id.c_str(), rc);
  std::fflush(stdout);
  return rc;
}

int cmd_outage(const std::string& hosts, int timeout_ms, const std::string& script, const std::string& dir,
               int outage_ms, const std::string& kill_ids) {
  Conn c;
  c.log_session_events = true;
  zhandle_t* zh = connect(hosts, timeout_ms, c);
  if (!zh) {
    std::fprintf(stderr, "cannot connect to %s\n", hosts.c_str());
    return 1;
  }
  const std::int64_t sid = zoo_client_id(zh)->client_id;
  ensure_path(zh, "/outage");
  const std::string eph = "/outage/eph-" + std::to_string(getpid());
  int rc = zoo_create(zh, eph.c_str(), "x", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, nullptr, 0);
  std::printf("{\"t_ms\":%.0f,\"session_id\":\"%#llx\",\"negotiated_ms\":%d,\"server\":\"%s\",\"create_rc\":%d}\n",
              now_ms(), static_cast<unsigned long long>(sid), zoo_recv_timeout(zh), zoo_get_current_server(zh), rc);
  std::fflush(stdout);

  // Prober: exists() every 100 ms; logs only changes of rc (plus latency of the first of each run).
  std::atomic<bool> stop{false};
  std::thread prober([&] {
    int last_rc = 12345;
    while (!stop.load()) {
      struct Stat st {};
      const auto t0 = Clock::now();
      const int r = zoo_exists(zh, eph.c_str(), 0, &st);
      const double lat = ms_since(t0);
      if (r != last_rc) {
        std::printf("{\"t_ms\":%.0f,\"probe_rc\":%d,\"probe_latency_ms\":%.0f,\"state\":%d}\n", now_ms(), r, lat,
                    zoo_state(zh));
        std::fflush(stdout);
        last_rc = r;
      }
      if (r == ZINVALIDSTATE) break;  // expired
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });

  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  std::vector<std::string> ids;
  for (std::size_t pos = 0; pos <= kill_ids.size();) {
    std::size_t comma = kill_ids.find(',', pos);
    if (comma == std::string::npos) comma = kill_ids.size();
    if (comma > pos) ids.push_back(kill_ids.substr(pos, comma - pos));
    pos = comma + 1;
  }
  const double killed_at = now_ms();
  for (const auto& id : ids) run_script(script, "kill-server", dir, id);
  std::this_thread::sleep_for(std::chrono::milliseconds(outage_ms));
  const double restart_at = now_ms();
  for (const auto& id : ids) run_script(script, "start-server", dir, id);

  // Wait (bounded) for the client to be connected again or expired.
  {
    std::unique_lock lock(c.mu);
    c.cv.wait_for(lock, std::chrono::milliseconds(60000), [&] {
      return c.state == ZOO_CONNECTED_STATE || c.state == ZOO_EXPIRED_SESSION_STATE;
    });
  }
  const double settled_at = now_ms();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  stop = true;
  prober.join();
  struct Stat st {};
  const int state = zoo_state(zh);
  const int final_rc = zoo_exists(zh, eph.c_str(), 0, &st);
  const std::int64_t sid_after = zoo_client_id(zh)->client_id;
  std::printf(
      "{\"summary\":true,\"kill\":\"%s\",\"outage_ms\":%d,\"session_timeout_ms\":%d,\"killed_at_ms\":%.0f,"
      "\"restarted_at_ms\":%.0f,\"settled_at_ms\":%.0f,\"final_state\":%d,\"same_session\":%s,"
      "\"ephemeral_exists_rc\":%d,\"ephemeral_owner_is_session\":%s,\"server_after\":\"%s\"}\n",
      kill_ids.c_str(), outage_ms, timeout_ms, killed_at, restart_at, settled_at, state,
      sid_after == sid ? "true" : "false", final_rc, final_rc == ZOK && st.ephemeralOwner == sid ? "true" : "false",
      state == ZOO_CONNECTED_STATE ? zoo_get_current_server(zh) : "");
  std::fflush(stdout);
  zookeeper_close(zh);
  return 0;
}

int usage() {
  std::fprintf(stderr,
               "usage: zk_timing negotiate HOSTS MS [MS...]\n"
               "       zk_timing ephemeral-expiry HOSTS TIMEOUT_MS TRIALS stop|kill\n"
               "       zk_timing outage HOSTS TIMEOUT_MS SCRIPT DIR OUTAGE_MS KILL_IDS\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return usage();
  zoo_set_debug_level(std::getenv("ZK_CLIENT_LOG_LEVEL") ? static_cast<ZooLogLevel>(std::atoi(std::getenv("ZK_CLIENT_LOG_LEVEL")))
                                                         : ZOO_LOG_LEVEL_ERROR);
  zoo_deterministic_conn_order(1);
  const std::string cmd = argv[1];
  const std::string hosts = argv[2];
  if (cmd == "negotiate" && argc >= 4) {
    std::vector<int> req;
    for (int i = 3; i < argc; ++i) req.push_back(std::atoi(argv[i]));
    return cmd_negotiate(hosts, req);
  }
  if (cmd == "ephemeral-expiry" && argc == 6) {
    return cmd_ephemeral_expiry(hosts, std::atoi(argv[3]), std::atoi(argv[4]), argv[5]);
  }
  if (cmd == "expiry-helper" && argc == 6) {  // internal: the forked helper of ephemeral-expiry
    expiry_helper(hosts, std::atoi(argv[3]), argv[4], std::atoi(argv[5]));
  }
  if (cmd == "outage" && argc == 8) {
    return cmd_outage(hosts, std::atoi(argv[3]), argv[4], argv[5], std::atoi(argv[6]), argv[7]);
  }
  return usage();
}
