// Performance monitoring: DeLong's test against an independent O(mn) implementation
// (tests/fixtures/monitor/make_performance_fixtures.py), CBPE's expected ROC-AUC against the mean
// of simulated labellings, the estimate against realised ROC-AUC on generated data with and
// without concept drift, the champion/challenger rule, and `retrain`'s three outcomes.
#include "prospect/monitor/performance.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "prospect/common/error.hpp"
#include "prospect/evaluate/metrics.hpp"
#include "prospect/models/training.hpp"
#include "prospect/monitor/retrain.hpp"
#include "prospect/workspace/workspace.hpp"
#include "support/expect_error.hpp"
#include "support/json_fixture.hpp"
#include "support/test_paths.hpp"

namespace prospect::monitor {
namespace {

TEST(DeLong, AgreesWithTheStructuralComponentDefinition) {
  const auto& f = testing::LoadJsonFixture("monitor/performance_fixtures.json");
  const auto y = f["y"].get<std::vector<double>>();
  const auto a = f["a"].get<std::vector<double>>();
  const auto b = f["b"].get<std::vector<double>>();
  const DeLongResult r = DeLongTest(y, a, b);
  EXPECT_NEAR(r.auc_a, f["auc_a"].get<double>(), 1e-12);
  EXPECT_NEAR(r.auc_b, f["auc_b"].get<double>(), 1e-12);
  EXPECT_NEAR(r.std_error * r.std_error, f["var_difference"].get<double>(), 1e-14);
  EXPECT_NEAR(r.z, f["z"].get<double>(), 1e-9);
  EXPECT_NEAR(r.p_value, f["p_value"].get<double>(), 1e-9);
  EXPECT_NEAR(r.high - r.difference, 1.959963984540054 * r.std_error, 1e-12);
  const AucInterval one = RocAucInterval(y, a);
  EXPECT_NEAR(one.auc, RocAuc(y, a), 1e-12);
  EXPECT_NEAR(one.std_error * one.std_error, f["var_a"].get<double>(), 1e-14);
  const std::vector<double> one_class = {1, 1}, s1 = {0.1, 0.2}, s2 = {0.3, 0.4};
  ExpectError([&] { DeLongTest(one_class, s1, s2); }, ErrorCode::kInvalidData,
              "DeLong's test: the labels hold one class only (2 rows)");
}

TEST(Cbpe, ExpectedRocAucIsTheMeanOverLabelDraws) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> p(600);
  for (double& v : p) v = std::round(u(rng) * u(rng) * 100) / 100;  // skewed, with ties
  double sum = 0;
  const int draws = 3000;
  std::vector<double> y(p.size());
  for (int d = 0; d < draws; ++d) {
    for (size_t i = 0; i < p.size(); ++i) y[i] = u(rng) < p[i] ? 1 : 0;
    sum += RocAuc(y, p);
  }
  EXPECT_NEAR(ExpectedRocAuc(p), sum / draws, 0.003);
  EXPECT_EQ(ExpectedRocAuc(std::vector<double>{0.3, 0.3, 0.3}), 0.5);
  ExpectError(
      [] {
        ExpectedRocAuc(std::vector<double>{0.2, 1.5});
      },
      ErrorCode::kInvalidData, "expected ROC-AUC: probability 1.5 is outside [0, 1]");
}

// x1, x2, x3 standard normal; y ~ Bernoulli(sigmoid(1.5 x1 - x2)), or after concept drift
// sigmoid(1.5 x3 + x2): the same inputs, a different relation to the label.
Table GeneratedLeads(size_t n, uint64_t seed, bool concept_drift) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z(0, 1);
  std::uniform_real_distribution<double> u(0, 1);
  ColumnVector<double> x1(n), x2(n), x3(n);
  ColumnVector<int64_t> y(n);
  for (size_t i = 0; i < n; ++i) {
    x1[i] = z(rng);
    x2[i] = z(rng);
    x3[i] = z(rng);
    const double logit = concept_drift ? 1.5 * x3[i] + x2[i] : 1.5 * x1[i] - x2[i];
    y[i] = u(rng) < 1 / (1 + std::exp(-logit)) ? 1 : 0;
  }
  return Table(Schema({{"x1", DataType::kDouble},
                       {"x2", DataType::kDouble},
                       {"x3", DataType::kDouble},
                       {"converted", DataType::kInt64}}),
               {Column::FromDoubles(x1), Column::FromDoubles(x2), Column::FromDoubles(x3),
                Column::FromInts(DataType::kInt64, y)});
}

class MonitorWorkspace : public ::testing::Test {
 protected:
  void SetUp() override {
    Workspace::Init(dir_.File("w"));
    ws_ = std::make_unique<Workspace>(Workspace::Open(dir_.File("w")));
    ws_->store().WriteTable("leads", GeneratedLeads(4000, 1, false), {}, ctx_);
    TrainRequest req;
    req.table = "leads";
    req.target = "converted";
    req.model = "logistic";
    req.name = "lead_model";
    TrainModel(ws_->store(), req, ctx_);
  }
  testing::TempDir dir_;
  std::unique_ptr<Workspace> ws_;
  Context ctx_{1};
};

