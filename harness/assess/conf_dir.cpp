#include "harness/assess/conf_dir.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "harness/json_reader.hpp"

namespace harness::assess {
namespace {

// Nesting deeper than this is no Flink configuration; the bound keeps a hostile file from
// recursing without end.
constexpr int kDepthMax = 16;
constexpr std::size_t kEntriesMax = 10'000;
constexpr std::uintmax_t kFileBytesMax = 4 << 20;

InputError conf_error(const std::string& file, int line, const std::string& key, const std::string& message) {
  std::string where = file;
  if (line > 0) where += ":" + std::to_string(line);
  if (!key.empty()) where += ": " + key;
  return InputError(where, message);
}

std::optional<std::string> read_file(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) return std::nullopt;
  if (std::filesystem::file_size(path, error) > kFileBytesMax) {
    throw conf_error(path, 0, "", "larger than 4 MiB; not a configuration file");
  }
  std::ifstream file(path);
  if (!file) throw conf_error(path, 0, "", "cannot read the file");
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();  // a file saved with CRLF line ends
    lines.push_back(line);
  }
  return lines;
}

void flatten(const YAML::Node& node, const std::string& prefix, int depth, const std::string& file,
             std::vector<ConfLine>& out) {
  const int line = node.Mark().line + 1;
  if (depth > kDepthMax) throw conf_error(file, line, prefix, "nested deeper than " + std::to_string(kDepthMax) + " levels");
  if (node.IsMap()) {
    for (const auto& item : node) {
      if (!item.first.IsScalar()) throw conf_error(file, item.first.Mark().line + 1, prefix, "a key must be a plain string");
      const std::string key = prefix.empty() ? item.first.Scalar() : prefix + "." + item.first.Scalar();
      flatten(item.second, key, depth + 1, file, out);
    }
    return;
  }
  if (node.IsScalar()) {
    if (out.size() >= kEntriesMax) throw conf_error(file, line, prefix, "more than 10000 keys");
    out.push_back({prefix, node.Scalar(), line});
    return;
  }
  if (node.IsNull()) {
    // "key:" with nothing after it: Flink reads no value for the key.
    out.push_back({prefix, "", line});
    return;
  }
  // A YAML list: Flink joins list options itself; no HA setting takes one, so it is kept as text
  // and refused later only if an HA key carries it.
  std::string joined;
  for (const auto& item : node) {
    if (!item.IsScalar()) throw conf_error(file, item.Mark().line + 1, prefix, "expected a list of plain values");
    joined += (joined.empty() ? "" : ";") + item.Scalar();
  }
  out.push_back({prefix, joined, line});
}

// The key a YAML error's line starts with ("quorum" in "    quorum: [a"), "" when it holds none:
// the error message names it so the reader finds the spot even in a nested file.
std::string key_on_line(const std::string& text, int line) {
  std::istringstream stream(text);
  std::string content;
  for (int i = 0; i < line && std::getline(stream, content); i++) {
  }
  const auto start = content.find_first_not_of(" \t-");
  const auto colon = content.find(':', start == std::string::npos ? 0 : start);
  if (start == std::string::npos || colon == std::string::npos || colon == start) return "";
  const std::string key = content.substr(start, colon - start);
  return key.find_first_of(" \t[]{}\"'#,") == std::string::npos ? key : "";
}

}  // namespace

std::vector<ConfLine> flatten_flink_yaml(const std::string& text, const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& error) {
    // yaml-cpp's message starts with "yaml-cpp: error at line L, column C: "; keep only the reason.
    const int line = error.mark.line + 1;
    throw conf_error(file, line, line > 0 ? key_on_line(text, line) : "", "not valid YAML: " + error.msg);
  }
  std::vector<ConfLine> entries;
  if (root.IsNull()) return entries;  // an empty file sets nothing
  if (!root.IsMap()) throw conf_error(file, root.Mark().line + 1, "", "expected a map of configuration keys at the top level");
  flatten(root, "", 0, file, entries);
  std::map<std::string, int> first_line;
  for (const auto& entry : entries) {
    const auto [at, inserted] = first_line.emplace(entry.key, entry.line);
    if (!inserted) {
      throw conf_error(file, entry.line, entry.key, "given twice (first at line " + std::to_string(at->second) + ")");
    }
  }
  return entries;
}

ConfDir read_conf_dir(const std::string& dir) {
  std::error_code error;
  if (!std::filesystem::is_directory(dir, error)) throw InputError(dir, "not a directory (expected a Flink conf directory)");
  ConfDir conf;
  conf.dir = dir;
  const auto path = [&](const char* name) { return (std::filesystem::path(dir) / name).string(); };
  const auto standard = read_file(path("config.yaml"));
  const auto legacy = read_file(path("flink-conf.yaml"));
  if (standard && legacy) {
    throw InputError(path("flink-conf.yaml"),
                     "both config.yaml and flink-conf.yaml are present; which one Flink reads depends on its release, so keep only one");
  }
  if (!standard && !legacy) throw InputError(path("config.yaml"), "no config.yaml or flink-conf.yaml in the directory");
  conf.standard_yaml = standard.has_value();
  conf.flink_file = standard ? path("config.yaml") : path("flink-conf.yaml");
  conf.flink_entries = flatten_flink_yaml(standard ? *standard : *legacy, conf.flink_file);

  conf.masters_file = path("masters");
  const auto masters = read_file(conf.masters_file);
  if (!masters) throw InputError(conf.masters_file, "no masters file: standalone HA needs one host:webui-port line per JobManager");
  conf.masters_lines = lines_of(*masters);

  conf.zoo_cfg_file = path("zoo.cfg");
  if (const auto zoo_cfg = read_file(conf.zoo_cfg_file)) conf.zoo_cfg_lines = lines_of(*zoo_cfg);
  conf.workers_file = path("workers");
  if (const auto workers = read_file(conf.workers_file)) conf.workers_lines = lines_of(*workers);
  return conf;
}

}  // namespace harness::assess
