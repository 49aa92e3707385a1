// Kolmogorov-Smirnov p-values against scipy 1.10: kstwo.sf on every branch of scipy's _kolmogn, and
// ks_2samp's p-value on its exact, exact-then-asymptotic and asymptotic paths, from
// tests/fixtures/monitor/make_ks_fixtures.py; plus symmetry in the sample sizes and the errors.
#include "monitor/ks_distribution.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <string>

#include "prospect/common/error.hpp"
#include "support/expect_error.hpp"
#include "support/json_fixture.hpp"

namespace prospect::monitor {
namespace {

const nlohmann::json& KsFixtureCases(const std::string& group) {
  return testing::LoadJsonFixture("monitor/ks_fixtures.json")[group];
}

// Within 1e-12 absolutely and, down to 1e-300 (below that scipy's tails are denormal rounding),
// within 1e-9 relatively: tiny p-values must keep their digits, not just be tiny.
::testing::AssertionResult KsMatchesScipy(double actual, double expected) {
  const double diff = std::fabs(actual - expected);
  if (diff <= 1e-12 && (std::fabs(expected) < 1e-300 || diff <= 1e-9 * std::fabs(expected))) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "got " << actual << ", scipy " << expected << " (differ by " << diff << ")";
}

TEST(KsDistribution, KolmogorovSfMatchesScipyKstwoOnEveryBranch) {
  std::set<std::string> branches;
  for (const auto& c : KsFixtureCases("kstwo_sf")) {
    const double d = c["d"];
    const int64_t n = c["n"];
    EXPECT_TRUE(KsMatchesScipy(KolmogorovSf(d, n), c["sf"]))
        << "kstwo.sf(" << d << ", " << n << "), branch " << c["branch"];
    branches.insert(c["branch"].get<std::string>());
  }
  // A regenerated fixture must still reach every branch of scipy's _kolmogn.
  EXPECT_EQ(branches, (std::set<std::string>{"below_support", "at_one", "ruben_gambino_low_product",
                                             "ruben_gambino_low_stirling", "ruben_gambino_high",
                                             "smirnov_half", "smirnov_half_underflow", "dmtw",
                                             "pomeranz", "smirnov_small_n", "zero", "smirnov",
                                             "smirnov_approx", "pelz_good"}));
}

TEST(KsDistribution, TwoSamplePValueMatchesScipyKs2samp) {
  std::set<std::string> paths;
  for (const auto& c : KsFixtureCases("ks_2samp")) {
    const double d = c["d"];
    const int64_t n1 = c["n1"], n2 = c["n2"];
    EXPECT_TRUE(KsMatchesScipy(KsTwoSamplePValue(d, n1, n2), c["p"]))
        << c["name"] << ": d=" << d << ", path " << c["path"];
    paths.insert(c["path"].get<std::string>());
  }
  EXPECT_EQ(paths, (std::set<std::string>{"exact", "exact_fallback", "asymp"}));
}

TEST(KsDistribution, TwoSamplePValueIsSymmetricInTheSampleSizes) {
  for (const auto& c : KsFixtureCases("ks_2samp")) {
    const double d = c["d"];
    const int64_t n1 = c["n1"], n2 = c["n2"];
    if (n1 * n2 > 1000000) continue;  // the large exact cases cost more than they add here
    EXPECT_EQ(KsTwoSamplePValue(d, n1, n2), KsTwoSamplePValue(d, n2, n1)) << c["name"];
  }
}

TEST(KsDistribution, RejectsBadSizesAndStatistics) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  ExpectError([] { KolmogorovSf(0.5, 0); }, ErrorCode::kInvalidArgument,
              "Kolmogorov-Smirnov sample size 0 is out of range: it must be at least 1");
  ExpectError([] { KolmogorovSf(-0.1, 10); }, ErrorCode::kInvalidArgument,
              "Kolmogorov-Smirnov statistic -0.1 is out of range: it must be between 0 and 1");
  ExpectError([] { KolmogorovSf(1.5, 10); }, ErrorCode::kInvalidArgument,
              "Kolmogorov-Smirnov statistic 1.5 is out of range: it must be between 0 and 1");
  ExpectError([nan] { KolmogorovSf(nan, 10); }, ErrorCode::kInvalidArgument,
              "Kolmogorov-Smirnov statistic nan is out of range: it must be between 0 and 1");
  ExpectError([] { KsTwoSamplePValue(0.5, 0, 3); }, ErrorCode::kInvalidArgument,
              "Kolmogorov-Smirnov sample sizes 0 and 3 are out of range: both must be at least 1");
  ExpectError([] { KsTwoSamplePValue(0.5, 3, -2); }, ErrorCode::kInvalidArgument,
              "Kolmogorov-Smirnov sample sizes 3 and -2 are out of range: both must be at least 1");
  ExpectError([] { KsTwoSamplePValue(1.25, 3, 4); }, ErrorCode::kInvalidArgument,
              "Kolmogorov-Smirnov statistic 1.25 is out of range: it must be between 0 and 1");
  ExpectError([nan] { KsTwoSamplePValue(nan, 3, 4); }, ErrorCode::kInvalidArgument,
              "Kolmogorov-Smirnov statistic nan is out of range: it must be between 0 and 1");
}

}  // namespace
}  // namespace prospect::monitor
