// Calendar arithmetic against known dates (1970-01-01 = day 0; values checked with Python's
// datetime.date.toordinal() - 719163).
#include "prospect/common/datetime.hpp"

#include <gtest/gtest.h>

#include "prospect/common/strings.hpp"

namespace prospect {
namespace {

TEST(DateTime, DaysFromCivilMatchesKnownOrdinals) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 2, 29), 11016);
  EXPECT_EQ(DaysFromCivil(2010, 12, 1), 14944);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(DaysFromCivil(1900, 3, 1), -25508);
}

TEST(DateTime, CivilRoundTripsOverFourCenturies) {
  for (int64_t d = -146097; d <= 146097; d += 7) {
    const CivilDate c = CivilFromDays(d);
    ASSERT_TRUE(IsValidCivil(c.year, c.month, c.day));
    ASSERT_EQ(DaysFromCivil(c.year, c.month, c.day), d);
  }
}

TEST(DateTime, ValidatesCalendarDays) {
  EXPECT_TRUE(IsValidCivil(2024, 2, 29));
  EXPECT_FALSE(IsValidCivil(2023, 2, 29));
  EXPECT_FALSE(IsValidCivil(1900, 2, 29));
  EXPECT_TRUE(IsValidCivil(2000, 2, 29));
  EXPECT_FALSE(IsValidCivil(2024, 4, 31));
  EXPECT_FALSE(IsValidCivil(2024, 13, 1));
}

TEST(DateTime, IsoParsingIsStrictAndRoundTrips) {
  int64_t v = 0;
  EXPECT_TRUE(ParseIsoDate("2011-12-09", &v));
  EXPECT_EQ(FormatDate(v), "2011-12-09");
  EXPECT_FALSE(ParseIsoDate("2024-02-30", &v));
  EXPECT_FALSE(ParseIsoDate("2024-2-3", &v));
  EXPECT_TRUE(ParseIsoTimestamp("2011-12-09T12:50:00.25", &v));
  EXPECT_EQ(FormatTimestamp(v), "2011-12-09 12:50:00.250000");
  EXPECT_FALSE(ParseIsoTimestamp("2011-12-09 24:00:00", &v));
}

TEST(Strings, QuoteForMessageEscapesAndShortens) {
  EXPECT_EQ(QuoteForMessage("a\"b\n"), "\"a\\\"b\\n\"");
  EXPECT_EQ(QuoteForMessage(std::string("\x01", 1)), "\"\\x01\"");
  EXPECT_EQ(QuoteForMessage("abcdef", 3), "\"abc…\"");
  EXPECT_EQ(QuoteForMessage("北京市", 2), "\"北京…\"");
}

TEST(Strings, DisplayWidthCountsWideCharactersTwiceAndCombiningMarksNotAtAll) {
  // Expected widths from Python's unicodedata (east_asian_width W/F = 2, combining = 0).
  EXPECT_EQ(DisplayWidth("abc"), 3u);
  EXPECT_EQ(DisplayWidth("北京"), 4u);
  EXPECT_EQ(DisplayWidth("한국"), 4u);
  EXPECT_EQ(DisplayWidth("Ａ"), 2u);       // fullwidth A
  EXPECT_EQ(DisplayWidth("ｱ"), 1u);        // halfwidth katakana
  EXPECT_EQ(DisplayWidth("e\u0301"), 1u);  // e + combining acute
  EXPECT_EQ(DisplayWidth("😀"), 2u);
  EXPECT_EQ(DisplayWidth("\xe5\x8c"), 2u);  // a cut-off sequence: one column per byte
}

TEST(Strings, ClosestMatchesRanksByDistance) {
  EXPECT_EQ(ClosestMatches("custmer", {"orders", "customers", "customer"}),
            (std::vector<std::string>{"customer", "customers"}));
  EXPECT_TRUE(ClosestMatches("zzzzzz", {"orders"}).empty());
}

}  // namespace
}  // namespace prospect
