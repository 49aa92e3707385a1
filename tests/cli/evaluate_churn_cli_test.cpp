// `prospect evaluate`, `explain`, `score` after calibration, and `churn`, as users run them.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/cli_expect.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using testing::ExpectCliErrorStartingWith;
using testing::ExpectCliFailure;
using testing::InitWorkspaceAndIngest;
using testing::RunCli;
using testing::SharedData;
using testing::TempDir;

// One thread: the machine is shared, and OpenMP/XGBoost threads slow down badly under load.
std::string Ws(const TempDir& dir) { return "--threads 1 --workspace " + dir.path() + "/w "; }

TEST(EvaluateCli, HeldOutMetricsThresholdsCalibrationAndScore) {
  TempDir dir;
  ASSERT_NO_FATAL_FAILURE(InitWorkspaceAndIngest(dir, Ws(dir), "bank",
                                                 SharedData("bank_marketing/bank-additional.csv")));
  auto r = RunCli(
      Ws(dir) +
      "--json train --table bank --target y --exclude duration --model logistic --name bank_lr");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto trained = nlohmann::json::parse(r.out);
  // Model names take what people type (dashes, dots); a bad one is refused before any training.
  r = RunCli(Ws(dir) +
             "train --table bank --target y --exclude duration --model logistic --name bank-lr.v1");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = RunCli(Ws(dir) + "train --table bank --target y --model logistic --name 'bank lr'");
  ExpectCliErrorStartingWith(r, 2, "error: invalid model name \"bank lr\": use a letter or digit");

  r = RunCli(Ws(dir) + "--json evaluate bank_lr --threshold max-f1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["rows_used"], "held-out");
  EXPECT_EQ(doc["rows"], trained["rows"]["test"]);
  EXPECT_NEAR(doc["metrics"]["roc_auc"].get<double>(),
              trained["holdout"]["metrics"]["roc_auc"].get<double>(), 1e-12);
  EXPECT_EQ(doc["threshold"], doc["thresholds"]["max_f1"]["threshold"]);
  EXPECT_TRUE(doc["calibration"].is_null());

  r = RunCli(
      Ws(dir) +
      "evaluate bank_lr --threshold max-profit --value-per-conversion 100 --cost-per-contact 8");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Best expected profit"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Confusion matrix at"), std::string::npos);
  EXPECT_NE(r.out.find("Lift and cumulative gains by decile"), std::string::npos);
  EXPECT_NE(r.out.find("Calibration curve"), std::string::npos);

  ExpectCliFailure(
      RunCli(Ws(dir) + "evaluate bank_lr --threshold max-profit"),
      "error: --threshold max-profit needs --value-per-conversion V and --cost-per-contact C");

  r = RunCli(Ws(dir) + "--json evaluate bank_lr --calibrate isotonic");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["calibration"]["method"], "isotonic");
  EXPECT_EQ(doc["calibration"]["version"], 2);
  // On bank, logistic's probabilities are already calibrated: isotonic (cross-fitted on the
  // held-out rows) worsens the log-loss, and evaluate says so.
  ASSERT_GT(doc["calibration"]["cross_fitted"]["metrics"]["log_loss"].get<double>(),
            doc["metrics"]["log_loss"].get<double>());
  ASSERT_EQ(doc["warnings"].size(), 1u) << doc["warnings"];
  EXPECT_EQ(doc["warnings"][0].get<std::string>().rfind(
                "isotonic calibration makes the log-loss worse on these rows", 0),
            0u)
      << doc["warnings"][0];

  // score applies the calibration of the latest version: every score is one of the isotonic
  // calibrator's values or an interpolation between two of them, so within [min y, max y].
  r = RunCli(Ws(dir) + "score bank_lr --table bank --out " + dir.File("scores.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto& knots = doc["calibration"]["calibrator"]["y"];
  const double lo = knots.front().get<double>(), hi = knots.back().get<double>();
  std::ifstream in(dir.File("scores.csv"));
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "row,score");
  size_t n = 0;
  while (std::getline(in, line)) {
    const double s = std::stod(line.substr(line.find(',') + 1));
    EXPECT_GE(s, lo - 1e-12);
    EXPECT_LE(s, hi + 1e-12);
    ++n;
  }
  EXPECT_EQ(n, 4119u);

  r = RunCli(Ws(dir) + "--json explain bank_lr");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["permutation_rows"], "held-out");
  EXPECT_FALSE(doc["columns"][0]["permutation_auc_drop"].is_null());
}

TEST(ChurnCli, JsonListAndCsvOnGeneratedData) {
  TempDir dir;
  ASSERT_EQ(RunCli("generate --customers 1500 --seed 3 --out " + dir.File("data")).exit_code, 0);
  ASSERT_EQ(RunCli("init " + dir.path() + "/w").exit_code, 0);
  for (const char* t : {"customers", "orders", "events"}) {
    auto r = RunCli(Ws(dir) + "ingest " + t + " " + dir.File("data") + "/" + t + ".csv");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  auto r = RunCli(Ws(dir) + "--json churn --window 60 --param n_estimators=50 --show 5 --out " +
                  dir.File("risk.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["window_days"], 60);
  EXPECT_EQ(doc["activity"], "orders");
  EXPECT_EQ(doc["top"].size(), 5u);
  const size_t scored = doc["customers_scored"];
  EXPECT_EQ(doc["tiers"]["high"]["customers"].get<size_t>() +
                doc["tiers"]["medium"]["customers"].get<size_t>() +
                doc["tiers"]["low"]["customers"].get<size_t>(),
            scored);
  std::ifstream in(dir.File("risk.csv"));
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header.rfind("customer_id,churn_risk,tier,value,annual_value,value_at_risk,recency_"
                         "days,frequency,reason_1",
                         0),
            0u)
      << header;
  size_t lines = 0;
  for (std::string line; std::getline(in, line);) lines += !line.empty();
  EXPECT_EQ(lines, scored);  // reasons are text without newlines: one line per customer
  // The human output.
  r = RunCli(Ws(dir) + "churn --window 60 --param n_estimators=50");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Churn = no purchase in the 60 days after"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Top of the list:"), std::string::npos) << r.out;
  r = RunCli(Ws(dir) + "churn --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("prospect churn --window 60 --out at_risk.csv"), std::string::npos);
}

}  // namespace
}  // namespace prospect
