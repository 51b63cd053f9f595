// The progress line's wording: counts, rate and ETA, and no ETA when open-ended or done.
#include <gtest/gtest.h>

#include "harness/progress.hpp"

namespace harness {
namespace {

TEST(ProgressLine, CountsRateAndEta) {
  EXPECT_EQ(progress_line(250, 1000, 2, 7, 10.0), "[250/1000] 25% | 2 unexplained, 7 known | 25.0 seeds/s | ETA 30s");
  EXPECT_EQ(progress_line(100, 100000, 0, 0, 10.0), "[100/100000] 0% | 0 unexplained, 0 known | 10.0 seeds/s | ETA 2h46m");
  EXPECT_EQ(progress_line(10, 100, 0, 1, 1.0), "[10/100] 10% | 0 unexplained, 1 known | 10.0 seeds/s | ETA 9s");
}

TEST(ProgressLine, NoEtaWhenOpenEndedOrDone) {
  EXPECT_EQ(progress_line(40, 0, 1, 0, 4.0), "[40] | 1 unexplained, 0 known | 10.0 seeds/s");
  EXPECT_EQ(progress_line(100, 100, 0, 0, 5.0), "[100/100] 100% | 0 unexplained, 0 known | 20.0 seeds/s");
  EXPECT_EQ(progress_line(0, 100, 0, 0, 0.0), "[0/100] 0% | 0 unexplained, 0 known | 0.0 seeds/s");
}

}  // namespace
}  // namespace harness
