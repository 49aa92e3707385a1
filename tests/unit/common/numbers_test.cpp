// The strict number parse every flag, parameter and reader uses: whole text or nothing.
#include "prospect/common/numbers.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace prospect {
namespace {

TEST(ParseInt64, TakesSignsAndSurroundingSpacesOnly) {
  int64_t v = 0;
  EXPECT_TRUE(ParseInt64("42", &v));
  EXPECT_EQ(v, 42);
  EXPECT_TRUE(ParseInt64(" -7\t", &v));
  EXPECT_EQ(v, -7);
  EXPECT_TRUE(ParseInt64("+5", &v));
  EXPECT_EQ(v, 5);
  EXPECT_TRUE(ParseInt64("9223372036854775807", &v));
  EXPECT_EQ(v, std::numeric_limits<int64_t>::max());
  for (const char* bad : {"", " ", "+", "+-1", "5abc", "1e3", "3.0", "0x10", "9223372036854775808"})
    EXPECT_FALSE(ParseInt64(bad, &v)) << bad;
}

TEST(ParseDouble, TakesDecimalScientificAndSpecialValuesButNoTrailingText) {
  double v = 0;
  EXPECT_TRUE(ParseDouble("0.25", &v));
  EXPECT_EQ(v, 0.25);
  EXPECT_TRUE(ParseDouble(" +1e3 ", &v));
  EXPECT_EQ(v, 1000.0);
  EXPECT_TRUE(ParseDouble("-inf", &v));
  EXPECT_TRUE(std::isinf(v) && v < 0);
  EXPECT_TRUE(ParseDouble("nan", &v));
  EXPECT_TRUE(std::isnan(v));
  EXPECT_TRUE(ParseDouble("1e999", &v));  // saturates like strtod
  EXPECT_TRUE(std::isinf(v));
  for (const char* bad : {"", "+", "1.5x", "1,5", "--1", "abc"})
    EXPECT_FALSE(ParseDouble(bad, &v)) << bad;
}

TEST(ParsePlainInt, AgreesWithParseInt64OnPlainDigits) {
  for (const char* text : {"0", "-0", "123456789012345678", "-99"}) {
    int64_t fast = 1, general = 2;
    ASSERT_TRUE(ParsePlainInt(text, &fast)) << text;
    ASSERT_TRUE(ParseInt64(text, &general)) << text;
    EXPECT_EQ(fast, general) << text;
  }
  int64_t v = 0;
  EXPECT_FALSE(ParsePlainInt("1234567890123456789", &v));  // 19 digits: left to ParseInt64
}

}  // namespace
}  // namespace prospect
