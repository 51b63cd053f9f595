// Fuzz target: the scenario loader and validator. Any input must either load or be refused with
// one InputError whose message is one line naming a JSON path; any other exception, a crash, an
// abort or a hang is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "harness/json_reader.hpp"
#include "harness/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)harness::parse_scenario(text, "fuzz.json");
  } catch (const harness::InputError& error) {
    const std::string message = error.what();
    if (message.empty() || message.find('\n') != std::string::npos) __builtin_trap();  // not one line
  }
  return 0;
}
