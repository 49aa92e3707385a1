// Histogram (pre-binned) CART used by the forest: the bins, and the same tree as the exact
// splitter when every distinct value has its own bin.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "prospect/common/rng.hpp"
#include "prospect/models/classify/cart.hpp"
#include "support/json_fixture.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

TEST(BinnedFeatures, QuantileBinsHoldSimilarCountsAndAgreeWithThresholds) {
  const size_t n = 20000, d = 2;
  Rng rng(5);
  std::normal_distribution<double> normal;
  std::vector<double> x(n * d);
  for (size_t r = 0; r < n; ++r) {
    x[r * d] = normal(rng);                                // continuous: 256 quantile bins
    x[r * d + 1] = std::floor(std::abs(normal(rng)) * 3);  // few distinct values: one bin each
  }
  const BinnedFeatures bins = BinnedFeatures::Build(x, n, d, 256, Context(2));
  ASSERT_EQ(bins.bins(0), 256u);
  std::set<double> distinct;
  for (size_t r = 0; r < n; ++r) distinct.insert(x[r * d + 1]);
  EXPECT_EQ(bins.bins(1), distinct.size());
  std::vector<size_t> counts(256, 0);
  for (size_t r = 0; r < n; ++r) {
    for (size_t f = 0; f < d; ++f) {
      const size_t b = bins.codes[r * d + f];
      const auto& t = bins.thresholds[f];
      // x <= t[b] and x > t[b − 1]: the code is the bin the thresholds describe.
      if (b < t.size()) {
        EXPECT_LE(x[r * d + f], t[b]);
      }
      if (b > 0) {
        EXPECT_GT(x[r * d + f], t[b - 1]);
      }
    }
    ++counts[bins.codes[r * d]];
  }
  const double expected = static_cast<double>(n) / 256;
  for (size_t b = 0; b < 256; ++b) {
    EXPECT_GT(static_cast<double>(counts[b]), 0.5 * expected) << b;
    EXPECT_LT(static_cast<double>(counts[b]), 2.0 * expected) << b;
  }
}

TEST(CartTree, BinnedGrowthEqualsExactWhenEveryValueHasItsBin) {
  const auto& j = testing::LoadJsonFixture("models/cart_fixtures.json");
  const size_t n = j["X"].size(), d = j["X"][0].size();
  std::vector<double> x;
  for (const auto& row : j["X"]) {
    for (const auto& v : row)
      x.push_back(std::round(v.get<double>() * 4) / 4);  // ≤ 256 distinct values
  }
  std::vector<int32_t> y;
  for (const auto& v : j["y"]) y.push_back(v.get<int32_t>());
  std::vector<double> w;
  for (const auto& v : j["w"]) w.push_back(v.get<double>());
  const BinnedFeatures bins = BinnedFeatures::Build(x, n, d, 256, Context(1));
  for (size_t f = 0; f < d; ++f) {
    std::set<double> distinct;
    for (size_t r = 0; r < n; ++r) distinct.insert(x[r * d + f]);
    ASSERT_EQ(bins.bins(f), distinct.size());
  }
  for (const std::string criterion : {"gini", "entropy"}) {
    for (const bool weighted : {false, true}) {
      CartParams params;
      params.criterion = criterion;
      params.max_depth = 6;
      params.min_samples_leaf = 3;
      CartTree exact(params), binned(params);
      const std::span<const double> weights =
          weighted ? std::span<const double>(w) : std::span<const double>();
      exact.Fit(x, n, d, y, 3, weights, Context(1));
      binned.FitBinned(bins, y, 3, weights, Context(1));
      ASSERT_EQ(binned.nodes().size(), exact.nodes().size()) << criterion << weighted;
      for (size_t i = 0; i < exact.nodes().size(); ++i) {
        EXPECT_EQ(binned.nodes()[i].feature, exact.nodes()[i].feature) << i;
        EXPECT_EQ(binned.nodes()[i].samples, exact.nodes()[i].samples) << i;
      }
      EXPECT_EQ(binned.PredictProba(x, n), exact.PredictProba(x, n)) << criterion << weighted;
      const auto a = binned.Importances(), b = exact.Importances();
      for (size_t f = 0; f < d; ++f) EXPECT_NEAR(a[f], b[f], 1e-12);
    }
  }
}

}  // namespace
}  // namespace prospect
