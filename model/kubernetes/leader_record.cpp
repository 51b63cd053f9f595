#include "model/kubernetes/leader_record.hpp"

#include <charconv>
#include <map>
#include <string_view>

namespace model::kubernetes {
namespace {

std::optional<std::int64_t> parse_int(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::string encode_leader_record(const LeaderRecord& record) {
  return "holderIdentity=" + record.holder_identity + ";leaseDurationNs=" + std::to_string(record.lease_duration.ns) +
         ";acquireTimeNs=" + std::to_string(record.acquire_time.ns) + ";renewTimeNs=" +
         std::to_string(record.renew_time.ns) + ";leaderTransitions=" + std::to_string(record.leader_transitions);
}

std::optional<LeaderRecord> decode_leader_record(const std::string& text) {
  std::map<std::string, std::string, std::less<>> fields;
  std::string_view rest = text;
  while (!rest.empty()) {
    const std::size_t end = rest.find(';');
    const std::string_view pair = rest.substr(0, end);
    const std::size_t equals = pair.find('=');
    if (equals == std::string_view::npos) return std::nullopt;
    fields.emplace(std::string(pair.substr(0, equals)), std::string(pair.substr(equals + 1)));
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  const auto field = [&](const char* key) -> std::optional<std::int64_t> {
    const auto found = fields.find(key);
    return found == fields.end() ? std::nullopt : parse_int(found->second);
  };
  const auto holder = fields.find("holderIdentity");
  const auto lease = field("leaseDurationNs");
  const auto acquire = field("acquireTimeNs");
  const auto renew = field("renewTimeNs");
  const auto transitions = field("leaderTransitions");
  if (holder == fields.end() || !lease || !acquire || !renew || !transitions) return std::nullopt;
  return LeaderRecord{holder->second, sim::nanoseconds(*lease), sim::Instant{*acquire}, sim::Instant{*renew}, *transitions};
}

}  // namespace model::kubernetes
