// `prospect clv` on UCI Online Retail (../shared/data), calibration to 2011-09-09: the summary
// agrees with pandas and the BG/NBD fit with scipy.optimize on the same likelihood
// (tests/fixtures/clv/make_online_retail_clv_fixture.py), as does the Pareto/NBD fit; MBG/NBD
// converges too; predict writes
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

  // Pareto/NBD reaches scipy's maximum of lifetimes' likelihood; β is the loosest parameter (its
  // standard error is about 0.8 at 1.25), so the parameters agree to 1e-3 and the maximum to 1e-3.
  const auto pareto = RunCli(fit + " --model pareto-nbd");
  ASSERT_EQ(pareto.exit_code, 0) << pareto.err;
  const nlohmann::json ps = nlohmann::json::parse(pareto.out)["frequency"];
  ASSERT_TRUE(ps["converged"].get<bool>()) << pareto.out;
  for (const char* p : {"r", "alpha", "s", "beta"}) {
    const double want = f["pareto_nbd"][p];
    EXPECT_NEAR(ps["params"][p].get<double>(), want, 1e-3 * want) << p;
  }
  EXPECT_NEAR(ps["log_likelihood"].get<double>(), f["pareto_nbd"]["log_likelihood"].get<double>(),
              1e-3);

  const std::string out = dir.File("clv.csv");
  ASSERT_EQ(
      RunCli("clv predict retail_bgnbd --horizon 26 --max-count 2 --out " + out + ws).exit_code, 0);
  std::ifstream in(out);
  std::string header, line;
  std::getline(in, header);
  EXPECT_EQ(header,
            "CustomerID,frequency,recency,T,p_alive,expected_purchases,p_purchases_0,p_purchases_1,"
            "p_purchases_2,p_purchases_more,expected_spend,clv");
  size_t rows = 0;
  while (std::getline(in, line)) {
    ++rows;
    EXPECT_TRUE(line.ends_with(",,")) << line;  // no spend model: no spend or CLV, not "nan"
  }
  EXPECT_EQ(rows, f["customers"].get<size_t>());
  const auto bad = RunCli("clv predict retail_bgnbd --max-count 101" + ws);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("clv predict: --max-count 101: expected 0 to 100"), std::string::npos)
      << bad.err;
}

TEST(CliClv, SubscriptionPaymentsReproduceFaderHardiesRegularCohort) {
  // Fader & Hardie (2007)'s Regular cohort as a payment log: 1,000 customers who pay 100 on
  // 1 January each year from 2000 until they churn (the counts still subscribed at each year's
  // start). Calibration to 2007-01-01 (7 renewals due), holdout to 2012: the fit is the paper's
  // α = 0.704, β = 1.182 (scipy's maximum in the fixture), and the renewals expected in
  // 2008-2012 of the 241 subscribers are 241 × (S(8) + … + S(12))/S(7) from the fixture's curve.
  const nlohmann::json& f = testing::LoadJsonFixture("clv/sbg_fixture.json")["cohorts"]["regular"];
  const auto alive = f["alive"].get<std::vector<int>>();
  TempDir dir;
  {
    std::ofstream csv(dir.File("payments.csv"));
    csv << "customer_id,paid_on,amount\n";
    int id = 0;
    for (size_t years = 1; years <= alive.size(); ++years) {
      const int leaving = years < alive.size() ? alive[years - 1] - alive[years] : alive.back();
      for (int i = 0; i < leaving; ++i, ++id) {
        for (size_t y = 0; y < years; ++y) csv << id << "," << 2000 + y << "-01-01,100\n";
      }
    }
  }
  const std::string ws = " --workspace " + dir.File("w") + " --quiet ";
  ASSERT_EQ(RunCli("init " + dir.File("w") + " --quiet").exit_code, 0);
  ASSERT_EQ(RunCli("ingest payments " + dir.File("payments.csv") + ws).exit_code, 0);
  const auto fit = RunCli(
      "clv fit --table payments --date paid_on --value amount --model sbg --time-unit year "
      "--calibration-end 2007-01-01 --json" +
      ws);
  ASSERT_EQ(fit.exit_code, 0) << fit.err;
  const nlohmann::json s = nlohmann::json::parse(fit.out);
  ASSERT_TRUE(s["converged"].get<bool>()) << fit.out;
  EXPECT_NEAR(s["retention"]["params"]["alpha"].get<double>(), f["alpha"].get<double>(), 1e-5);
  EXPECT_NEAR(s["retention"]["params"]["beta"].get<double>(), f["beta"].get<double>(), 1e-5);
  EXPECT_EQ(s["retention"]["churned"], 1000 - alive[7]);
  const auto survival = f["survival"].get<std::vector<double>>();
  double expected = 0;
  for (size_t t = 8; t <= 12; ++t) expected += alive[7] * survival[t] / survival[7];
  const auto& h = s["holdout"];
  EXPECT_EQ(h["grouped_by"], "renewals");
  EXPECT_EQ(h["actual_total"].get<double>(),
            alive[8] + alive[9] + alive[10] + alive[11] + alive[12]);
  EXPECT_NEAR(h["predicted_total"].get<double>(), expected, 1e-6 * expected);
  // The constant retention rate underestimates how long the survivors stay (the paper's point).
  EXPECT_LT(h["naive_total"].get<double>(), h["predicted_total"].get<double>());

  ASSERT_EQ(RunCli("clv predict payments_sbg --horizon 5 --discount-rate 0" + ws).exit_code, 0);
  const auto top = RunCli(
      "sql \"SELECT sum(expected_purchases) AS renewals, sum(clv) AS clv, count(*) AS n FROM "
      "payments_sbg_predictions WHERE churned = 0\" --json" +
      ws);
  ASSERT_EQ(top.exit_code, 0) << top.err;
  const nlohmann::json row = nlohmann::json::parse(top.out)["rows"][0];
  EXPECT_NEAR(row["renewals"].get<double>(), expected, 1e-6 * expected);
  EXPECT_NEAR(row["clv"].get<double>(), 100 * expected,
              1e-4 * expected);  // no discount: 100 a renewal
  EXPECT_EQ(row["n"].get<double>(), alive[7]);
}

}  // namespace
}  // namespace prospect
