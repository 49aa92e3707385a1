// `prospect clv` on UCI Online Retail (../shared/data), calibration to 2011-09-09: the summary
// agrees with pandas and the BG/NBD fit with scipy.optimize on the same likelihood
// (tests/fixtures/clv/make_online_retail_clv_fixture.py); MBG/NBD converges too; predict writes
// one row per customer.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/json_fixture.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using testing::RunCli;
using testing::TempDir;

TEST(CliClv, OnlineRetailSummaryAndFitAgreeWithPandasAndScipy) {
  const std::string data = testing::SharedData("uci_online_retail/online_retail.csv.gz");
  ASSERT_TRUE(std::ifstream(data).good()) << "missing " << data;
  const nlohmann::json& f = testing::LoadJsonFixture("clv/online_retail_clv.json");
  TempDir dir;
  const std::string ws = " --workspace " + dir.File("w") + " --quiet ";
  ASSERT_EQ(RunCli("init " + dir.File("w") + " --quiet").exit_code, 0);
  ASSERT_EQ(RunCli("ingest retail " + data + ws).exit_code, 0);
  const std::string fit =
      "clv fit --table retail --customer CustomerID --date InvoiceDate "
      "--calibration-end 2011-09-09 --json" +
      ws;
  const auto bg = RunCli(fit);
  ASSERT_EQ(bg.exit_code, 0) << bg.err;
  const nlohmann::json s = nlohmann::json::parse(bg.out);
  EXPECT_EQ(s["customers"], f["customers"]);
  EXPECT_EQ(s["repeat_buyers"], f["repeat_buyers"]);
  EXPECT_EQ(s["observation_end"], f["observation_end"]);
  EXPECT_EQ(s["holdout"]["actual_total"].get<double>(), f["holdout_purchases"].get<double>());
  ASSERT_TRUE(s["frequency"]["converged"].get<bool>()) << bg.out;
  for (const char* p : {"r", "alpha", "a", "b"}) {
    const double want = f["bgnbd"][p];
    EXPECT_NEAR(s["frequency"]["params"][p].get<double>(), want, 1e-4 * want) << p;
  }
  EXPECT_NEAR(s["frequency"]["log_likelihood"].get<double>(),
              f["bgnbd"]["log_likelihood"].get<double>(), 1e-3);

  const auto mbg = RunCli(fit + " --model mbgnbd");
  ASSERT_EQ(mbg.exit_code, 0) << mbg.err;
  EXPECT_TRUE(nlohmann::json::parse(mbg.out)["frequency"]["converged"].get<bool>()) << mbg.out;

  const std::string out = dir.File("clv.csv");
  ASSERT_EQ(RunCli("clv predict retail_bgnbd --horizon 26 --out " + out + ws).exit_code, 0);
  std::ifstream in(out);
  std::string header, line;
  std::getline(in, header);
  EXPECT_EQ(header, "CustomerID,frequency,recency,T,p_alive,expected_purchases,expected_spend,clv");
  size_t rows = 0;
  while (std::getline(in, line)) ++rows;
  EXPECT_EQ(rows, f["customers"].get<size_t>());
}

}  // namespace
}  // namespace prospect
