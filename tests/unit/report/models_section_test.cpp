// Report sections "Predictive models" and "Churn early warning": charts drawn from the model's
// held-out rows, the churn summary and list, and the not-run text in an empty workspace.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

#include "prospect/evaluate/report.hpp"
#include "prospect/models/training.hpp"
#include "prospect/report/report.hpp"
#include "prospect/workspace/workspace.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using testing::TempDir;

std::vector<nlohmann::json> ChartSpecs(const std::string& page) {
  const std::string open = "<script type=\"application/json\" id=\"prospect-charts\">";
  const size_t begin = page.find(open);
  const size_t end = page.find("</script>", begin);
  const auto specs =
      nlohmann::json::parse(page.substr(begin + open.size(), end - begin - open.size()));
  return specs.get<std::vector<nlohmann::json>>();
}

Table Leads(size_t n) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> unif;
  ColumnVector<double> x(n);
  ColumnVector<int64_t> y(n);
  for (size_t i = 0; i < n; ++i) {
    x[i] = normal(rng);
    y[i] = unif(rng) < 1 / (1 + std::exp(-(2 * x[i] - 1))) ? 1 : 0;
  }
  return Table(Schema({{"x", DataType::kDouble}, {"y", DataType::kInt64}}),
               {Column::FromDoubles(x), Column::FromInts(DataType::kInt64, y)});
}

TEST(ModelsSection, DrawsRocPrGainsLiftCalibrationAndConfusionForEachModel) {
  TempDir dir;
  Workspace::Init(dir.File("w"));
  Workspace ws = Workspace::Open(dir.File("w"));
  ws.store().WriteTable("leads", Leads(2000), {}, Context(1));
  TrainRequest req;
  req.table = "leads";
  req.target = "y";
  req.model = "logistic";
  req.name = "lr";
  const TrainResult trained = TrainModel(ws.store(), req, Context(1));
  report::ReportSummary summary;
  const auto sections = report::RegisteredSections();
  const std::string page = report::RenderReport(ws, sections, {}, Context(1), &summary);
  EXPECT_NE(page.find("Predictive models <span class=\"badge done\">results</span>"),
            std::string::npos);
  EXPECT_NE(page.find("Churn early warning <span class=\"badge\">not run yet</span>"),
            std::string::npos);
  EXPECT_NE(page.find("Run prospect churn"), std::string::npos);
  std::map<std::string, nlohmann::json> by_title;
  for (const auto& spec : ChartSpecs(page))
    by_title[spec["title"]["text"].get<std::string>()] = spec;
  for (const char* title : {"ROC curve", "Precision–recall", "Cumulative gains", "Lift by decile",
                            "Calibration", "What drives the score"}) {
    EXPECT_TRUE(by_title.count(title)) << title;
  }
  // The ROC chart is the held-out ROC of the model: its subtitle carries the training AUC.
  EXPECT_EQ(by_title["ROC curve"]["title"]["subtext"],
            fmt::format("ROC-AUC {:.3f} on {} rows", trained.holdout.roc_auc,
                        trained.summary["rows"]["test"].get<size_t>()));
  const auto& roc = by_title["ROC curve"]["series"][0]["data"];
  EXPECT_EQ(roc.front(), nlohmann::json::array({0.0, 0.0}));
  EXPECT_EQ(roc.back(), nlohmann::json::array({1.0, 1.0}));
  bool confusion = false;
  for (const auto& [title, spec] : by_title) {
    if (title.rfind("Confusion matrix at", 0) == 0) {
      confusion = true;
      double total = 0;
      for (const auto& cell : spec["series"][0]["data"]) total += cell[2].get<double>();
      EXPECT_EQ(total, trained.summary["rows"]["test"].get<double>());
    }
  }
  EXPECT_TRUE(confusion);
  // Ten deciles in the lift chart.
  EXPECT_EQ(by_title["Lift by decile"]["series"][0]["data"].size(), 10u);
}

TEST(ChurnSection, ShowsTiersValueAtRiskAndTheTopOfTheList) {
  TempDir dir;
  Workspace::Init(dir.File("w"));
  Workspace ws = Workspace::Open(dir.File("w"));
  const nlohmann::json summary = {
      {"model", "churn"},
      {"version", 1},
      {"window_days", 90},
      {"label_date", "2026-04-01"},
      {"as_of", "2026-06-30"},
      {"thresholds", {{"high", 0.6}, {"medium", 0.3}}},
      {"training", {{"customers", 900}, {"churn_rate", 0.4}, {"holdout_roc_auc", 0.81}}},
      {"at_risk_table", "churn_risk"},
      {"customers_scored", 3},
      {"tiers",
       {{"high", {{"customers", 1}, {"value_at_risk", 80.0}}},
        {"medium", {{"customers", 1}, {"value_at_risk", 20.0}}},
        {"low", {{"customers", 1}, {"value_at_risk", 1.0}}}}}};
  ws.store().PutObject("churn", "churn", summary, "");
  const Table list(
      Schema({{"customer_id", DataType::kInt64},
              {"churn_risk", DataType::kDouble},
              {"tier", DataType::kString},
              {"value", DataType::kDouble},
              {"value_at_risk", DataType::kDouble},
              {"reason_1", DataType::kString}}),
      {Column::FromInts(DataType::kInt64, {7, 8, 9}), Column::FromDoubles({0.8, 0.4, 0.1}),
       Column::FromStringVector({"high", "medium", "low"}), Column::FromDoubles({500, 90, 20}),
       Column::FromDoubles({80, 20, 1}),
       Column::FromStringVector(
           {"recency days is 200 <b>", "frequency is 1", "tenure days is 30"})});
  ws.store().WriteTable("churn_risk", list, {}, Context(1));
  const auto sections = report::RegisteredSections();
  const std::string page = report::RenderReport(ws, sections, {}, Context(1));
  EXPECT_NE(page.find("Churn early warning <span class=\"badge done\">results</span>"),
            std::string::npos);
  EXPECT_NE(page.find("Top of the at-risk list (3 of 3)"), std::string::npos);
  EXPECT_NE(page.find("recency days is 200 &lt;b&gt;"), std::string::npos);  // escaped
  EXPECT_NE(page.find("Churn = no purchase in the 90 days after 2026-04-01"), std::string::npos);
  std::map<std::string, nlohmann::json> by_title;
  for (const auto& spec : ChartSpecs(page))
    by_title[spec["title"]["text"].get<std::string>()] = spec;
  ASSERT_TRUE(by_title.count("Customers by risk tier"));
  EXPECT_EQ(by_title["Customers by risk tier"]["series"][0]["data"],
            nlohmann::json::array({1.0, 1.0, 1.0}));
  EXPECT_EQ(by_title["Annual value at risk by tier"]["series"][0]["data"],
            nlohmann::json::array({80.0, 20.0, 1.0}));
}

}  // namespace
}  // namespace prospect
