// Metrics against scikit-learn 1.2 (tests/fixtures/evaluate/make_metric_fixtures.py): threshold
// metrics, ROC/PR curves and areas, log-loss, Brier, calibration curve, lift and threshold choice,
// on data with ties, weights (some zero) and one-class edge cases; plus the documented errors.
#include "prospect/evaluate/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "fixtures.hpp"
#include "prospect/common/error.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

constexpr double kTol = 1e-9;

using evaluate_testing::Fixtures;
using evaluate_testing::Vec;

struct Case {
  std::string name;
  std::vector<double> y, score, weight;
  const nlohmann::json* expected;
};

std::vector<Case> Cases() {
  std::vector<Case> out;
  for (const auto& d : Fixtures()["datasets"]) {
    out.push_back({d["name"], Vec(d["y"]), Vec(d["score"]), Vec(d["weight"]),
                   &Fixtures()["metrics"][d["name"].get<std::string>()]});
  }
  return out;
}

// The cases whose sklearn values hold `key` (a one-class data set has no ROC-AUC, for one).
std::vector<Case> CasesWith(const std::string& key) {
  std::vector<Case> out;
  for (Case& c : Cases()) {
    if (c.expected->contains(key)) out.push_back(std::move(c));
  }
  return out;
}

void ExpectVectorNear(const std::vector<double>& actual, const nlohmann::json& expected,
                      const std::string& label) {
  ASSERT_EQ(actual.size(), expected.size()) << label;
  for (size_t i = 0; i < actual.size(); ++i)
    EXPECT_NEAR(actual[i], expected[i].get<double>(), kTol) << label << " [" << i << "]";
}

// Expects each named array of a computed curve to match sklearn's array of that name under
// `curve` in the case's values; `label` goes between the case's name and the array's.
void ExpectCurveNear(
    const Case& c, const std::string& curve, const std::string& label,
    std::initializer_list<std::pair<const char*, const std::vector<double>&>> arrays) {
  for (const auto& [name, actual] : arrays)
    ExpectVectorNear(actual, (*c.expected)[curve][name], c.name + " " + label + name);
}

TEST(Metrics, ThresholdMetricsMatchSklearn) {
  for (const auto& c : Cases()) {
    for (double t : {0.5, 0.3}) {
      const auto& e = (*c.expected)[t == 0.5 ? "at_0.5" : "at_0.3"];
      const std::string label = c.name + " at " + std::to_string(t);
      EXPECT_NEAR(Accuracy(c.y, c.score, t, c.weight), e["accuracy"].get<double>(), kTol) << label;
      EXPECT_NEAR(Precision(c.y, c.score, t, c.weight), e["precision"].get<double>(), kTol)
          << label;
      EXPECT_NEAR(Recall(c.y, c.score, t, c.weight), e["recall"].get<double>(), kTol) << label;
      EXPECT_NEAR(F1Score(c.y, c.score, t, c.weight), e["f1"].get<double>(), kTol) << label;
      const ConfusionMatrix cm = ComputeConfusionMatrix(c.y, c.score, t, c.weight);
      EXPECT_NEAR(cm.tn, e["confusion"][0][0].get<double>(), kTol) << label;
      EXPECT_NEAR(cm.fp, e["confusion"][0][1].get<double>(), kTol) << label;
      EXPECT_NEAR(cm.fn, e["confusion"][1][0].get<double>(), kTol) << label;
      EXPECT_NEAR(cm.tp, e["confusion"][1][1].get<double>(), kTol) << label;
    }
  }
}

TEST(Metrics, RocCurveAndAucMatchSklearnIncludingTiesAndWeights) {
  const std::vector<Case> cases = CasesWith("roc_auc");
  for (const auto& c : cases) {
    EXPECT_NEAR(RocAuc(c.y, c.score, c.weight), (*c.expected)["roc_auc"].get<double>(), kTol)
        << c.name;
    const RocCurve roc = ComputeRocCurve(c.y, c.score, c.weight);
    ExpectCurveNear(c, "roc_curve", "",
                    {{"fpr", roc.fpr}, {"tpr", roc.tpr}, {"thresholds", roc.thresholds}});
    const RocCurve full = ComputeRocCurve(c.y, c.score, c.weight, false);
    ExpectCurveNear(c, "roc_curve_full", "full ", {{"fpr", full.fpr}, {"tpr", full.tpr}});
  }
  EXPECT_EQ(cases.size(), 7u);
}

TEST(Metrics, TiedScoresCountHalfInRocAuc) {
  // One positive and one negative with the same score: a single diagonal step, AUC 0.5.
  const std::vector<double> y = {1, 0}, s = {0.4, 0.4};
  EXPECT_DOUBLE_EQ(RocAuc(y, s), 0.5);
  // Hand count: pairs (pos, neg) ranked correctly 1 + tie ½ → (3 + 0.5) / 4.
  const std::vector<double> y2 = {1, 1, 0, 0}, s2 = {0.9, 0.5, 0.5, 0.1};
  EXPECT_DOUBLE_EQ(RocAuc(y2, s2), 3.5 / 4.0);
}

