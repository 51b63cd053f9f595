#pragma once
// Millisecond samples binned for a sweep's index page: bins of a round width (1, 2 or 5 times a
// power of ten) so the axis reads naturally, at most max_bins of them, and the zeros counted apart
// when asked (a believed-leader overlap is zero in most seeds and would flatten every other bar).
#include <cstddef>
#include <cstdint>
#include <vector>

namespace reports {

struct HistogramBin {
  std::int64_t from_ms = 0;  // inclusive
  std::int64_t to_ms = 0;    // exclusive
  std::size_t count = 0;
};

struct Histogram {
  std::vector<HistogramBin> bins;
  std::size_t zeros = 0;    // samples equal to 0, when counted apart
  std::size_t samples = 0;  // all samples, zeros included
};

Histogram histogram_ms(const std::vector<std::int64_t>& values_ms, std::size_t max_bins, bool zeros_apart);

}  // namespace reports
