// Drift statistics against scipy on fixtures (tests/fixtures/monitor/make_drift_fixtures.py), the
// PSI by hand, Evidently's choice of test on a table of cases, mergeable summaries, and the real
// bank-marketing data: its first 30 % against its last 30 % drifts in the macro-economic columns,
// while random halves of the same rows do not.
#include "prospect/monitor/drift.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "prospect/common/error.hpp"
#include "prospect/io/csv.hpp"
#include "prospect/monitor/statistics.hpp"
#include "support/expect_error.hpp"
#include "support/json_fixture.hpp"
#include "support/test_paths.hpp"

namespace prospect::monitor {
namespace {

// Within 1e-9 relative; an exact 0 or infinity must be met exactly.
void ExpectScipyValue(double actual, double expected, const std::string& what) {
  if (expected == 0 || std::isinf(expected)) {
    EXPECT_EQ(actual, expected) << what;
  } else {
    EXPECT_NEAR(actual, expected, 1e-9 * std::abs(expected)) << what;
  }
}

double JsonValue(const nlohmann::json& v) {  // the script writes infinity as "inf"
  return v.is_number() ? v.get<double>() : INFINITY;
}

ColumnSummary NumericSummary(const std::vector<double>& values) {
  ColumnVector<double> v(values.begin(), values.end());
  return ColumnSummary::Of(*Column::FromDoubles(std::move(v)));
}

ColumnSummary SideOf(const nlohmann::json& c, const std::string& side) {
  if (c.contains(side + "_formula")) {
    const auto& f = c[side + "_formula"];  // [mul, mod, scale, shift, n]
    std::vector<double> values;
    for (int64_t i = 0; i < f[4].get<int64_t>(); ++i)
      values.push_back(static_cast<double>((i * f[0].get<int64_t>()) % f[1].get<int64_t>()) *
                           f[2].get<double>() +
                       f[3].get<double>());
    return NumericSummary(values);
  }
  if (c["numeric"].get<bool>()) return NumericSummary(c[side].get<std::vector<double>>());
  return ColumnSummary::Of(*Column::FromStringVector(c[side].get<std::vector<std::string>>()));
}

TEST(DriftStatistics, AgreeWithScipyOnFixtures) {
  const auto& doc = testing::LoadJsonFixture("monitor/drift_fixtures.json");
  ASSERT_GE(doc["cases"].size(), 6u);
  for (const auto& c : doc["cases"]) {
    const std::string name = c["name"];
    const ColumnSummary ref = SideOf(c, "reference"), cur = SideOf(c, "current");
    ASSERT_TRUE(ref.exact() && cur.exact()) << name;
    const BinnedShares shares = BinShares(ref, cur);
    ExpectScipyValue(JensenShannonDistance(shares), c["js"], name + " jensenshannon");
    ExpectScipyValue(PopulationStabilityIndex(shares), c["psi"], name + " psi");
    const TwoSampleTest chi = ChiSquareTest(ref, cur);
    ExpectScipyValue(chi.statistic, JsonValue(c["chi"][0]), name + " chisquare statistic");
    ExpectScipyValue(chi.p_value, c["chi"][1], name + " chisquare p");
    const TwoSampleTest z = ProportionsZTest(ref, cur);
    ExpectScipyValue(z.statistic, c["z"][0], name + " z");
    ExpectScipyValue(z.p_value, c["z"][1], name + " z p");
    if (!c["numeric"].get<bool>()) continue;
    const TwoSampleTest ks = KsTest(ref, cur);
    ExpectScipyValue(ks.statistic, c["ks"][0], name + " ks statistic");
    ExpectScipyValue(ks.p_value, c["ks"][1], name + " ks p");
    ExpectScipyValue(WassersteinDistance(ref, cur), c["wasserstein"], name + " wasserstein");
    ExpectScipyValue(ref.StdDev(), c["std_ref"], name + " np.std");
  }
}

TEST(DriftStatistics, PsiByHand) {
  // Reference a, a, b, b; current a, b, b, b: shares (1/2, 1/2) against (1/4, 3/4), so
  // PSI = (1/2 - 1/4) ln 2 + (1/2 - 3/4) ln(2/3) = 0.25 (ln 2 + ln 1.5) = 0.25 ln 3.
  const auto ref = ColumnSummary::Of(*Column::FromStringVector({"a", "a", "b", "b"}));
  const auto cur = ColumnSummary::Of(*Column::FromStringVector({"a", "b", "b", "b"}));
  EXPECT_NEAR(PopulationStabilityIndex(BinShares(ref, cur)), 0.25 * std::log(3.0), 1e-15);
  EXPECT_EQ(PsiBand(0.0999), "stable");
  EXPECT_EQ(PsiBand(0.1), "moderate");
  EXPECT_EQ(PsiBand(0.25), "significant");
}

// Evidently's registry (_get_default_stattest): reference rows, kind, distinct values of both
// sides together → the test it picks.
TEST(DriftSelection, PicksWhatEvidentlyPicks) {
  struct Case {
    int64_t rows;
    ValueKind kind;
    size_t distinct;
    DriftMethod expected;
  };
  const ValueKind num = ValueKind::kNumeric, cat = ValueKind::kCategorical;
  const std::vector<Case> cases = {
      {1000, num, 6, DriftMethod::kKs},
      {1000, num, 5, DriftMethod::kChiSquare},
      {1000, num, 3, DriftMethod::kChiSquare},
      {1000, num, 2, DriftMethod::kZ},
      {1000, num, 1, DriftMethod::kZ},
      {10, num, 500, DriftMethod::kKs},
      {1000, cat, 3, DriftMethod::kChiSquare},
      {1000, cat, 2, DriftMethod::kZ},
      {1000, cat, 50, DriftMethod::kChiSquare},
      {1001, num, 6, DriftMethod::kWasserstein},
      {1001, num, 5, DriftMethod::kJensenShannon},
      {1001, num, 2, DriftMethod::kJensenShannon},
      {1001, cat, 2, DriftMethod::kJensenShannon},
      {1001, cat, 40, DriftMethod::kJensenShannon},
      {1000000, num, 100000, DriftMethod::kWasserstein},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ChooseDriftMethod(c.rows, c.kind, c.distinct), c.expected)
        << c.rows << " rows, " << ValueKindName(c.kind) << ", " << c.distinct << " values";
  }
  // Thresholds: p-values drift below 0.05, distances at or above 0.1, PSI at or above 0.1.
  EXPECT_EQ(DescribeDriftMethod(DriftMethod::kKs).default_threshold, 0.05);
  EXPECT_TRUE(DescribeDriftMethod(DriftMethod::kChiSquare).p_value);
  EXPECT_EQ(DescribeDriftMethod(DriftMethod::kWasserstein).default_threshold, 0.1);
  EXPECT_FALSE(DescribeDriftMethod(DriftMethod::kJensenShannon).p_value);
  EXPECT_EQ(DescribeDriftMethod(DriftMethod::kPsi).default_threshold, 0.1);
}

TEST(DriftSelection, ConfigChoosesPerColumn) {
  const DriftConfig config = DriftConfig::FromJson(nlohmann::json::parse(R"({
      "drift_share": 0.3, "columns": {"x": {"method": "psi", "threshold": 0.2}}})"));
  std::mt19937_64 rng(7);
  std::normal_distribution<double> z(0, 1);
  std::vector<double> a, b;
  for (int i = 0; i < 500; ++i) a.push_back(z(rng));
  for (int i = 0; i < 500; ++i) b.push_back(z(rng) + 0.5);
  const ColumnDrift x = CompareColumn("x", NumericSummary(a), NumericSummary(b), config);
  EXPECT_EQ(x.method, DriftMethod::kPsi);
  EXPECT_TRUE(x.method_configured);
  EXPECT_EQ(x.threshold, 0.2);
  EXPECT_EQ(x.value, x.psi);
  const ColumnDrift y = CompareColumn("y", NumericSummary(a), NumericSummary(b), config);
  EXPECT_EQ(y.method, DriftMethod::kKs);  // 500 rows, many values
  EXPECT_FALSE(y.method_configured);
  EXPECT_TRUE(y.drifted);
  EXPECT_LT(y.value, 1e-6);
  ExpectError(
      [] {
        DriftConfig::FromJson({{"method", "kolmogorov"}});
      },
      ErrorCode::kInvalidData,
      "prospect.toml [monitor.drift] method: unknown drift method \"kolmogorov\"; expected one "
      "of ks, chisquare, z, wasserstein, jensenshannon, psi");
  ExpectError(
      [] {
        DriftConfig::FromJson({{"drift_share", 1.5}});
      },
      ErrorCode::kInvalidData,
      "prospect.toml [monitor.drift] drift_share: 1.5 is not a share in (0, 1]");
  ExpectError(
      [] {
        DriftConfig::FromJson({{"columns", {{"age", {{"treshold", 0.1}}}}}});
      },
      ErrorCode::kInvalidData,
      "prospect.toml [monitor.drift.columns.age]: unknown key treshold; expected one of method, "
      "threshold");
  const DriftConfig wrong = DriftConfig::FromJson({{"method", "ks"}});
  ExpectError(
      [&] {
        CompareColumn("city", ColumnSummary::Of(*Column::FromStringVector({"a", "b"})),
                      ColumnSummary::Of(*Column::FromStringVector({"a"})), wrong);
      },
      ErrorCode::kInvalidArgument,
      "column city is categorical; the ks test compares numbers (prospect.toml [monitor.drift])");
}

TEST(DriftSummary, MergedChunksEqualTheWhole) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> z(0, 1);
  std::vector<double> all;
  for (int i = 0; i < 3000; ++i) all.push_back(std::round(z(rng) * 100) / 100);
  ColumnSummary merged = NumericSummary({all.begin(), all.begin() + 1000});
  merged.Merge(NumericSummary({all.begin() + 1000, all.begin() + 2500}));
  merged.Merge(NumericSummary({all.begin() + 2500, all.end()}));
  const ColumnSummary whole = NumericSummary(all);
  EXPECT_EQ(merged.count(), whole.count());
  EXPECT_TRUE(std::equal(merged.values().begin(), merged.values().end(), whole.values().begin(),
                         whole.values().end()));
  EXPECT_TRUE(std::equal(merged.counts().begin(), merged.counts().end(), whole.counts().begin(),
                         whole.counts().end()));
  auto cats = ColumnSummary::Of(*Column::FromStringVector({"b", "a", "b"}));
  cats.Merge(ColumnSummary::Of(*Column::FromStringVector({"c", "b"})));
  EXPECT_EQ(cats.categories(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(std::vector<int64_t>(cats.counts().begin(), cats.counts().end()),
            (std::vector<int64_t>{1, 3, 1}));
}

TEST(DriftSummary, SketchStaysCloseToExact) {
  // 200,000 distinct values: past the exact limit, the summary rounds to 12 significant bits.
  std::mt19937_64 rng(3);
  std::normal_distribution<double> z(0, 1);
  std::vector<double> a, b;
  for (int i = 0; i < 200000; ++i) a.push_back(z(rng));
  for (int i = 0; i < 1000; ++i) b.push_back(z(rng) + 0.1);
  const ColumnSummary sketch = NumericSummary(a), small = NumericSummary(b);
  EXPECT_FALSE(sketch.exact());
  EXPECT_LT(sketch.distinct(), 100000u);
  EXPECT_EQ(sketch.count(), 200000);
  // The exact KS statistic, computed on the raw values.
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  double d = 0;
  for (double x : a) {
    const double fa =
        static_cast<double>(std::upper_bound(a.begin(), a.end(), x) - a.begin()) / 200000.0;
    const double fb =
        static_cast<double>(std::upper_bound(b.begin(), b.end(), x) - b.begin()) / 1000.0;
    d = std::max(d, std::abs(fa - fb));
  }
  EXPECT_NEAR(KsTest(sketch, small).statistic, d, 2e-3);
  EXPECT_NEAR(sketch.StdDev(), NumericSummary(a).StdDev(), 1e-6);
  EXPECT_EQ(RoundToSignificantBits(1.0 + std::ldexp(1.0, -20), 12), 1.0);
  EXPECT_EQ(RoundToSignificantBits(-3.0, 12), -3.0);
}

TEST(DriftRowRange, ParsesPercentsAndFractions) {
  const RowRange first = RowRange::Parse(":30%");
  EXPECT_EQ(first.from, 0);
  EXPECT_DOUBLE_EQ(first.to, 0.3);
  const RowRange last = RowRange::Parse("0.7:");
  EXPECT_DOUBLE_EQ(last.from, 0.7);
  EXPECT_EQ(last.to, 1);
  EXPECT_TRUE(RowRange::Parse(":").whole());
  ExpectError([] { RowRange::Parse("70%"); }, ErrorCode::kInvalidArgument,
              "row range \"70%\": expected FROM:TO with percentages or fractions, e.g. "
              "\":30%\" (the first 30 %) or \"70%:\" (the last 30 %)");
  EXPECT_THROW(RowRange::Parse("50%:20%"), Error);
  EXPECT_THROW(RowRange::Parse("x:"), Error);
}

// Real data, in time order May 2008 to November 2010.
class BankDrift : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    bank_ = new Table(
        ReadCsv(testing::SharedData("bank_marketing/bank-additional-full.csv"), {}, Context(2)));
  }
  static void TearDownTestSuite() { delete bank_; }
  static std::vector<ColumnSummary> Summaries(const std::vector<size_t>& rows) {
    const Table part = bank_->Take(rows);
    std::vector<ColumnSummary> out;
    for (const auto& column : part.columns()) out.push_back(ColumnSummary::Of(*column));
    return out;
  }
  static Table* bank_;
};
Table* BankDrift::bank_ = nullptr;

