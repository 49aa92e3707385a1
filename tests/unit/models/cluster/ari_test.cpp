// Adjusted Rand index against scikit-learn 1.2's adjusted_rand_score, computed by
// tests/fixtures/cluster/make_ari_fixtures.py (Debian /usr/bin/python3).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "prospect/common/error.hpp"
#include "prospect/models/cluster/metrics.hpp"
#include "support/expect_error.hpp"
#include "support/json_fixture.hpp"

namespace prospect {
namespace {

TEST(AdjustedRandIndex, MatchesSklearnOnEveryFixtureCase) {
  const nlohmann::json& f = testing::LoadJsonFixture("cluster/ari_fixtures.json");
  ASSERT_GE(f["cases"].size(), 10u);
  for (const auto& c : f["cases"]) {
    const auto a = c["a"].get<std::vector<int32_t>>();
    const auto b = c["b"].get<std::vector<int32_t>>();
    const double expected = c["ari"].get<double>();
    EXPECT_NEAR(AdjustedRandIndex(a, b), expected, 1e-12) << c["name"].get<std::string>();
    EXPECT_NEAR(AdjustedRandIndex(b, a), expected, 1e-12)
        << c["name"].get<std::string>() << " (swapped)";
  }
}

TEST(AdjustedRandIndex, RejectsLabelingsOfDifferentLengths) {
  const std::vector<int32_t> a = {0, 1, 1}, b = {0, 1};
  ExpectError([&] { (void)AdjustedRandIndex(a, b); }, ErrorCode::kInvalidArgument,
              "adjusted Rand index: needs two labelings of the same non-empty rows; got 3 and 2");
  EXPECT_THROW((void)AdjustedRandIndex(std::vector<int32_t>{}, std::vector<int32_t>{}), Error);
}

}  // namespace
}  // namespace prospect
