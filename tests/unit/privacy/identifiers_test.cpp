// Ad-platform identifiers: the published vector, a table of tricky cases whose normalised values
// and hashes Python computed separately (tests/fixtures/privacy/make_identifier_vectors.py, with
// hashlib and the python3-phonenumbers port), and what is not an identifier.
#include "prospect/privacy/identifiers.hpp"

#include <gtest/gtest.h>

#include "prospect/common/error.hpp"
#include "support/json_fixture.hpp"

namespace prospect {
namespace {

// The vector the issue gives (hashlib agrees): SHA-256 of "test@gmail.com".
TEST(Identifiers, ThePublishedGmailVector) {
  EXPECT_EQ(Sha256Hex(*NormalizeEmail("test@gmail.com")),
            "87924606b4131a8aceeeae8868531fbb9712aaa07a5d3a756b26ce0f5d6ca674");
  EXPECT_EQ(Sha256Hex(*NormalizeEmail(" T.E.S.T+newsletter@GMAIL.com")),
            "87924606b4131a8aceeeae8868531fbb9712aaa07a5d3a756b26ce0f5d6ca674");
}

TEST(Identifiers, TrickyCasesMatchAnIndependentImplementation) {
  const auto& cases = testing::LoadJsonFixture("privacy/identifier_vectors.json");
  ASSERT_GE(cases.size(), 20u);
  for (const auto& c : cases) {
    const std::string kind = c["kind"], raw = c["raw"], country = c["country"];
    const AdPlatform platform = ParseAdPlatform(c["platform"].get<std::string>());
    std::optional<std::string> got;
    if (kind == "email") got = NormalizeEmail(raw);
    if (kind == "phone") got = NormalizePhone(raw, country, platform);
    if (kind == "name") got = NormalizeName(raw, platform);
    if (kind == "postal") got = NormalizePostalCode(raw, country, platform);
    SCOPED_TRACE(kind + " " + raw + " " + country + " " + c["platform"].get<std::string>());
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(*got, c["normalized"].get<std::string>());
    EXPECT_EQ(Sha256Hex(*got), c["sha256"].get<std::string>());
  }
}

TEST(Identifiers, WhatIsNotAnIdentifierIsNone) {
  EXPECT_FALSE(NormalizeEmail("ana.silva"));
  EXPECT_FALSE(NormalizeEmail("@example.com"));
  EXPECT_FALSE(NormalizeEmail("a@b@example.com"));
  EXPECT_FALSE(NormalizeEmail("ana@localhost"));
  EXPECT_FALSE(NormalizeEmail("+promo@gmail.com"));
  EXPECT_FALSE(NormalizePhone("12", "FR", AdPlatform::kGoogle));
  EXPECT_FALSE(NormalizePhone("06 12 34 56 78", "", AdPlatform::kGoogle));  // national, no country
  EXPECT_FALSE(NormalizePhone("not a number", "US", AdPlatform::kMeta));
  EXPECT_FALSE(NormalizeName("  ", AdPlatform::kGoogle));
  EXPECT_FALSE(NormalizeName("--", AdPlatform::kMeta));
  EXPECT_FALSE(NormalizeCountry("France", AdPlatform::kGoogle));
  EXPECT_EQ(NormalizeCountry(" fr ", AdPlatform::kGoogle), "FR");
  EXPECT_EQ(NormalizeCountry("FR", AdPlatform::kMeta), "fr");
  EXPECT_FALSE(NormalizePostalCode(" ", "FR", AdPlatform::kGoogle));
  EXPECT_THROW(ParseAdPlatform("tiktok"), Error);
}

}  // namespace
}  // namespace prospect
