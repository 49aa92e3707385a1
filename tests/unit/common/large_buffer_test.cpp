// LargeVector: huge-page-advised memory for big scratch buffers, ordinary memory for small ones.
#include "prospect/common/large_buffer.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>

namespace prospect {
namespace {

TEST(LargeVector, BigBuffersAreHugePageAlignedAndHoldTheirValues) {
  LargeVector<double> big(3'000'000);  // 24 MB
  EXPECT_EQ(reinterpret_cast<uintptr_t>(big.data()) % (2u << 20), 0u);
  std::iota(big.begin(), big.end(), 0.0);
  EXPECT_EQ(big.back(), 2'999'999.0);
  big.push_back(-1.0);  // growth reallocates through the allocator and keeps the contents
  EXPECT_EQ(big[1'234'567], 1'234'567.0);
  EXPECT_EQ(big.back(), -1.0);
}

TEST(LargeVector, SmallBuffersWorkAsUsual) {
  LargeVector<int32_t> small = {3, 1, 2};
  small.resize(1000, 7);
  EXPECT_EQ(small[0] + small[1] + small[2] + small[999], 13);
  const LargeVector<int32_t> copy = small;
  EXPECT_EQ(copy, small);
}

}  // namespace
}  // namespace prospect
