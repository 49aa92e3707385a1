// MetricsReport: the all-at-once evaluation agrees with the individual sklearn-checked values,
// thins curves for charts and serialises to the documented JSON shape.
#include "prospect/evaluate/report.hpp"

#include <gtest/gtest.h>

#include "prospect/common/error.hpp"
#include "support/json_fixture.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

struct Data {
  std::vector<double> y, score, weight;
  nlohmann::json expected;
};

Data Load(const std::string& name) {
  const auto& j = testing::LoadJsonFixture("evaluate/metric_fixtures.json");
  for (const auto& d : j["datasets"]) {
    if (d["name"] != name) continue;
    Data data{d["y"].get<std::vector<double>>(),
              d["score"].get<std::vector<double>>(),
              {},
              j["metrics"][name]};
    if (!d["weight"].is_null()) data.weight = d["weight"].get<std::vector<double>>();
    return data;
  }
  throw std::runtime_error("no fixture " + name);
}

TEST(ThinCurveIndices, KeepsEndsAndAtMostMaxPoints) {
  const auto idx = ThinCurveIndices(1000, 200);
  ASSERT_EQ(idx.size(), 200u);
  EXPECT_EQ(idx.front(), 0u);
  EXPECT_EQ(idx.back(), 999u);
  for (size_t i = 1; i < idx.size(); ++i) EXPECT_GT(idx[i], idx[i - 1]);
  EXPECT_EQ(ThinCurveIndices(5, 200), (std::vector<size_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(ThinCurveIndices(201, 200).size(), 200u);
  EXPECT_THROW(ThinCurveIndices(10, 1), Error);
}

TEST(MetricsReport, AgreesWithSklearnAndThinsCurves) {
  const Data d = Load("continuous_weighted");
  MetricsReportOptions options;
  options.value_per_conversion = 30.0;
  options.cost_per_contact = 4.0;
  options.max_curve_points = 50;
  const MetricsReport r = MetricsReport::Compute(d.y, d.score, d.weight, options);
  EXPECT_NEAR(r.roc_auc, d.expected["roc_auc"].get<double>(), 1e-9);
  EXPECT_NEAR(r.average_precision, d.expected["average_precision"].get<double>(), 1e-9);
  EXPECT_NEAR(r.log_loss, d.expected["log_loss_auto"].get<double>(), 1e-9);
  EXPECT_NEAR(r.brier, d.expected["brier"].get<double>(), 1e-9);
  EXPECT_NEAR(r.accuracy, d.expected["at_0.5"]["accuracy"].get<double>(), 1e-9);
  EXPECT_NEAR(r.f1, d.expected["at_0.5"]["f1"].get<double>(), 1e-9);
  EXPECT_NEAR(r.precision, d.expected["at_0.5"]["precision"].get<double>(), 1e-9);
  EXPECT_NEAR(r.recall, d.expected["at_0.5"]["recall"].get<double>(), 1e-9);
  ASSERT_TRUE(r.max_profit.has_value());
  EXPECT_NEAR(r.max_profit->metric, d.expected["max_profit"]["profit"].get<double>(), 1e-9);
  EXPECT_EQ(r.max_f1.threshold, d.expected["max_f1"]["threshold"].get<double>());
  EXPECT_LE(r.roc.fpr.size(), 50u);
  EXPECT_EQ(r.roc.fpr.front(), 0.0);
  EXPECT_EQ(r.roc.fpr.back(), 1.0);
  ASSERT_GT(d.expected["pr_curve"]["precision"].size(), 50u);
  EXPECT_EQ(r.pr.precision.size(), 50u);  // thinned from one point per distinct score
  EXPECT_EQ(r.pr.thresholds.size(), 49u);
  EXPECT_EQ(r.pr.recall.back(), 0.0);
  EXPECT_EQ(r.lift.size(), 10u);
  EXPECT_DOUBLE_EQ(r.lift.back().cumulative_gain, 1.0);
}

TEST(MetricsReport, JsonHasTheDocumentedShape) {
  const Data d = Load("ties");
  const nlohmann::json j = MetricsReport::Compute(d.y, d.score).ToJson();
  for (const char* key :
       {"accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc", "log_loss", "brier"}) {
    EXPECT_TRUE(j["metrics"][key].is_number()) << key;
  }
  EXPECT_EQ(j["rows"], 300);
  EXPECT_EQ(j["threshold"], 0.5);
  EXPECT_EQ(j["confusion_matrix"]["matrix"].size(), 2u);
  EXPECT_TRUE(j["thresholds"]["max_profit"].is_null());
  EXPECT_TRUE(j["thresholds"]["max_f1"]["threshold"].is_number());
  EXPECT_EQ(j["curves"]["roc"]["fpr"].size(), j["curves"]["roc"]["tpr"].size());
  EXPECT_EQ(j["curves"]["calibration"]["strategy"], "uniform");
  EXPECT_EQ(j["lift"].size(), 10u);
  EXPECT_EQ(j["lift"][0]["bin"], 1);
  // Every number must be finite: JSON has no inf/NaN (nlohmann would write null).
  const std::string text = j.dump();
  size_t nulls = 0;
  for (size_t at = text.find("null"); at != std::string::npos; at = text.find("null", at + 1))
    ++nulls;
  EXPECT_EQ(nulls, 1u);  // only max_profit
}

TEST(MetricsReport, OneClassHeldOutSetIsAClearError) {
  const std::vector<double> y(10, 0.0), s(10, 0.3);
  try {
    (void)MetricsReport::Compute(y, s);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidData);
    EXPECT_NE(std::string(e.what()).find("ROC-AUC is undefined: y_true holds only one class"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace prospect
