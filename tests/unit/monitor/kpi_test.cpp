// KPI series from orders and events (counted by hand on a small workspace), and the alert rule on
// generated daily series with a weekly pattern: calm days leave the 99% interval about 1% of the
// time, and a spike planted in a calm series' checked days raises exactly one alert.
#include "prospect/monitor/kpi.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/workspace/workspace.hpp"
#include "support/expect_error.hpp"
#include "support/test_paths.hpp"

namespace prospect::monitor {
namespace {

// 16 weeks of daily conversions: level 100 rising 0.2 a day, weekends 30 lower, noise sd 4.
KpiSeries GeneratedConversions(uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0, 4);
  KpiSeries s;
  s.name = "conversions";
  const int64_t monday = DaysFromCivil(2026, 1, 5);
  for (int64_t d = 0; d < 16 * 7; ++d) {
    s.periods.push_back(monday + d);
    const bool weekend = d % 7 >= 5;
    s.values.push_back(100 + 0.2 * static_cast<double>(d) - (weekend ? 30 : 0) + noise(rng));
  }
  return s;
}

// How often calm days alert: over 100 generated series of 14 checked days each (1,400 checks),
// 2.6% fall outside the 99% intervals (measured). More than 1% because the intervals, like
// statsmodels' ETSModel's, take the fitted parameters and initial states as known and the error
// variance as SSE / n; the test bounds the rate at 0.3%-3.5% so a broken interval (far narrower or
// wider) fails it.
TEST(KpiAlerts, CalmSeriesAlertAboutAsOftenAsTheLevelSays) {
  const KpiRequest request;  // daily, the last 14 days checked, 99% intervals
  size_t alerts = 0, checks = 0;
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    const KpiForecast f = ForecastKpi(GeneratedConversions(seed), request);
    EXPECT_EQ(f.season_length, 7);
    alerts += f.alerts.size();
    checks += static_cast<size_t>(request.check_periods);
  }
  const double rate = static_cast<double>(alerts) / static_cast<double>(checks);
  EXPECT_GE(rate, 0.003);
  EXPECT_LE(rate, 0.035);
  RecordProperty("false_alert_rate", std::to_string(rate));
}

TEST(KpiAlerts, APlantedAnomalyRaisesExactlyOneAlert) {
  const KpiRequest request;
  // The first generated series whose last 14 days raise no alert, then a spike planted in them.
  uint64_t seed = 1;
  while (!ForecastKpi(GeneratedConversions(seed), request).alerts.empty()) ++seed;
  KpiSeries s = GeneratedConversions(seed);
  const KpiForecast calm = ForecastKpi(s, request);
  EXPECT_EQ(calm.forecast_start, s.values.size() - 14);
  const size_t planted = s.values.size() - 5;
  s.values[planted] += 60;  // a campaign-sized spike
  const KpiForecast spiked = ForecastKpi(s, request);
  ASSERT_EQ(spiked.alerts.size(), 1u) << spiked.ToJson(request.level).dump(1);
  EXPECT_EQ(spiked.alerts[0].period, s.periods[planted]);
  EXPECT_GT(spiked.alerts[0].actual, spiked.alerts[0].upper);

  KpiRequest too_long;
  too_long.check_periods = 100;
  ExpectError([&] { ForecastKpi(s, too_long); }, ErrorCode::kInvalidArgument,
              "KPI conversions has 112 days; forecasting the last 100 needs 14 more to fit on");
}

TEST(KpiSeriesTest, CountsOrdersRevenueActiveAndChurnedCustomers) {
  testing::TempDir dir;
  Workspace::Init(dir.File("w"));
  Workspace ws = Workspace::Open(dir.File("w"));
  const Context ctx(1);
  const int64_t d0 = DaysFromCivil(2026, 3, 2);  // a Monday
  // Orders: c1 on days 0 and 1, c2 on day 1; events: c3 on day 2, c1 on day 2.
  ws.store().WriteTable("orders",
                        Table(Schema({{"customer_id", DataType::kString},
                                      {"order_date", DataType::kDate},
                                      {"total", DataType::kDouble}}),
                              {Column::FromStringVector({"c1", "c1", "c2"}),
                               Column::FromInts(DataType::kDate, {d0, d0 + 1, d0 + 1}),
                               Column::FromDoubles({10, 20, 5})}),
                        {}, ctx);
  ws.store().WriteTable(
      "events",
      Table(Schema({{"customer_id", DataType::kString}, {"timestamp", DataType::kTimestamp}}),
            {Column::FromStringVector({"c3", "c1"}),
             Column::FromInts(DataType::kTimestamp,
                              {(d0 + 2) * 86400000000LL + 5, (d0 + 2) * 86400000000LL})}),
      {}, ctx);
  const auto series = BuildKpiSeries(ws.store(), ProfileConfig{}, KpiFrequency::kDay, 1, ctx);
  ASSERT_EQ(series.size(), 4u);
  EXPECT_EQ(series[0].name, "conversions");
  EXPECT_EQ(series[0].values, (std::vector<double>{1, 2, 0}));
  EXPECT_EQ(series[1].name, "revenue");
  EXPECT_EQ(series[1].values, (std::vector<double>{10, 25, 0}));
  EXPECT_EQ(series[2].name, "active_customers");
  EXPECT_EQ(series[2].values, (std::vector<double>{1, 2, 2}));
  // With a 1-day churn window, c2 (last seen day 1) churns on day 2; c1 and c3 (day 2) only
  // after the data ends.
  EXPECT_EQ(series[3].name, "churned_customers");
  EXPECT_EQ(series[3].values, (std::vector<double>{0, 0, 1}));
  EXPECT_EQ(series[0].periods.front(), d0);
  // Weekly: the three days are part of one week the data does not cover whole: no periods.
  EXPECT_TRUE(BuildKpiSeries(ws.store(), ProfileConfig{}, KpiFrequency::kWeek, 1, ctx).empty());
}

}  // namespace
}  // namespace prospect::monitor
