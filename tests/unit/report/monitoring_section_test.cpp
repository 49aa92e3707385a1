// Report section "Monitoring": the drift table (test and value per column), ROC-AUC and score
// distribution over time, retraining runs and KPI forecasts with their alerts, drawn from what
// the monitor commands stored.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "prospect/common/datetime.hpp"
#include "prospect/models/training.hpp"
#include "prospect/monitor/drift.hpp"
#include "prospect/monitor/kpi.hpp"
#include "prospect/monitor/performance.hpp"
#include "prospect/report/report.hpp"
#include "prospect/workspace/workspace.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

Table MonitoringLeads(size_t n, uint64_t seed, double shift) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> unif;
  ColumnVector<double> x(n), noise(n);
  ColumnVector<int64_t> y(n), day(n);
  for (size_t i = 0; i < n; ++i) {
    x[i] = normal(rng) + shift;
    noise[i] = normal(rng);
    y[i] = unif(rng) < 1 / (1 + std::exp(-(2 * x[i] - 1))) ? 1 : 0;
    day[i] = DaysFromCivil(2026, 1, 1) + static_cast<int64_t>(i * 60 / n);
  }
  return Table(Schema({{"x", DataType::kDouble},
                       {"noise", DataType::kDouble},
                       {"day", DataType::kDate},
                       {"y", DataType::kInt64}}),
               {Column::FromDoubles(x), Column::FromDoubles(noise),
                Column::FromInts(DataType::kDate, day), Column::FromInts(DataType::kInt64, y)});
}

TEST(MonitoringSection, DrawsDriftPerformanceAndKpisFromTheStoredReports) {
  testing::TempDir dir;
  Workspace::Init(dir.File("w"));
  Workspace ws = Workspace::Open(dir.File("w"));
  const Context ctx(1);
  ws.store().WriteTable("leads", MonitoringLeads(2000, 1, 0), {}, ctx);
  ws.store().WriteTable("leads_now", MonitoringLeads(2000, 2, 1.0), {}, ctx);
  TrainRequest req;
  req.table = "leads";
  req.target = "y";
  req.model = "logistic";
  req.exclude = {"day"};
  req.name = "lr";
  TrainModel(ws.store(), req, ctx);

  monitor::DriftRequest drift;
  drift.reference = "lr";
  drift.current = "leads_now";
  monitor::SaveDriftReport(ws.store(),
                           monitor::MeasureDrift(ws.store(), drift, monitor::DriftConfig{}, ctx));
  monitor::PerformanceRequest perf;
  perf.model = "lr";
  perf.table = "leads_now";
  perf.time_column = "day";
  monitor::SavePerformanceReport(ws.store(), monitor::MeasurePerformance(ws.store(), perf, ctx));
  monitor::KpiSeries series;
  series.name = "conversions";
  for (int d = 0; d < 70; ++d) {
    series.periods.push_back(DaysFromCivil(2026, 1, 5) + d);
    series.values.push_back(100 + (d % 7 >= 5 ? -20 : 0) + (d % 3) + (d == 65 ? 80 : 0));
  }
  monitor::KpiReport kpi;
  kpi.kpis.push_back(monitor::ForecastKpi(series, monitor::KpiRequest{}));
  monitor::SaveKpiReport(ws.store(), kpi);

  const std::string page = report::RenderReport(ws, report::RegisteredSections(), {}, ctx);
  EXPECT_NE(page.find("Monitoring <span class=\"badge done\">results</span>"), std::string::npos);
  EXPECT_NE(page.find("Drift: leads_now against lr"), std::string::npos);
  EXPECT_NE(page.find("Wasserstein distance (normed)"), std::string::npos);  // 2,000 rows
  EXPECT_NE(page.find("score:lr"), std::string::npos);
  EXPECT_NE(page.find("the data set DRIFTS"), std::string::npos);
  EXPECT_NE(page.find("ROC-AUC over time"), std::string::npos);
  EXPECT_NE(page.find("Score distribution over time"), std::string::npos);
  EXPECT_NE(page.find("KPI forecasts"), std::string::npos);
  EXPECT_NE(page.find(fmt::format("{} alert(s)", kpi.alerts())), std::string::npos);
  EXPECT_GE(kpi.alerts(), 1u);
}

}  // namespace
}  // namespace prospect
