// KPI forecasts with alerts: daily or weekly series of conversions (orders), revenue, active
// customers and churned customers from the workspace's orders and events; a Holt-Winters fit
// (forecast.hpp) on all but the last periods, and an alert for each of those periods whose actual
// value leaves the forecast's prediction interval. Daily series get a weekly season; weekly
// series a yearly one when two years of weeks are there to fit it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/features/profile.hpp"
#include "prospect/monitor/forecast.hpp"
#include "prospect/store/store.hpp"

namespace prospect::monitor {

enum class KpiFrequency { kDay, kWeek };
/// "day" or "week"; kInvalidArgument otherwise.
KpiFrequency ParseKpiFrequency(std::string_view text);

struct KpiSeries {
  std::string name;
  std::vector<int64_t> periods;  ///< each period's first day (days since 1970-01-01)
  std::vector<double> values;
};

/// The KPI series of the workspace, over whole periods from the first to the last day with data
/// (a week that the data covers only in part is left out): "conversions" (orders), "revenue"
/// (the orders' amounts, when the orders have an amount column), "active_customers" (customers
/// with an event or order) and "churned_customers" (customers whose `churn_days` without any
/// activity ended in the period). Tables the workspace lacks give no series.
std::vector<KpiSeries> BuildKpiSeries(Store& store, const ProfileConfig& config,
                                      KpiFrequency frequency, int64_t churn_days,
                                      const Context& ctx);

struct KpiRequest {
  KpiFrequency frequency = KpiFrequency::kDay;
  int64_t check_periods = 14;  ///< the last periods, compared with a forecast of them
  double level = 0.99;         ///< the prediction interval's coverage
  int64_t churn_days = 90;
  std::vector<std::string> kpis;  ///< empty = every series there is
};

struct KpiAlert {
  int64_t period = 0;
  double actual = 0, forecast = 0, lower = 0, upper = 0;
};

struct KpiForecast {
  KpiSeries series;
  size_t forecast_start = 0;  ///< index of the first checked period
  int64_t season_length = 0;
  HoltWintersFit fit;
  Forecast forecast;  ///< for the checked periods
  std::vector<KpiAlert> alerts;
  nlohmann::json ToJson(double level) const;
};

/// Fits on all but the last `request.check_periods` values of `series` and checks those.
/// kInvalidArgument when fewer than two seasons (or 10 periods) remain to fit on.
KpiForecast ForecastKpi(const KpiSeries& series, const KpiRequest& request);

struct KpiReport {
  KpiFrequency frequency = KpiFrequency::kDay;
  double level = 0.99;
  std::vector<KpiForecast> kpis;
  size_t alerts() const;
  nlohmann::json ToJson() const;
};

/// Builds the series and forecasts each; a series too short to forecast is an error naming it.
KpiReport MonitorKpis(Store& store, const ProfileConfig& config, const KpiRequest& request,
                      const Context& ctx);
/// Stores the report as the latest object "kpi_report"/"kpi" (the report draws it) and audits.
void SaveKpiReport(Store& store, const KpiReport& report);

}  // namespace prospect::monitor