TEST(Metrics, PrCurveAndAveragePrecisionMatchSklearn) {
  const std::vector<Case> cases = CasesWith("average_precision");
  for (const auto& c : cases) {
    EXPECT_NEAR(AveragePrecision(c.y, c.score, c.weight),
                (*c.expected)["average_precision"].get<double>(), kTol)
        << c.name;
    const PrCurve pr = ComputePrCurve(c.y, c.score, c.weight);
    ExpectCurveNear(
        c, "pr_curve", "",
        {{"precision", pr.precision}, {"recall", pr.recall}, {"thresholds", pr.thresholds}});
  }
  EXPECT_EQ(cases.size(), 8u);  // every data set except all_negative
}

TEST(Metrics, LogLossAndBrierMatchSklearn) {
  for (const auto& c : Cases()) {
    EXPECT_NEAR(LogLoss(c.y, c.score, c.weight), (*c.expected)["log_loss_auto"].get<double>(), kTol)
        << c.name;
    EXPECT_NEAR(LogLoss(c.y, c.score, c.weight, 1e-15),
                (*c.expected)["log_loss_1e-15"].get<double>(), kTol)
        << c.name;
    EXPECT_NEAR(BrierScore(c.y, c.score, c.weight), (*c.expected)["brier"].get<double>(), kTol)
        << c.name;
  }
}

TEST(Metrics, CalibrationCurveMatchesSklearnUniformAndQuantile) {
  size_t checked = 0;
  for (const auto& c : CasesWith("calibration")) {
    for (const auto& [key, e] : (*c.expected)["calibration"].items()) {
      ++checked;
      const auto strategy =
          key.rfind("uniform", 0) == 0 ? BinStrategy::kUniform : BinStrategy::kQuantile;
      const size_t bins = std::stoul(key.substr(key.find('_') + 1));
      const CalibrationCurve cc = ComputeCalibrationCurve(c.y, c.score, bins, strategy);
      ExpectVectorNear(cc.prob_true, e["prob_true"], c.name + " " + key + " prob_true");
      ExpectVectorNear(cc.prob_pred, e["prob_pred"], c.name + " " + key + " prob_pred");
      double total = 0;
      for (double n : cc.counts) total += n;
      EXPECT_EQ(total, static_cast<double>(c.y.size()));
    }
  }
  EXPECT_GE(checked, 24u);
}

TEST(Metrics, LiftTableMatchesArraySplitDeciles) {
  for (const auto& c : Cases()) {
    const auto table = ComputeLiftTable(c.y, c.score, 10, c.weight);
    const auto& e = (*c.expected)["lift"];
    ASSERT_EQ(table.size(), e.size());
    for (size_t b = 0; b < table.size(); ++b) {
      const std::string label = c.name + " bin " + std::to_string(b);
      EXPECT_EQ(table[b].count, e[b]["count"].get<size_t>()) << label;
      EXPECT_NEAR(table[b].weight, e[b]["weight"].get<double>(), kTol) << label;
      EXPECT_NEAR(table[b].positives, e[b]["positives"].get<double>(), kTol) << label;
      EXPECT_NEAR(table[b].response_rate, e[b]["response_rate"].get<double>(), kTol) << label;
      EXPECT_NEAR(table[b].lift, e[b]["lift"].get<double>(), kTol) << label;
      EXPECT_NEAR(table[b].cumulative_gain, e[b]["cumulative_gain"].get<double>(), kTol) << label;
      EXPECT_NEAR(table[b].cumulative_lift, e[b]["cumulative_lift"].get<double>(), kTol) << label;
      if (table[b].count > 0) {
        EXPECT_EQ(table[b].min_score, e[b]["min_score"].get<double>()) << label;
        EXPECT_EQ(table[b].max_score, e[b]["max_score"].get<double>()) << label;
      }
    }
  }
}

TEST(Metrics, LiftDecilesSpreadTheRemainderOverTheFirstBins) {
  std::vector<double> y(23, 0.0), s(23);
  for (size_t i = 0; i < s.size(); ++i) s[i] = static_cast<double>(i) / 23.0;
  y[22] = 1;
  const auto table = ComputeLiftTable(y, s, 10);
  for (size_t b = 0; b < 10; ++b) EXPECT_EQ(table[b].count, b < 3 ? 3u : 2u);
  EXPECT_DOUBLE_EQ(table[0].cumulative_gain, 1.0);  // the top-scored row is the only positive
  EXPECT_DOUBLE_EQ(table[0].lift, (1.0 / 3.0) / (1.0 / 23.0));
}