TEST_F(MonitorWorkspace, EstimateMatchesRealisedWithoutConceptDriftAndShowsTheGapWithIt) {
  ws_->store().WriteTable("june", GeneratedLeads(5000, 2, false), {}, ctx_);
  ws_->store().WriteTable("june_drifted", GeneratedLeads(5000, 3, true), {}, ctx_);
  PerformanceRequest req;
  req.model = "lead_model";
  req.table = "june";
  const PerformanceReport same = MeasurePerformance(ws_->store(), req, ctx_);
  ASSERT_EQ(same.windows.size(), 1u);
  ASSERT_TRUE(same.windows[0].roc_auc);
  EXPECT_NE(same.calibration.find("isotonic"), std::string::npos);
  const double gap = same.windows[0].estimated_roc_auc - same.windows[0].roc_auc->auc;
  EXPECT_LE(std::abs(gap), 0.02) << same.ToJson().dump(1);
  RecordProperty("estimate_minus_realised", std::to_string(gap));

  req.table = "june_drifted";
  const PerformanceReport drifted = MeasurePerformance(ws_->store(), req, ctx_);
  const double drift_gap = drifted.windows[0].estimated_roc_auc - drifted.windows[0].roc_auc->auc;
  // The inputs look the same, so the estimate stays where it was; the labels say otherwise.
  EXPECT_NEAR(drifted.windows[0].estimated_roc_auc, same.windows[0].estimated_roc_auc, 0.02);
  EXPECT_GT(drift_gap, 0.15) << drifted.ToJson().dump(1);
  RecordProperty("estimate_minus_realised_concept_drift", std::to_string(drift_gap));
}

TEST_F(MonitorWorkspace, RetrainPromotesAfterConceptDriftKeepsTheChampionOtherwise) {
  const ChallengerRule rule;
  // Unchanged data: nothing to do.
  const RetrainResult unchanged = Retrain(ws_->store(), {"lead_model", "", false}, rule, ctx_);
  EXPECT_EQ(unchanged.outcome, RetrainOutcome::kNothingToDo);
  EXPECT_EQ(unchanged.challenger_version, 0);

  // Fresh rows from the same process: the challenger is no better; v1 stays in production.
  ws_->store().WriteTable("leads", GeneratedLeads(4000, 4, false), {}, ctx_);
  const RetrainResult same = Retrain(ws_->store(), {"lead_model", "", false}, rule, ctx_);
  EXPECT_EQ(same.outcome, RetrainOutcome::kKeptChampion) << same.ToJson().dump(1);
  EXPECT_EQ(same.champion_version, 1);
  EXPECT_EQ(same.challenger_version, 2);
  EXPECT_EQ(ProductionVersion(ws_->store(), "lead_model"), 1);

  // Concept drift: the challenger wins by far more than the margin and is promoted.
  ws_->store().WriteTable("leads", GeneratedLeads(4000, 5, true), {}, ctx_);
  const RetrainResult drifted = Retrain(ws_->store(), {"lead_model", "", false}, rule, ctx_);
  EXPECT_EQ(drifted.outcome, RetrainOutcome::kPromoted) << drifted.ToJson().dump(1);
  EXPECT_EQ(drifted.champion_version, 1);
  EXPECT_EQ(drifted.challenger_version, 3);
  EXPECT_GT(drifted.comparison->auc.difference, 0.2);
  EXPECT_EQ(ProductionVersion(ws_->store(), "lead_model"), 3);
  // The recorded request was run again: same model type and target.
  const ModelPackage v3 = LoadModel(ws_->store(), "lead_model", 3);
  EXPECT_EQ(v3.meta["type"], "logistic");
  EXPECT_EQ(v3.target, "converted");

  // Every run is recorded, in order.
  const auto runs = ws_->store().GetObject("retrain_run", "lead_model");
  ASSERT_TRUE(runs);
  EXPECT_EQ(runs->version, 3);
  EXPECT_EQ(runs->meta["outcome"], "promoted");
  EXPECT_EQ(ws_->store().GetObject("retrain_run", "lead_model", 1)->meta["outcome"],
            "nothing_to_do");
  EXPECT_EQ(ws_->store().GetObject("retrain_run", "lead_model", 2)->meta["outcome"],
            "kept_champion");
}

TEST(ChallengerRule, NeedsTheMarginAndSignificance) {
  std::mt19937_64 rng(9);
  std::normal_distribution<double> z(0, 1);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> y, good, noisy;
  for (int i = 0; i < 3000; ++i) {
    const double x = z(rng);
    y.push_back(u(rng) < 1 / (1 + std::exp(-2 * x)) ? 1 : 0);
    good.push_back(1 / (1 + std::exp(-2 * x)));
    noisy.push_back(1 / (1 + std::exp(-2 * (x + 1.5 * z(rng)))));
  }
  const ChallengerComparison better = CompareChallenger(y, noisy, good, ChallengerRule{});
  EXPECT_TRUE(better.promote) << better.reason;
  EXPECT_GT(better.challenger_lift, better.champion_lift);
  EXPECT_LT(better.challenger_log_loss, better.champion_log_loss);
  const ChallengerComparison worse = CompareChallenger(y, good, noisy, ChallengerRule{});
  EXPECT_FALSE(worse.promote);
  EXPECT_EQ(worse.reason.rfind("the challenger's ROC-AUC gain -", 0), 0u) << worse.reason;
  ChallengerRule strict;
  strict.margin = 0.5;
  EXPECT_FALSE(CompareChallenger(y, noisy, good, strict).promote);
  ExpectError(
      [] {
        ChallengerRule::FromJson({{"alpha", 2}});
      },
      ErrorCode::kInvalidData, "prospect.toml [monitor.retrain] alpha: 2 is not in [0, 1]");
}

}  // namespace
}  // namespace prospect::monitor
