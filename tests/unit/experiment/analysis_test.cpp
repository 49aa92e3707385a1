// AnalyzeExperiment on built tables (known effects, errors, JSON shape) and on the real Hillstrom
// and Cookie Cats data against statsmodels/scipy
// (tests/fixtures/experiment/make_experiment_fixtures.py).
#include "prospect/experiment/analysis.hpp"

#include <gtest/gtest.h>

#include <random>

#include "fixtures.hpp"
#include "prospect/common/error.hpp"
#include "prospect/io/csv.hpp"
#include "support/expect_error.hpp"

namespace prospect::experiment {
namespace {

using testing::Fixtures;
using testing::Rel;

// n units, half "control" and half "treatment"; converted ~ Bernoulli(p + lift), revenue ~
// 10 + 2 * pre + N(0, 1) + 1 for treatment; day = i / (n / 10).
Table AbTable(int n, double p, double lift, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::normal_distribution<double> z(0, 1);
  std::vector<std::string> variant;
  ColumnVector<uint8_t> converted;
  ColumnVector<double> revenue, pre, orders;
  ColumnVector<int64_t> day;
  for (int i = 0; i < n; ++i) {
    const bool t = i % 2 == 1;
    variant.push_back(t ? "treatment" : "control");
    converted.push_back(u(rng) < p + (t ? lift : 0.0));
    pre.push_back(z(rng));
    revenue.push_back(10 + 2 * pre.back() + z(rng) + (t ? 1.0 : 0.0));
    orders.push_back(1 + std::floor(3 * u(rng)));
    day.push_back(19000 + i / (n / 10));
  }
  return Table(Schema({{"variant", DataType::kString},
                       {"converted", DataType::kBool},
                       {"revenue", DataType::kDouble},
                       {"pre", DataType::kDouble},
                       {"orders", DataType::kDouble},
                       {"day", DataType::kDate}}),
               {Column::FromStringVector(variant), Column::FromBools(converted),
                Column::FromDoubles(revenue), Column::FromDoubles(pre), Column::FromDoubles(orders),
                Column::FromInts(DataType::kDate, day)});
}

/// Options comparing `metrics` across the variants in `variant_column`, against `control`.
AnalysisOptions Options(std::vector<std::string> metrics, std::string variant_column = "variant",
                        std::string control = "control") {
  AnalysisOptions o;
  o.variant_column = std::move(variant_column);
  o.control = std::move(control);
  o.metrics = std::move(metrics);
  return o;
}

TEST(ExperimentAnalysis, FindsAKnownEffectAndReportsEachPart) {
  const Table t = AbTable(20000, 0.10, 0.02, 1);
  AnalysisOptions o = Options({"converted", "revenue"});
  o.ratios.push_back({"revenue", "orders"});
  o.sequential = o.bayesian = true;
  o.date_column = "day";
  const ExperimentAnalysis a = AnalyzeExperiment(t, o, Context(1));
  ASSERT_EQ(a.variants, (std::vector<std::string>{"control", "treatment"}));
  EXPECT_FALSE(a.srm.mismatch);
  ASSERT_EQ(a.metrics.size(), 3u);
  EXPECT_EQ(a.metrics[0].kind, MetricKind::kBinary);
  EXPECT_EQ(a.metrics[0].comparisons[0].test, "two-proportion z");
  EXPECT_EQ(a.metrics[1].kind, MetricKind::kContinuous);
  EXPECT_EQ(a.metrics[2].name, "revenue/orders");
  const Comparison& rev = a.metrics[1].comparisons[0];
  EXPECT_NEAR(rev.absolute.estimate, 1.0, 4 * rev.absolute.std_error);  // true effect 1.0
  EXPECT_LT(rev.p_adjusted, 1e-10);
  EXPECT_TRUE(rev.significant);
  ASSERT_TRUE(rev.mann_whitney.has_value());
  ASSERT_TRUE(rev.sequential.has_value());
  // The confidence sequence is wider than the fixed-horizon interval but still excludes 0 here.
  EXPECT_LT(rev.sequential->ci_low, rev.absolute.ci_low);
  EXPECT_GT(rev.sequential->ci_low, 0.0);
  EXPECT_GT(rev.bayes->prob_beat_control, 0.999);
  ASSERT_EQ(rev.timeline.size(), 10u);
  EXPECT_EQ(rev.timeline.back().n_treatment, 10000);
  EXPECT_NEAR(rev.timeline.back().lift, rev.absolute.estimate, 1e-9);
  EXPECT_GT(a.metrics[0].comparisons[0].absolute.estimate, 0.0);
  // Posterior parameters of a binary metric: Beta(1 + successes, 1 + failures).
  const auto& post = a.metrics[0].posteriors[1];
  EXPECT_DOUBLE_EQ(post.alpha + post.beta, 10000 + 2);
}

TEST(ExperimentAnalysis, RatioMetricUsesTheDeltaMethod) {
  const Table t = AbTable(4000, 0.1, 0.0, 2);
  AnalysisOptions o = Options({});
  o.ratios.push_back({"revenue", "orders"});
  const ExperimentAnalysis a = AnalyzeExperiment(t, o, Context(1));
  std::vector<double> y, x;
  for (size_t i = 1; i < t.num_rows(); i += 2)
    y.push_back(t.column("revenue").doubles()[i]), x.push_back(t.column("orders").doubles()[i]);
  const RatioStats r = DeltaMethodRatio(y, x);
  EXPECT_DOUBLE_EQ(a.metrics[0].variants[1].mean, r.ratio);
  EXPECT_NEAR(a.metrics[0].variants[1].std_error, std::sqrt(r.variance), 1e-15);
}

TEST(ExperimentAnalysis, CupedShrinksTheIntervalAndKeepsTheEstimate) {
  const Table t = AbTable(20000, 0.1, 0.0, 3);
  AnalysisOptions o = Options({"revenue"});
  const ExperimentAnalysis plain = AnalyzeExperiment(t, o, Context(1));
  o.cuped_column = "pre";
  const ExperimentAnalysis cuped = AnalyzeExperiment(t, o, Context(1));
  const auto& m = cuped.metrics[0];
  EXPECT_TRUE(m.cuped);
  EXPECT_NEAR(m.cuped_theta, 2.0, 0.05);
  // Var(2 pre + e) = 5, Var(e) = 1: CUPED removes about 80 %.
  EXPECT_NEAR(m.variance_reduction, 0.8, 0.02);
  const auto& a = plain.metrics[0].comparisons[0].absolute;
  const auto& b = m.comparisons[0].absolute;
  EXPECT_LT(b.ci_high - b.ci_low, 0.5 * (a.ci_high - a.ci_low));
  EXPECT_NEAR(b.estimate, 1.0, 0.05);
}

TEST(ExperimentAnalysis, WarnsOnSampleRatioMismatch) {
  const Table t = AbTable(20000, 0.1, 0.0, 4);
  AnalysisOptions o = Options({"revenue"});
  o.expected_shares = {{"control", 45}, {"treatment", 55}};
  const ExperimentAnalysis a = AnalyzeExperiment(t, o, Context(1));
  EXPECT_TRUE(a.srm.mismatch);
  ASSERT_FALSE(a.warnings.empty());
  EXPECT_EQ(a.warnings[0].rfind("sample ratio mismatch: chi-square p = ", 0), 0u) << a.warnings[0];
}

TEST(ExperimentAnalysis, ErrorsNameTheValueAndTheChoices) {
  const Table t = AbTable(100, 0.1, 0.0, 5);
  AnalysisOptions o = Options({"revenue"});
  o.control = "contrl";
  ExpectError([&] { AnalyzeExperiment(t, o, Context(1)); }, ErrorCode::kInvalidArgument,
              "control \"contrl\" does not occur in column \"variant\". Did you mean \"control\"? "
              "Values there: "
              "control, treatment.");
  o = Options({"variant"});
  ExpectError([&] { AnalyzeExperiment(t, o, Context(1)); }, ErrorCode::kInvalidArgument,
              "metric column \"variant\" has type string; metrics must be bool, int64 or double "
              "columns (binary "
              "metrics: bool or 0/1 integers)");
  EXPECT_THROW(AnalyzeExperiment(t, Options({}), Context(1)), Error);
  EXPECT_THROW(AnalyzeExperiment(t, Options({"revnue"}), Context(1)), Error);
  EXPECT_THROW(ParseRatioMetric("revenue"), Error);
}

TEST(ExperimentAnalysis, JsonHasEstimatesIntervalsAndPValuesPerMetricAndVariant) {
  AnalysisOptions o = Options({"converted"});
  o.date_column = "day";
  o.bayesian = true;
  const nlohmann::json j =
      AnalysisToJson(AnalyzeExperiment(AbTable(2000, 0.3, 0.0, 6), o, Context(1)));
  EXPECT_EQ(j["srm"]["passed"], true);
  const auto& c = j["metrics"][0]["comparisons"][0];
  for (const char* key : {"n", "mean", "estimate", "absolute_lift", "absolute_ci", "relative_lift",
                          "relative_ci", "p_value", "p_adjusted", "bayesian", "timeline"}) {
    EXPECT_TRUE(c.contains(key)) << key;
  }
  EXPECT_EQ(j["metrics"][0]["variants"][1]["posterior"]["distribution"], "beta");
}

// --- real data, read with the project's CSV reader

Table ReadShared(const std::string& path) {
  return ReadCsv(prospect::testing::SharedData(path), ReadOptions{}, Context(2));
}

void ExpectZ(const Comparison& c, const nlohmann::json& e) {
  EXPECT_TRUE(Rel(c.absolute.statistic, e["z"]));
  EXPECT_TRUE(Rel(c.absolute.p_value, e["p"]));
  EXPECT_TRUE(Rel(c.absolute.ci_low, e["ci"][0]));
  EXPECT_TRUE(Rel(c.absolute.ci_high, e["ci"][1]));
}
void ExpectWelch(const Comparison& c, const nlohmann::json& e) {
  EXPECT_TRUE(Rel(c.absolute.statistic, e["t"]));
  EXPECT_TRUE(Rel(c.absolute.p_value, e["p"]));
  EXPECT_TRUE(Rel(c.absolute.ci_low, e["ci"][0]));
  EXPECT_TRUE(Rel(c.absolute.ci_high, e["ci"][1]));
}

TEST(ExperimentAnalysis, HillstromMatchesStatsmodelsForVisitConversionAndSpend) {
  const Table t = ReadShared("hillstrom/hillstrom.csv");
  AnalysisOptions o = Options({"visit", "conversion", "spend"}, "segment", "No E-Mail");
  const ExperimentAnalysis a = AnalyzeExperiment(t, o, Context(2));
  const auto& h = Fixtures()["hillstrom"];
  ASSERT_EQ(a.variants, (std::vector<std::string>{"No E-Mail", "Mens E-Mail", "Womens E-Mail"}));
  EXPECT_TRUE(Rel(a.srm.chi_square.statistic, h["srm"]["statistic"]));
  EXPECT_TRUE(Rel(a.srm.chi_square.p_value, h["srm"]["p"]));
  EXPECT_FALSE(a.srm.mismatch);
  size_t family = 0;
  for (const auto& m : a.metrics) {
    for (const auto& c : m.comparisons) {
      SCOPED_TRACE(m.name + " " + c.variant);
      const auto& e = h["comparisons"][c.variant][m.name];
      if (m.kind == MetricKind::kBinary) {
        ExpectZ(c, e);
        EXPECT_TRUE(Rel(c.relative.estimate, e["relative"]["estimate"]));
        EXPECT_TRUE(Rel(c.relative.ci_low, e["relative"]["ci"][0]));
        EXPECT_TRUE(Rel(c.relative.ci_high, e["relative"]["ci"][1]));
      } else {
        ExpectWelch(c, e);
        EXPECT_TRUE(Rel(c.mann_whitney->statistic, e["mwu"]["u"], 1e-12));
        EXPECT_TRUE(Rel(c.mann_whitney->p_value, e["mwu"]["p"]));
        EXPECT_TRUE(Rel(c.relative.ci_low, e["relative"]["ci"][0]));
      }
      EXPECT_TRUE(Rel(c.p_adjusted, h["holm"][family], 1e-6));
      ++family;
    }
  }
  o.correction = Correction::kBenjaminiHochberg;
  const ExperimentAnalysis bh = AnalyzeExperiment(t, o, Context(2));
  family = 0;
  for (const auto& m : bh.metrics) {
    for (const auto& c : m.comparisons) EXPECT_TRUE(Rel(c.p_adjusted, h["bh"][family++], 1e-6));
  }
}

TEST(ExperimentAnalysis, HillstromCupedWithHistoryReportsVarianceReduction) {
  const Table t = ReadShared("hillstrom/hillstrom.csv");
  AnalysisOptions o = Options({"spend"}, "segment", "No E-Mail");
  o.cuped_column = "history";
  const ExperimentAnalysis a = AnalyzeExperiment(t, o, Context(2));
  const auto& h = Fixtures()["hillstrom"];
  const auto& m = a.metrics[0];
  EXPECT_TRUE(Rel(m.cuped_theta, h["cuped_theta"], 1e-9));
  EXPECT_TRUE(Rel(m.variance_reduction, h["cuped_variance_reduction"], 1e-6));
  std::printf("Hillstrom spend CUPED on history: theta %.6g, variance reduction %.4f%%\n",
              m.cuped_theta, 100 * m.variance_reduction);
  for (const auto& c : m.comparisons) ExpectWelch(c, h["comparisons"][c.variant]["spend_cuped"]);
}

TEST(ExperimentAnalysis, CookieCatsRetentionFrequentistAndBayesianWithWinsorisedRounds) {
  const Table t = ReadShared("cookie_cats/cookie_cats.csv");
  AnalysisOptions o =
      Options({"retention_1", "retention_7", "sum_gamerounds"}, "version", "gate_30");
  o.winsorize = 99;
  o.bayesian = true;
  const ExperimentAnalysis a = AnalyzeExperiment(t, o, Context(2));
  const auto& e = Fixtures()["cookie_cats"];
  EXPECT_TRUE(Rel(a.srm.chi_square.p_value, e["srm"]["p"]));
  EXPECT_FALSE(a.srm.mismatch);  // p = 0.0086: above the 0.001 warning threshold
  for (size_t i = 0; i < 2; ++i) {
    const auto& m = a.metrics[i];
    SCOPED_TRACE(m.name);
    EXPECT_EQ(m.kind, MetricKind::kBinary);
    const auto& c = m.comparisons[0];
    ExpectZ(c, e[m.name]);
    EXPECT_TRUE(Rel(c.bayes->prob_beat_control, e[m.name]["bayes"]["prob_beat_control"]));
    EXPECT_TRUE(
        Rel(c.bayes->expected_loss_treatment, e[m.name]["bayes"]["expected_loss_treatment"]));
    EXPECT_EQ(m.posteriors[1].alpha, e[m.name]["bayes"]["posterior_t"][0].get<double>());
  }
  const auto& g = a.metrics[2];
  ASSERT_TRUE(g.winsor_cap.has_value());
  EXPECT_EQ(*g.winsor_cap, e["sum_gamerounds_w99"]["cap"].get<double>());
  ExpectWelch(g.comparisons[0], e["sum_gamerounds_w99"]);
  EXPECT_TRUE(Rel(g.comparisons[0].mann_whitney->p_value, e["sum_gamerounds_w99"]["mwu"]["p"]));
  EXPECT_TRUE(
      Rel(g.comparisons[0].bayes->prob_beat_control, e["sum_gamerounds_w99"]["prob_beat_control"]));
}

}  // namespace
}  // namespace prospect::experiment
