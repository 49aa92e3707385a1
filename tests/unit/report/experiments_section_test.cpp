// The report's Experiments section: it shows what `experiment analyze` saved — the numbers in its
// table and forest plot are the analysis's, the timeline has one point per calendar day, and the
// posterior densities are proper densities centred on the posterior means.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "prospect/common/datetime.hpp"
#include "prospect/experiment/analysis.hpp"
#include "prospect/report/report.hpp"
#include "support/report_charts.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using nlohmann::json;
using testing::FindChart;

// 4000 units over 8 days (a date column), half treatment; treatment converts 14 % vs 10 %.
Table AbTable() {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<std::string> variant;
  ColumnVector<uint8_t> converted;
  ColumnVector<double> revenue;
  ColumnVector<int64_t> day;
  for (int i = 0; i < 4000; ++i) {
    const bool t = i % 2 == 1;
    variant.push_back(t ? "treatment" : "control");
    const bool c = u(rng) < (t ? 0.14 : 0.10);
    converted.push_back(c);
    revenue.push_back(c ? 20 + 10 * u(rng) : 0.0);
    day.push_back(19'700 + i / 500);
  }
  return Table(
      Schema({{"variant", DataType::kString},
              {"converted", DataType::kBool},
              {"revenue", DataType::kDouble},
              {"day", DataType::kDate}}),
      {Column::FromStringVector(variant), Column::FromBools(std::move(converted)),
       Column::FromDoubles(std::move(revenue)), Column::FromInts(DataType::kDate, std::move(day))});
}

struct Rendered {
  std::string page;
  json charts;
  json analysis;
};

Rendered RenderWithExperiment(const testing::TempDir& dir, bool bayesian) {
  Workspace::Init(dir.File("ws"));
  Workspace ws = Workspace::Open(dir.File("ws"));
  experiment::AnalysisOptions o;
  o.variant_column = "variant";
  o.control = "control";
  o.metrics = {"converted", "revenue"};
  o.date_column = "day";
  o.sequential = true;
  o.bayesian = bayesian;
  Rendered r;
  r.analysis = experiment::AnalysisToJson(experiment::AnalyzeExperiment(AbTable(), o, Context(1)));
  experiment::SaveAnalysis(ws.store(), "checkout-test", "ab", r.analysis);
  r.page = report::RenderReport(ws, report::RegisteredSections(), {}, Context(1));
  r.charts = testing::ReportCharts(r.page);
  return r;
}

TEST(ExperimentsSection, ShowsTheSavedAnalysisNumbers) {
  testing::TempDir dir;
  const Rendered r = RenderWithExperiment(dir, true);
  EXPECT_NE(r.page.find("Experiments <span class=\"badge done\">results</span>"),
            std::string::npos);
  EXPECT_NE(r.page.find("id=\"exp-checkout-test\""), std::string::npos);
  EXPECT_NE(r.page.find("Table ab, variants in column variant, control control"),
            std::string::npos);

  const json* forest = FindChart(r.charts, "Relative lift against control");
  ASSERT_NE(forest, nullptr);
  EXPECT_EQ(forest->at("yAxis")["data"],
            json::array({"converted: treatment", "revenue: treatment"}));
  const json& dots = forest->at("series").back()["data"];
  ASSERT_EQ(dots.size(), 2u);
  for (size_t m = 0; m < 2; ++m) {
    const json& c = r.analysis["metrics"][m]["comparisons"][0];
    EXPECT_NEAR(dots[m]["value"][0].get<double>(), 100 * c["relative_lift"].get<double>(),
                1e-3 * std::fabs(100 * c["relative_lift"].get<double>()));
    // The interval line spans the analysis's relative interval.
    const json& line = forest->at("series")[m]["data"];
    EXPECT_NEAR(line[0][0].get<double>(), 100 * c["relative_ci"][0].get<double>(), 1e-2);
    EXPECT_NEAR(line[1][0].get<double>(), 100 * c["relative_ci"][1].get<double>(), 1e-2);
    // The table has the adjusted p-value as printed by the CLI.
    const double p = c["p_adjusted"].get<double>();
    const std::string printed = p < 1e-4 ? fmt::format("{:.1e}", p) : fmt::format("{:.4f}", p);
    EXPECT_NE(r.page.find(printed), std::string::npos) << printed;
  }
}

TEST(ExperimentsSection, TimelineHasOnePointPerCalendarDay) {
  testing::TempDir dir;
  const Rendered r = RenderWithExperiment(dir, false);
  const json* timeline = FindChart(r.charts, "Cumulative lift: converted, treatment");
  ASSERT_NE(timeline, nullptr);
  const json& days = timeline->at("xAxis")["data"];
  ASSERT_EQ(days.size(), 8u);
  EXPECT_EQ(days[0], FormatDate(19'700));
  EXPECT_EQ(days[7], FormatDate(19'707));
  // The last cumulative point is the whole experiment: its lift is the analysis's absolute lift.
  const double lift = r.analysis["metrics"][0]["comparisons"][0]["absolute_lift"].get<double>();
  EXPECT_NEAR(timeline->at("series")[0]["data"][7].get<double>(), lift, 1e-4 * std::fabs(lift));
  // With --sequential the always-valid bounds are drawn and are wider than the fixed interval.
  ASSERT_EQ(timeline->at("series").size(), 5u);
  EXPECT_LT(timeline->at("series")[3]["data"][7].get<double>(),
            timeline->at("series")[1]["data"][7].get<double>());
}

// Trapezoid integral and the x of the maximum of a density curve [[x, y], ...].
std::pair<double, double> AreaAndMode(const json& curve) {
  double area = 0, best = -1, mode = 0;
  for (size_t i = 0; i < curve.size(); ++i) {
    const double x = curve[i][0].get<double>(), y = curve[i][1].get<double>();
    if (i > 0)
      area += 0.5 * (y + curve[i - 1][1].get<double>()) * (x - curve[i - 1][0].get<double>());
    if (y > best) best = y, mode = x;
  }
  return {area, mode};
}

TEST(ExperimentsSection, PosteriorDensitiesIntegrateToOneAroundTheirMeans) {
  testing::TempDir dir;
  const Rendered r = RenderWithExperiment(dir, true);
  const json* posterior = FindChart(r.charts, "converted: posteriors");
  ASSERT_NE(posterior, nullptr);
  ASSERT_EQ(posterior->at("series").size(), 2u);
  for (size_t v = 0; v < 2; ++v) {
    const json& post = r.analysis["metrics"][0]["variants"][v]["posterior"];
    ASSERT_EQ(post["distribution"], "beta");
    const auto [area, mode] = AreaAndMode(posterior->at("series")[v]["data"]);
    EXPECT_NEAR(area, 1.0, 0.01);
    // The Beta(a, b) mode, (a - 1) / (a + b - 2), within one grid step.
    const double a = post["alpha"].get<double>(), b = post["beta"].get<double>();
    const double step = posterior->at("series")[v]["data"][1][0].get<double>() -
                        posterior->at("series")[v]["data"][0][0].get<double>();
    EXPECT_NEAR(mode, (a - 1) / (a + b - 2), step);
  }
  // Without --bayesian the section says it shows sampling distributions instead.
  testing::TempDir dir2;
  const Rendered plain = RenderWithExperiment(dir2, false);
  EXPECT_NE(FindChart(plain.charts, "revenue: sampling distributions"), nullptr);
}

TEST(ExperimentsSection, EmptyWorkspaceSaysHowToRunIt) {
  testing::TempDir dir;
  Workspace::Init(dir.File("w"));
  const std::string page = report::RenderReport(Workspace::Open(dir.File("w")),
                                                report::RegisteredSections(), {}, Context(1));
  EXPECT_NE(page.find("Experiments <span class=\"badge\">not run yet</span>"), std::string::npos);
  EXPECT_NE(page.find("Run <code>prospect experiment analyze --table T"), std::string::npos);
}

}  // namespace
}  // namespace prospect
