// Fuzz target: the zoo.cfg, masters-file and Flink-config parsers on the same input, split into
// lines (the Flink config as "key: value" lines, as flink-conf.yaml writes them). Each must return
// a value or an error naming the key; any exception, crash, abort or hang is a finding.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/flink/flink_config.hpp"
#include "model/zookeeper/ensemble_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); i++) {
    if (i == text.size() || text[i] == '\n') {
      lines.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  (void)model::zk::parse_zoo_cfg(lines);
  (void)model::flink::parse_masters(lines);
  model::flink::ConfigEntries entries;
  for (const auto& line : lines) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const auto value_start = line.find_first_not_of(' ', colon + 1);
    entries.emplace_back(line.substr(0, colon), value_start == std::string::npos ? "" : line.substr(value_start));
  }
  (void)model::flink::parse_flink_config(entries);
  return 0;
}
