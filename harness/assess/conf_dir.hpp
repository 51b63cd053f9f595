#pragma once
// A Flink conf directory as Flink ships it, read but not yet interpreted: the Flink configuration
// (config.yaml, Flink 1.19+ standard YAML with nested or flat keys, or the legacy flat
// flink-conf.yaml), `masters`, and optionally `zoo.cfg` and `workers`. YAML goes through yaml-cpp;
// nested maps are flattened to Flink's dotted keys ("high-availability: {type: zookeeper}" is
// "high-availability.type"). Every entry keeps its file and line so later errors can name them.
// Unusable input throws InputError("<file>:<line>: <key>", message).
#include <optional>
#include <string>
#include <vector>

namespace harness::assess {

struct ConfLine {
  std::string key;
  std::string value;
  int line = 0;  // 1-based
};

struct ConfDir {
  std::string dir;
  std::string flink_file;  // the path of config.yaml or flink-conf.yaml
  bool standard_yaml = false;  // config.yaml (Flink 1.19+); false: legacy flink-conf.yaml
  std::vector<ConfLine> flink_entries;  // flattened, in file order
  std::string masters_file;
  std::vector<std::string> masters_lines;
  std::string zoo_cfg_file;
  std::optional<std::vector<std::string>> zoo_cfg_lines;  // none: no zoo.cfg in the directory
  std::string workers_file;
  std::optional<std::vector<std::string>> workers_lines;
};

ConfDir read_conf_dir(const std::string& dir);

// The Flink configuration entries of YAML text, flattened; `file` names it in errors.
std::vector<ConfLine> flatten_flink_yaml(const std::string& text, const std::string& file);

}  // namespace harness::assess
