#include "sim/prng.hpp"

namespace sim {
namespace {

// 128-bit products keep bounded sampling exact; __extension__ marks the GNU type as intended.
__extension__ typedef unsigned __int128 u128;

constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// -ln(k / 256) * 2^16 for k = 1..256, rounded: a table, not std::log, so that exponential sampling
// cannot depend on the math library. Entry k-1 holds the value for k.
constexpr std::array<std::uint32_t, 256> make_neg_log_table() {
  std::array<std::uint32_t, 256> table{};
  // ln(256/k) computed with a constexpr series: ln(x) = 2 * atanh((x-1)/(x+1)).
  for (int k = 1; k <= 256; k++) {
    const double x = 256.0 / k;
    const double y = (x - 1) / (x + 1);
    double term = y;
    double sum = 0;
    for (int n = 1; n < 200; n += 2) {
      sum += term / n;
      term *= y * y;
    }
    table[k - 1] = static_cast<std::uint32_t>(2 * sum * 65536.0 + 0.5);
  }
  return table;
}
constexpr auto kNegLog = make_neg_log_table();

}  // namespace

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t stable_hash(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

Prng::Prng(std::uint64_t seed) {
  std::uint64_t sm = seed;
  for (auto& word : state_) word = splitmix64(sm);
}

Prng Prng::stream(std::uint64_t seed, std::string_view name) {
  std::uint64_t mixed = seed ^ rotl(stable_hash(name), 17);
  return Prng(splitmix64(mixed));
}

std::uint64_t Prng::next_u64() {
  const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
  const std::uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

std::uint64_t Prng::below(std::uint64_t bound) {
  SIM_ASSERT(bound > 0);
  // Lemire's multiply-and-reject: unbiased, usually one draw.
  u128 product = static_cast<u128>(next_u64()) * bound;
  auto low = static_cast<std::uint64_t>(product);
  if (low < bound) {
    const std::uint64_t threshold = -bound % bound;
    while (low < threshold) {
      product = static_cast<u128>(next_u64()) * bound;
      low = static_cast<std::uint64_t>(product);
    }
  }
  return static_cast<std::uint64_t>(product >> 64);
}

std::int64_t Prng::between(std::int64_t low, std::int64_t high) {
  SIM_ASSERT(low <= high);
  const auto span = static_cast<std::uint64_t>(high - low);
  if (span == UINT64_MAX) return static_cast<std::int64_t>(next_u64());
  return low + static_cast<std::int64_t>(below(span + 1));
}

Duration Prng::duration_between(Duration low, Duration high) { return Duration{between(low.ns, high.ns)}; }

bool Prng::chance(std::uint64_t numerator, std::uint64_t denominator) {
  SIM_ASSERT(denominator > 0);
  SIM_ASSERT(numerator <= denominator);
  return below(denominator) < numerator;
}

Duration Prng::exponential(Duration mean) {
  SIM_ASSERT(mean.ns >= 0);
  // u = (k + f) / 256 with k in 0..255 picked uniformly and f a fine offset: -ln(u) is read from
  // the table and interpolated linearly between neighbours.
  const std::uint64_t draw = next_u64();
  const auto k = static_cast<std::uint32_t>(draw & 0xff);          // 0..255 -> table index
  const auto frac = static_cast<std::uint32_t>((draw >> 8) & 0xffff);  // 0..65535
  const std::uint32_t hi = kNegLog[k];
  const std::uint32_t lo = k + 1 < 256 ? kNegLog[k + 1] : 0;
  const std::uint64_t neg_log_q16 = lo + ((static_cast<std::uint64_t>(hi - lo) * (65535 - frac)) >> 16);
  return Duration{static_cast<std::int64_t>((static_cast<u128>(mean.ns) * neg_log_q16) >> 16)};
}

}  // namespace sim
