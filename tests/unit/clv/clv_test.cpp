// `clv fit` and `clv predict` on generated orders: the fit converges, the holdout check beats the
// naive baseline, the model is stored, and predict's CLV is the documented discounted sum.
#include "prospect/clv/clv.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "prospect/clv/bgnbd.hpp"
#include "prospect/clv/gamma_gamma.hpp"
#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/generate/generate.hpp"
#include "prospect/io/csv.hpp"
#include "prospect/report/report.hpp"
#include "prospect/workspace/workspace.hpp"
#include "support/expect_error.hpp"
#include "support/report_charts.hpp"
#include "support/test_paths.hpp"

namespace prospect::clv {
namespace {

struct GeneratedOrders {
  testing::TempDir dir;
  Workspace ws = Make(dir);
  static Workspace Make(const testing::TempDir& d) {
    GenerateParams gp;
    gp.customers = 8000;
    gp.seed = 5;
    Generate(gp, d.File("data"), Context(1));
    Workspace::Init(d.File("w"));
    Workspace ws = Workspace::Open(d.File("w"));
    ws.store().WriteTable("orders", ReadCsv(d.File("data") + "/orders.csv", {}, Context(1)), {},
                          Context(1));
    return ws;
  }
};

GeneratedOrders& Orders() {
  static GeneratedOrders g;
  return g;
}

ClvFitRequest Request() {
  ClvFitRequest r;
  r.table = "orders";
  r.date_column = "order_date";
  r.value_column = "total";
  r.calibration_end = DaysFromCivil(2026, 3, 31);
  return r;
}

TEST(ClvFit, ConvergesBeatsTheNaiveBaselineOnTheHoldoutAndIsStored) {
  Store& store = Orders().ws.store();
  const ClvFitResult r = FitClv(store, Request(), Context(1));
  ASSERT_TRUE(r.converged) << r.summary.dump();
  EXPECT_EQ(r.name, "orders_bgnbd");
  const auto& h = r.summary["holdout"];
  EXPECT_NEAR(h["length"].get<double>(), 13.0, 1e-12);  // Apr 1 - Jun 30: 91 days
  const double actual = h["actual_total"], predicted = h["predicted_total"];
  EXPECT_NEAR(predicted / actual, 1, 0.1);
  EXPECT_LT(h["model_mae"].get<double>(), h["naive_mae"].get<double>());
  size_t customers = 0;
  for (const auto& row : h["by_frequency"]) customers += row["customers"].get<size_t>();
  EXPECT_EQ(customers, r.summary["customers"].get<size_t>());
  EXPECT_TRUE(r.summary["spend"]["converged"].get<bool>());
  EXPECT_LT(std::fabs(r.summary["spend"]["frequency_spend_correlation"].get<double>()), 0.1);
  bool listed = false;
  for (const auto& m : ListClvModels(store)) {
    if (m["name"] != r.name) continue;
    listed = true;
    EXPECT_EQ(m["calibration_end"], "2026-03-31");
    EXPECT_EQ(m["version"], r.version);
  }
  EXPECT_TRUE(listed);
}

TEST(ClvPredict, ClvIsTheDiscountedSumOfExpectedPurchasesTimesSpend) {
  Store& store = Orders().ws.store();
  ClvFitRequest fr = Request();
  fr.name = "for_predict";
  const ClvFitResult fit = FitClv(store, fr, Context(1));
  ClvPredictRequest r;
  r.model = "for_predict";
  r.horizon = 10;
  r.discount_rate = 0.1;
  const Table t = PredictClv(store, r, Context(1));
  ASSERT_TRUE(store.FindTable("for_predict_predictions"));
  const auto& p = fit.summary["frequency"]["params"];
  const BgNbd m{.r = p["r"], .alpha = p["alpha"], .a = p["a"], .b = p["b"]};
  const auto& g = fit.summary["spend"]["params"];
  const GammaGamma spend{.p = g["p"], .q = g["q"], .gamma = g["gamma"]};
  for (size_t row : {size_t{0}, t.num_rows() / 2, t.num_rows() - 1}) {
    const double x = t.column("frequency").NumericAt(row), t_x = t.column("recency").NumericAt(row),
                 T = t.column("T").NumericAt(row);
    double by_hand = 0, previous = 0;
    for (int k = 1; k <= 10; ++k) {  // weeks: a week ends 7k days from now
      const double e = m.ConditionalExpectedPurchases(k, x, t_x, T);
      by_hand += (e - previous) / std::pow(1.1, 7.0 * k / 365.25);
      previous = e;
    }
    const double s = t.column("expected_spend").NumericAt(row);
    EXPECT_NEAR(t.column("expected_purchases").NumericAt(row), previous, 1e-12);
    EXPECT_NEAR(t.column("clv").NumericAt(row), by_hand * s, 1e-9 * std::max(1.0, by_hand * s));
    EXPECT_NEAR(t.column("p_alive").NumericAt(row), m.ProbabilityAlive(x, t_x, T), 1e-12);
    // Discounting only lowers it: CLV is below the undiscounted purchases × spend.
    EXPECT_LT(t.column("clv").NumericAt(row), previous * s + 1e-12);
  }
  // A customer without repeat purchases is expected to spend the population mean.
  for (size_t row = 0; row < t.num_rows(); ++row) {
    if (t.column("frequency").NumericAt(row) > 0) continue;
    EXPECT_NEAR(t.column("expected_spend").NumericAt(row), spend.MeanSpend(), 1e-9);
    break;
  }
}

// The report's CLV section draws the newest model's holdout check as stored, P(alive) from its
// parameters, and the CLV distribution of its predictions.
TEST(ClvReport, DrawsTheHoldoutCheckPAliveAndTheDistribution) {
  testing::TempDir dir;
  Workspace::Init(dir.File("w"));
  Workspace ws = Workspace::Open(dir.File("w"));
  ws.store().WriteTable("orders", Orders().ws.store().LoadTable("orders", Context(1)), {},
                        Context(1));
  const ClvFitResult fit = FitClv(ws.store(), Request(), Context(1));
  ClvPredictRequest p;
  p.model = fit.name;
  const Table predicted = PredictClv(ws.store(), p, Context(1));
  const std::string page = report::RenderReport(ws, report::RegisteredSections(), {}, Context(1));
  EXPECT_NE(page.find("Customer lifetime value <span class=\"badge done\">results</span>"),
            std::string::npos);
  const nlohmann::json charts = testing::ReportCharts(page);
  const nlohmann::json* holdout = testing::FindChart(charts, "Holdout: purchases per customer");
  ASSERT_NE(holdout, nullptr);
  const auto& rows = fit.summary["holdout"]["by_frequency"];
  for (size_t g = 0; g < rows.size(); ++g) {
    EXPECT_NEAR(holdout->at("series")[0]["data"][g].get<double>(), rows[g]["actual"].get<double>(),
                5e-4);
    EXPECT_NEAR(holdout->at("series")[1]["data"][g].get<double>(),
                rows[g]["predicted"].get<double>(), 5e-4);
  }
  const nlohmann::json* alive = testing::FindChart(charts, "P(alive)");
  ASSERT_NE(alive, nullptr);
  for (const auto& cell : alive->at("series")[0]["data"]) {
    const double v = cell[2].get<double>();
    if (cell[1].get<int>() == 0) {
      EXPECT_EQ(v, 1);  // BG/NBD: no repeat purchase, no chance to have left
    }
    EXPECT_GE(v, 0);
    EXPECT_LE(v, 1);
  }
  // The top decile's share of total CLV, as the KPI prints it.
  std::vector<double> clv;
  for (size_t r = 0; r < predicted.num_rows(); ++r)
    clv.push_back(predicted.column("clv").NumericAt(r));
  std::sort(clv.begin(), clv.end());
  double total = 0, top = 0;
  for (size_t i = 0; i < clv.size(); ++i) {
    total += clv[i];
    if (i >= clv.size() - clv.size() / 10) top += clv[i];
  }
  EXPECT_NE(page.find(fmt::format("<div class=\"v\">{:.0f}%</div>", 100 * top / total)),
            std::string::npos);
  EXPECT_NE(testing::FindChart(charts, "CLV per customer"), nullptr);
}

TEST(ClvFit, BadRequestsSayWhatIsAllowed) {
  Store& store = Orders().ws.store();
  ClvFitRequest r = Request();
  r.model = "bgndb";
  ExpectError([&] { (void)FitClv(store, r, Context(1)); }, ErrorCode::kInvalidArgument,
              "clv: unknown model \"bgndb\". Did you mean \"bgnbd\"? Models: bgnbd, mbgnbd, "
              "pareto-nbd, sbg, gamma-gamma.");
  r.model = "gamma-gamma";
  r.value_column.clear();
  ExpectError([&] { (void)FitClv(store, r, Context(1)); }, ErrorCode::kInvalidArgument,
              "clv: gamma-gamma models spend: give --value COLUMN");
  r.model = "sbg";
  r.exact_times = true;
  ExpectError([&] { (void)FitClv(store, r, Context(1)); }, ErrorCode::kInvalidArgument,
              "clv: sbg counts renewals per period; exact times are for the purchase models");
  r.model = "gamma-gamma";
  r.exact_times = false;
  r.value_column = "total";
  r.name = "spend_only";
  (void)FitClv(store, r, Context(1));
  ClvPredictRequest p;
  p.model = "spend_only";
  ExpectError([&] { (void)PredictClv(store, p, Context(1)); }, ErrorCode::kInvalidArgument,
              "clv predict: spend_only is a spend model only; fit a frequency model (--model "
              "bgnbd --value COL) to predict purchases and CLV");
  ClvFitRequest frequency = Request();
  frequency.name = "for_errors";
  (void)FitClv(store, frequency, Context(1));
  p.model = "for_errors";
  p.max_count = -1;
  ExpectError([&] { (void)PredictClv(store, p, Context(1)); }, ErrorCode::kInvalidArgument,
              "clv predict: --max-count -1: expected 0 to 100");
  p.max_count = 1;
  p.discount_rate = -0.1;
  ExpectError([&] { (void)PredictClv(store, p, Context(1)); }, ErrorCode::kInvalidArgument,
              "clv predict: discount rate -0.1: expected an annual rate ≥ 0 (0.1 for 10 %)");
}

}  // namespace
}  // namespace prospect::clv