TEST(Metrics, ThresholdChoiceMatchesBruteForce) {
  for (const auto& c : Cases()) {
    const auto f1 = MaxF1Threshold(c.y, c.score, c.weight);
    EXPECT_EQ(f1.threshold, (*c.expected)["max_f1"]["threshold"].get<double>()) << c.name;
    EXPECT_NEAR(f1.metric, (*c.expected)["max_f1"]["f1"].get<double>(), kTol) << c.name;
    const auto& ep = (*c.expected)["max_profit"];
    const auto profit = MaxProfitThreshold(c.y, c.score, ep["value"], ep["cost"], c.weight);
    EXPECT_EQ(profit.threshold, ep["threshold"].get<double>()) << c.name;
    EXPECT_NEAR(profit.metric, ep["profit"].get<double>(),
                1e-9 * std::max(1.0, std::abs(profit.metric)))
        << c.name;
    if (c.weight.empty()) {
      EXPECT_EQ(profit.contacts, ep["contacts"].get<double>()) << c.name;
    }
  }
}

TEST(Metrics, MaxProfitByHand) {
  // value 10, cost 3: contacting the top two (one buyer) earns 10 − 6 = 4; the top three 20 − 9 =
  // 11; all four 20 − 12 = 8.
  const std::vector<double> y = {1, 0, 1, 0}, s = {0.9, 0.8, 0.7, 0.1};
  const auto best = MaxProfitThreshold(y, s, 10.0, 3.0);
  EXPECT_EQ(best.threshold, 0.7);
  EXPECT_DOUBLE_EQ(best.metric, 11.0);
  EXPECT_EQ(best.contacts, 3.0);
}

Error Catch(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no prospect::Error thrown";
  return Error(ErrorCode::kInternal, "");
}

TEST(Metrics, RocAucWithOneClassIsAnInvalidDataError) {
  const std::vector<double> y(5, 1.0), s = {0.1, 0.2, 0.3, 0.4, 0.5};
  const Error e = Catch([&] { (void)RocAuc(y, s); });
  EXPECT_EQ(e.code(), ErrorCode::kInvalidData);
  EXPECT_STREQ(e.what(),
               "ROC-AUC is undefined: y_true holds only one class (every weighted row is 1); "
               "evaluate on a held-out "
               "set with both positives and negatives, e.g. a larger or stratified test split");
  // Zero weights remove the only negative: still one class.
  const std::vector<double> y2 = {1, 0, 1}, s2 = {0.3, 0.2, 0.9}, w2 = {1, 0, 2};
  EXPECT_EQ(Catch([&] { (void)RocAuc(y2, s2, w2); }).code(), ErrorCode::kInvalidData);
  const std::vector<double> negatives(4, 0.0), s4 = {0.1, 0.2, 0.3, 0.4};
  EXPECT_EQ(Catch([&] { (void)ComputeRocCurve(negatives, s4); }).code(), ErrorCode::kInvalidData);
}

TEST(Metrics, AveragePrecisionWithoutPositivesIsAnError) {
  const std::vector<double> y(3, 0.0), s = {0.1, 0.2, 0.3};
  const Error e = Catch([&] { (void)AveragePrecision(y, s); });
  EXPECT_EQ(e.code(), ErrorCode::kInvalidData);
  EXPECT_NE(std::string(e.what()).find("no positive rows"), std::string::npos);
}

TEST(Metrics, BadInputsNameTheProblem) {
  const std::vector<double> y = {0, 1, 2}, s = {0.1, 0.2, 0.3};
  EXPECT_STREQ(Catch([&] { (void)RocAuc(y, s); }).what(),
               "ROC-AUC: y_true must hold 0 or 1, but row 2 has 2; encode the positive class as 1");
  const std::vector<double> y1 = {0, 1}, s1 = {0.1, NAN};
  EXPECT_STREQ(Catch([&] { (void)Accuracy(y1, s1); }).what(),
               "confusion matrix: scores must be finite, but row 1 has nan");
  const std::vector<double> s2 = {0.1, 1.5};
  EXPECT_STREQ(Catch([&] { (void)LogLoss(y1, s2); }).what(),
               "log-loss: probabilities must lie in [0, 1], but row 1 has 1.5; pass the predicted "
               "probability of the "
               "positive class, not a raw score");
  EXPECT_STREQ(Catch([&] { (void)BrierScore(y1, std::vector<double>{0.5}); }).what(),
               "Brier score: y_true and y_score have different lengths (2 vs 1)");
  const std::vector<double> w = {1, -1};
  EXPECT_STREQ(Catch([&] {
                 (void)RocAuc(y1, std::vector<double>{.2, .3}, w);
               }).what(),
               "ROC-AUC: weights must be finite and non-negative, but row 1 has -1");
  EXPECT_STREQ(Catch([&] { (void)RocAuc(std::vector<double>{}, std::vector<double>{}); }).what(),
               "ROC-AUC: no rows to evaluate (y_true is empty)");
  EXPECT_EQ(Catch([&] { (void)ComputeLiftTable(y1, s2, 0); }).code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace prospect
