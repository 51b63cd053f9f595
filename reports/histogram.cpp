#include "reports/histogram.hpp"

#include <algorithm>
#include <cassert>

namespace reports {
namespace {

// The smallest of 1, 2, 5 times a power of ten that is at least `at_least`.
std::int64_t round_width(std::int64_t at_least) {
  for (std::int64_t power = 1;; power *= 10) {
    for (const std::int64_t step : {1, 2, 5}) {
      if (step * power >= at_least) return step * power;
    }
    if (power > INT64_MAX / 100) return power * 10;
  }
}

}  // namespace

Histogram histogram_ms(const std::vector<std::int64_t>& values_ms, std::size_t max_bins, bool zeros_apart) {
  assert(max_bins > 0);
  Histogram out;
  out.samples = values_ms.size();
  std::vector<std::int64_t> binned;
  binned.reserve(values_ms.size());
  for (const std::int64_t value : values_ms) {
    if (zeros_apart && value == 0) {
      out.zeros++;
    } else {
      binned.push_back(value);
    }
  }
  if (binned.empty()) return out;
  const auto [min_it, max_it] = std::minmax_element(binned.begin(), binned.end());
  const std::int64_t lo = *min_it, hi = *max_it;
  // Widths are chosen so that (hi - start) / width + 1 <= max_bins with start = lo rounded down.
  std::int64_t width = round_width(std::max<std::int64_t>(1, (hi - lo) / static_cast<std::int64_t>(max_bins) + 1));
  std::int64_t start = lo >= 0 ? lo / width * width : -((-lo + width - 1) / width) * width;
  while ((hi - start) / width + 1 > static_cast<std::int64_t>(max_bins)) {
    width = round_width(width + 1);
    start = lo >= 0 ? lo / width * width : -((-lo + width - 1) / width) * width;
  }
  const std::size_t count = static_cast<std::size_t>((hi - start) / width + 1);
  out.bins.resize(count);
  for (std::size_t i = 0; i < count; i++) {
    out.bins[i].from_ms = start + static_cast<std::int64_t>(i) * width;
    out.bins[i].to_ms = out.bins[i].from_ms + width;
  }
  for (const std::int64_t value : binned) out.bins[static_cast<std::size_t>((value - start) / width)].count++;
  return out;
}

}  // namespace reports
