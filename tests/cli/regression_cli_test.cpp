// `prospect train` on a numeric target: regression is chosen automatically (or with --task), the
// held-out RMSE/MAE/R² are reported, and score/evaluate work with the saved regressor.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/cli_expect.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using testing::ExpectCliFailure;
using testing::InitWorkspaceAndIngest;
using testing::RunCli;
using testing::TempDir;

// Uniform draws in [0, 1) from a 64-bit LCG (Knuth's MMIX constants): the test CSVs are the same
// on every platform and standard library.
class LcgUniform {
 public:
  explicit LcgUniform(uint64_t seed) : state_(seed) {}
  double operator()() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state_ >> 11) / 9007199254740992.0;
  }

 private:
  uint64_t state_;
};

// 400 customers: spend = 40 + 3·visits − 5·[region = north] + noise; bought = 0/1.
std::string SpendCsv() {
  std::ostringstream out;
  out << "customer_id,visits,region,spend,bought\n";
  LcgUniform next(12345);
  for (int i = 0; i < 400; ++i) {
    const int visits = static_cast<int>(next() * 30);
    const bool north = next() < 0.4;
    const double spend = 40 + 3.0 * visits - (north ? 5.0 : 0.0) + (next() - 0.5) * 8;
    out << i + 1 << "," << visits << "," << (north ? "north" : "south") << ","
        << fmt::format("{:.2f}", spend) << "," << (spend > 80 ? 1 : 0) << "\n";
  }
  return out.str();
}

// Every test gets a fresh temp folder; the workspace in it is selected by ws_.
class CliRegression : public ::testing::Test {
 protected:
  /// A new workspace holding SpendCsv() as table `spend`.
  void InitWithSpend() {
    InitWorkspaceAndIngest(dir_, ws_, "spend", dir_.Write("spend.csv", SpendCsv()));
  }
  /// Runs `prospect --json ARGS` on the workspace, asserting that it succeeds, and parses its
  /// output into *doc; call it through ASSERT_NO_FATAL_FAILURE.
  void RunJson(const std::string& args, nlohmann::json* doc) {
    const testing::CommandResult r = RunCli(ws_ + "--json " + args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    *doc = nlohmann::json::parse(r.out);
  }

  TempDir dir_;
  const std::string ws_ = "--workspace " + dir_.path() + "/w ";
};

TEST_F(CliRegression, TrainPicksRegressionForANumericTargetAndScoresIt) {
  ASSERT_NO_FATAL_FAILURE(InitWithSpend());
  nlohmann::json doc;
  ASSERT_NO_FATAL_FAILURE(RunJson(
      "train --table spend --target spend --id customer_id --exclude bought --model linear", &doc));
  EXPECT_EQ(doc["task"], "regression");
  EXPECT_EQ(doc["name"], "spend_spend_linear");
  EXPECT_GT(doc["holdout"]["r2"].get<double>(), 0.9);
  EXPECT_LT(doc["holdout"]["rmse"].get<double>(), 4.0);  // noise sd is 8/√12 ≈ 2.3
  EXPECT_EQ(doc["holdout"]["rows"], 80);

  // Scores are predicted spend; evaluate's RMSE on a table of all the rows matches the scores.
  const std::string out = dir_.File("pred.csv");
  auto r = RunCli(ws_ + "score spend_spend_linear --table spend --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(out);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "customer_id,score");
  std::vector<double> pred;
  while (std::getline(in, line)) pred.push_back(std::stod(line.substr(line.find(',') + 1)));
  ASSERT_EQ(pred.size(), 400u);
  std::istringstream data(SpendCsv());
  std::getline(data, line);
  double sse = 0;
  for (size_t i = 0; std::getline(data, line); ++i) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    for (std::string c; std::getline(ss, c, ',');) cells.push_back(c);
    sse += (std::stod(cells[3]) - pred[i]) * (std::stod(cells[3]) - pred[i]);
  }
  // Another table: every row. (The training table itself means the rows it held out, below.)
  ASSERT_EQ(RunCli(ws_ + "ingest spend_copy " + dir_.File("spend.csv")).exit_code, 0);
  nlohmann::json all;
  ASSERT_NO_FATAL_FAILURE(RunJson("evaluate spend_spend_linear --table spend_copy", &all));
  EXPECT_NEAR(all["rmse"].get<double>(), std::sqrt(sse / 400), 1e-6);
  EXPECT_EQ(all["rows_used"], "all");
  // As for a classifier, evaluate's default is the training table's held-out rows: train's metrics.
  nlohmann::json held_out;
  ASSERT_NO_FATAL_FAILURE(RunJson("evaluate spend_spend_linear", &held_out));
  EXPECT_EQ(held_out["rows_used"], "held-out");
  EXPECT_EQ(held_out["rows"], 80);
  EXPECT_NEAR(held_out["rmse"].get<double>(), doc["holdout"]["rmse"].get<double>(), 1e-12);
  EXPECT_NEAR(held_out["r2"].get<double>(), doc["holdout"]["r2"].get<double>(), 1e-12);

  // Every regressor trains through the CLI; the text output names the metrics.
  for (const std::string model : {"tree", "forest", "gbdt"}) {
    r = RunCli(ws_ + "train --table spend --target spend --exclude bought,customer_id --model " +
               model);
    ASSERT_EQ(r.exit_code, 0) << model << ": " << r.err;
    EXPECT_NE(r.out.find("Held-out: RMSE "), std::string::npos) << r.out;
  }
}

TEST_F(CliRegression, ZeroOneTargetsStayClassificationAndTaskChoosesExplicitly) {
  ASSERT_NO_FATAL_FAILURE(InitWithSpend());
  nlohmann::json doc;
  ASSERT_NO_FATAL_FAILURE(RunJson(
      "train --table spend --target bought --exclude spend,customer_id --model logistic", &doc));
  EXPECT_EQ(doc["task"], "classification");
  ASSERT_NO_FATAL_FAILURE(RunJson(
      "train --table spend --target bought --exclude spend,customer_id --model linear --task "
      "regression",
      &doc));
  EXPECT_EQ(doc["task"], "regression");
  ExpectCliFailure(RunCli(ws_ + "train --table spend --target spend --model linear_svm"),
                   "Unknown regression model \"linear_svm\".");
  // (the auto-detection's info line comes first on stderr)
  // Regression tunes too, by a regression metric.
  ASSERT_NO_FATAL_FAILURE(RunJson(
      "train --table spend --target spend --exclude bought,customer_id --model tree --search "
      "random --trials 3 --cv 3 --metric mae",
      &doc));
  EXPECT_EQ(doc["search"]["metric"], "mae");
  EXPECT_EQ(doc["search"]["trials"], 3);
  EXPECT_EQ(doc["cv"]["scores"].size(), 3u);
  ExpectCliFailure(
      RunCli(ws_ + "train --table spend --target spend --model gbdt --search random --metric "
                   "roc_auc"),
      "\nerror: metric \"roc_auc\" is not a regression metric. Valid metrics: rmse, mae, r2.\n");
  const auto r =
      RunCli(ws_ + "train --table spend --target region --model linear --task regression");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.err, "error: regression needs a numeric target, but region is categorical\n");
}