TEST_F(BankDrift, FirstAndLastThirtyPercentDriftInTheMacroColumns) {
  const size_t n = bank_->num_rows();
  ASSERT_EQ(n, 41188u);
  std::vector<size_t> first, last;
  for (size_t r = 0; r < n * 3 / 10; ++r) first.push_back(r);
  for (size_t r = n - n * 3 / 10; r < n; ++r) last.push_back(r);
  const DriftReport report =
      CompareSummaries(bank_->schema().Names(), Summaries(first), Summaries(last), DriftConfig{});
  for (const std::string macro : {"euribor3m", "emp.var.rate", "nr.employed"}) {
    const auto found = std::find_if(report.columns.begin(), report.columns.end(),
                                    [&](const ColumnDrift& c) { return c.column == macro; });
    ASSERT_NE(found, report.columns.end()) << macro;
    EXPECT_TRUE(found->drifted) << macro << " " << found->value;
    EXPECT_EQ(found->method, DriftMethod::kWasserstein) << macro;  // 12,356 rows, many values
    RecordProperty(macro, std::to_string(found->value));
  }
  EXPECT_TRUE(report.dataset_drift) << report.ToJson().dump(1);
}

TEST_F(BankDrift, RandomHalvesRarelyDrift) {
  const size_t n = bank_->num_rows();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(2026);
  int alarms = 0;
  size_t drifted_columns = 0;
  for (int split = 0; split < 100; ++split) {
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<size_t> a(order.begin(), order.begin() + static_cast<ptrdiff_t>(n / 2));
    std::vector<size_t> b(order.begin() + static_cast<ptrdiff_t>(n / 2), order.end());
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    const DriftReport report =
        CompareSummaries(bank_->schema().Names(), Summaries(a), Summaries(b), DriftConfig{});
    alarms += report.dataset_drift ? 1 : 0;
    drifted_columns += report.drifted;
  }
  EXPECT_LE(alarms, 5);
  RecordProperty("false_alarms", alarms);
  RecordProperty("drifted_columns", static_cast<int>(drifted_columns));
}

}  // namespace
}  // namespace prospect::monitor
