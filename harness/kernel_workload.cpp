#include "harness/kernel_workload.hpp"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "sim/filesystem.hpp"
#include "sim/network.hpp"
#include "sim/simulation.hpp"

namespace harness {
namespace {

struct Token final : sim::Payload {
  explicit Token(std::uint64_t v) : value(v) {}
  std::string describe() const override { return "token " + std::to_string(value); }
  std::uint64_t value;
};

class KernelWorkload {
 public:
  explicit KernelWorkload(const KernelWorkloadConfig& config)
      : config_(config),
        sim_(sim::SimConfig{config.seed, {}}),
        net_(sim_, sim::NetworkConfig{sim::LatencyModel::exponential(sim::microseconds(100), sim::milliseconds(1)),
                                      sim::milliseconds(1), 1000}),
        fs_(sim_, storage_config()),
        faults_rng_(sim_.rng_stream("faults")) {
    nodes_.resize(config.processes);
    for (std::uint32_t i = 0; i < config.processes; i++) {
      pids_.push_back(sim_.add_process("node" + std::to_string(i),
                                       {[this](sim::ProcessId pid) { boot(pid); },
                                        [this](sim::ProcessId pid) { nodes_[pid] = Node{}; }}));
    }
  }

  KernelWorkloadResult run() {
    for (const auto pid : pids_) sim_.start(pid);
    if (config_.faults) schedule_fault();
    KernelWorkloadResult result;
    result.outcome = sim_.run_until(sim::Instant{} + config_.duration);
    sim_.record("workload", "end", sim::kNoProcess,
                {{"delivered", static_cast<std::int64_t>(delivered_)},
                 {"faults", static_cast<std::int64_t>(faults_)}});
    result.trace_hash = sim_.trace().hash();
    result.events = sim_.stats().events_processed;
    result.fiber_resumes = sim_.stats().fiber_resumes;
    result.mails_delivered = delivered_;
    result.faults_injected = faults_;
    sim_.shutdown();
    return result;
  }

 private:
  // What a node remembers: lost with its process.
  struct Node {
    sim::MailboxId box;
    std::map<sim::ProcessId, sim::EndpointId> links;
    std::set<sim::EndpointId> open;
    std::uint64_t files_written = 0;
  };

  void boot(sim::ProcessId pid) {
    nodes_[pid] = Node{};
    nodes_[pid].box = sim_.mailbox_open(pid);
    net_.listen(pid, kPort, nodes_[pid].box);
    // Each incarnation draws from its own stream, so a restart does not replay its predecessor.
    auto rng = std::make_shared<sim::Prng>(
        sim_.rng_stream("node" + std::to_string(pid) + "/" + std::to_string(sim_.incarnation(pid))));
    sim_.spawn(pid, "main", [this, pid, rng] { node_main(pid, *rng); });
  }

  void node_main(sim::ProcessId pid, sim::Prng& rng) {
    for (;;) {
      auto mail = sim_.receive(nodes_[pid].box, sim::milliseconds(rng.between(1, 50)));
      if (mail) {
        on_mail(pid, rng, *mail);
      } else if (rng.chance(1, 4)) {
        forward(pid, rng, rng.below(1000));
      } else if (rng.chance(1, 10)) {
        use_storage(pid, rng);
      } else if (rng.chance(1, 20)) {
        sim_.spawn(pid, "helper", [this, pid] {
          sim_.sleep(sim::milliseconds(7));
          sim_.record("workload", "helper-done", pid);
        });
      }
    }
  }

  void on_mail(sim::ProcessId pid, sim::Prng& rng, const sim::Mail& mail) {
    Node& node = nodes_[pid];
    switch (mail.tag) {
      case sim::NetTag::kConnected: node.open.insert(mail.channel); return;
      case sim::NetTag::kData:
        delivered_++;
        forward(pid, rng, sim::payload_as<Token>(mail)->value + 1);
        return;
      case sim::NetTag::kClosed:
      case sim::NetTag::kRefused:
      case sim::NetTag::kReset:
        node.open.erase(mail.channel);
        for (auto it = node.links.begin(); it != node.links.end(); ++it) {
          if (it->second == mail.channel) {
            node.links.erase(it);
            break;
          }
        }
        return;
      default: return;  // kAccepted: the peer's data will follow
    }
  }

  // Tokens travel over connections opened on demand; one sent before the link is up is dropped,
  // as an application would drop work it cannot hand over.
  void forward(sim::ProcessId from, sim::Prng& rng, std::uint64_t value) {
    const auto to = static_cast<sim::ProcessId>(rng.below(pids_.size()));
    if (to == from) return;
    Node& node = nodes_[from];
    auto link = node.links.find(to);
    if (link == node.links.end()) {
      node.links[to] = net_.connect(from, to, kPort, node.box);
      return;
    }
    if (node.open.count(link->second) != 0) net_.send(link->second, std::make_shared<Token>(value));
  }

  void use_storage(sim::ProcessId pid, sim::Prng& rng) {
    Node& node = nodes_[pid];
    const std::string path = "/node" + std::to_string(pid) + "/f" + std::to_string(node.files_written % 8);
    if (rng.chance(1, 2)) {
      node.files_written += fs_.put(path, std::to_string(rng.below(1'000'000)), sim::FsWriteMode::kOverwrite) == sim::FsStatus::kOk;
    } else {
      fs_.read(path);
    }
  }

  void schedule_fault() {
    sim_.after(sim::milliseconds(faults_rng_.between(50, 500)), [this] {
      inject_fault();
      schedule_fault();
    });
  }

  void inject_fault() {
    faults_++;
    const sim::ProcessId victim = faults_rng_.pick(pids_);
    switch (faults_rng_.below(8)) {
      case 4: net_.isolate(victim); break;
      case 5: net_.heal(); break;
      case 6: fs_.unavailable() ? fs_.clear_unavailable() : fs_.set_unavailable(); break;
      case 7: {
        // Two draws, sequenced: within one argument list their order is unspecified (gcc and clang differ).
        const sim::ProcessId peer = faults_rng_.pick(pids_);
        const auto latency = sim::milliseconds(faults_rng_.between(1, 100));
        net_.set_extra_latency(victim, peer, latency);
        break;
      }
      case 0: sim_.crash(victim); break;
      case 1: sim_.restart(victim); break;
      case 2: sim_.pause(victim); break;
      default:
        sim_.resume(victim);
        if (sim_.process_state(victim) == sim::ProcessState::kDown) sim_.restart(victim);
        break;
    }
  }

  static constexpr std::uint16_t kPort = 7;

  // Short outages: a node blocked on storage for longer than the run would exercise nothing.
  static sim::FilesystemConfig storage_config() {
    sim::FilesystemConfig config;
    config.unavailable_timeout = sim::milliseconds(200);
    return config;
  }

  KernelWorkloadConfig config_;
  sim::Simulation sim_;
  sim::Network net_;
  sim::Filesystem fs_;
  sim::Prng faults_rng_;
  std::vector<sim::ProcessId> pids_;
  std::vector<Node> nodes_;
  std::uint64_t delivered_ = 0;
  std::uint64_t faults_ = 0;
};

}  // namespace

KernelWorkloadResult run_kernel_workload(const KernelWorkloadConfig& config) {
  KernelWorkload workload(config);
  return workload.run();
}

}  // namespace harness