TEST_F(CliRegression, AFeatureThatNearlyIsTheTargetIsNamedAsPossibleLeakage) {
  // orders_365d counts the same orders as frequency (the target) bar a few late ones; visits is an
  // honest predictor. Both tasks warn about the leaky column and only about it.
  std::string csv = "customer_id,visits,orders_365d,frequency,bought\n";
  LcgUniform next(99);
  for (int i = 0; i < 300; ++i) {
    const int frequency = static_cast<int>(next() * 40);
    const int visits = frequency + static_cast<int>(next() * 30);
    const int orders = frequency - (next() < 0.1 ? 1 : 0);
    csv +=
        fmt::format("{},{},{},{},{}\n", i + 1, visits, orders, frequency, frequency > 20 ? 1 : 0);
  }
  const std::string ws = "--threads 1 " + ws_;
  ASSERT_NO_FATAL_FAILURE(InitWorkspaceAndIngest(dir_, ws, "p", dir_.Write("p.csv", csv)));
  auto r = RunCli(
      ws +
      "--json train --table p --target frequency --id customer_id --exclude bought --model linear");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc["warnings"].size(), 1u) << r.out;
  EXPECT_EQ(doc["warnings"][0].get<std::string>().rfind(
                "possible leakage: feature orders_365d alone predicts frequency "
                "almost perfectly (R² 0.99",
                0),
            0u)
      << doc["warnings"][0];
  r = RunCli(
      ws + "train --table p --target bought --id customer_id --exclude frequency --model logistic");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(
      r.err.find(
          "possible leakage: feature orders_365d alone predicts bought almost perfectly (ROC-AUC"),
      std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("feature visits"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace prospect
