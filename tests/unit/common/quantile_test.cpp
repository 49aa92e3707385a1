// The one sample-quantile definition against numpy.quantile (tests/fixtures/common/
// make_quantile_fixtures.py), sorted and unsorted input alike; empty samples and bad levels.
#include "prospect/common/quantile.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "prospect/common/error.hpp"
#include "support/json_fixture.hpp"

namespace prospect {
namespace {

TEST(Quantile, EqualsNumpyBitForBitSortedOrNot) {
  const nlohmann::json& fx = testing::LoadJsonFixture("common/quantile_fixtures.json");
  const auto levels = fx["levels"].get<std::vector<double>>();
  for (const auto& [name, sample] : fx["samples"].items()) {
    const auto values = sample["values"].get<std::vector<double>>();
    auto sorted = values;
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 0; i < levels.size(); ++i) {
      const double expected = sample["quantiles"][i].get<double>();
      EXPECT_EQ(QuantileSorted(sorted, levels[i]), expected) << name << " q=" << levels[i];
      EXPECT_EQ(Quantile(values, levels[i]), expected) << name << " q=" << levels[i];
    }
  }
}

TEST(Quantile, EmptySampleIsNaNAndLevelsOutsideTheUnitIntervalAreErrors) {
  EXPECT_TRUE(std::isnan(QuantileSorted({}, 0.5)));
  EXPECT_TRUE(std::isnan(Quantile({}, 0.5)));
  const std::vector<double> v = {1, 2, 3};
  for (double q : {-0.1, 1.5, std::nan("")}) {
    try {
      (void)Quantile(v, q);
      ADD_FAILURE() << q;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
      EXPECT_NE(std::string(e.what()).find("is outside [0, 1]"), std::string::npos);
    }
  }
}

TEST(UpperMedian, IsTheMiddleElementWithoutInterpolation) {
  EXPECT_EQ(UpperMedian({3, 1, 2}), 2);
  EXPECT_EQ(UpperMedian({4, 1, 3, 2}), 3);  // numpy's median would give 2.5
  EXPECT_EQ(UpperMedian({-7}), -7);
  EXPECT_TRUE(std::isnan(UpperMedian({})));
}

}  // namespace
}  // namespace prospect
