#include "prospect/monitor/kpi.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"

namespace prospect::monitor {
namespace {

// Day of each row of a date or timestamp column (nullopt for a null).
std::optional<int64_t> DayAt(const Column& column, size_t row) {
  if (column.IsNull(row)) return std::nullopt;
  if (column.type() == DataType::kDate) return column.ints()[row];
  if (column.type() == DataType::kTimestamp) return DayOfTimestamp(column.ints()[row]);
  return std::nullopt;
}

void CheckTimeColumn(const Table& table, const std::string& table_name, const std::string& column) {
  const DataType type = table.column(column).type();
  if (type != DataType::kDate && type != DataType::kTimestamp)
    Fail(ErrorCode::kInvalidData,
         "table {} column {} is {}, not a date or timestamp: set [profile] "
         "in prospect.toml",
         table_name, column, DataTypeName(type));
}

int64_t PeriodOf(int64_t day, KpiFrequency frequency) {
  return frequency == KpiFrequency::kDay ? day : MondayOf(day);
}

// One customer's activity: a dense id per customer and the days they were active.
struct KpiActivity {
  std::unordered_map<std::string, int32_t> ids;
  std::vector<std::pair<int64_t, int32_t>> day_customer;
  int32_t Id(const Column& column, size_t row) {
    return ids.try_emplace(column.FormatValue(row), static_cast<int32_t>(ids.size())).first->second;
  }
};

}  // namespace

KpiFrequency ParseKpiFrequency(std::string_view text) {
  if (text == "day") return KpiFrequency::kDay;
  if (text == "week") return KpiFrequency::kWeek;
  Fail(ErrorCode::kInvalidArgument, "frequency {:?}: expected day or week", text);
}

std::vector<KpiSeries> BuildKpiSeries(Store& store, const ProfileConfig& config,
                                      KpiFrequency frequency, int64_t churn_days,
                                      const Context& ctx) {
  KpiActivity activity;
  std::map<int64_t, double> orders_per_day, revenue_per_day;
  const bool has_orders = store.FindTable(config.orders_table).has_value();
  const bool has_events = store.FindTable(config.events_table).has_value();
  bool has_revenue = false;
  if (has_orders) {
    const TableInfo info = *store.FindTable(config.orders_table);
    std::vector<std::string> columns = {config.customer_id, config.order_time};
    has_revenue = !config.order_amount.empty() && info.schema.IndexOf(config.order_amount) >= 0;
    if (has_revenue) columns.push_back(config.order_amount);
    const Table orders = store.LoadTable(config.orders_table, columns, ctx);
    CheckTimeColumn(orders, config.orders_table, config.order_time);
    const Column& id = orders.column(config.customer_id);
    const Column& time = orders.column(config.order_time);
    for (size_t r = 0; r < orders.num_rows(); ++r) {
      const auto day = DayAt(time, r);
      if (!day) continue;
      orders_per_day[*day] += 1;
      if (has_revenue) {
        const double amount = orders.column(config.order_amount).NumericAt(r);
        if (std::isfinite(amount)) revenue_per_day[*day] += amount;
      }
      if (!id.IsNull(r)) activity.day_customer.emplace_back(*day, activity.Id(id, r));
    }
  }
  if (has_events) {
    const Table events =
        store.LoadTable(config.events_table, {config.customer_id, config.event_time}, ctx);
    CheckTimeColumn(events, config.events_table, config.event_time);
    const Column& id = events.column(config.customer_id);
    const Column& time = events.column(config.event_time);
    for (size_t r = 0; r < events.num_rows(); ++r) {
      const auto day = DayAt(time, r);
      if (day && !id.IsNull(r)) activity.day_customer.emplace_back(*day, activity.Id(id, r));
    }
  }
  if (activity.day_customer.empty() && orders_per_day.empty()) return {};

  // The span of whole periods.
  int64_t first = INT64_MAX, last = INT64_MIN;
  for (const auto& [day, customer] : activity.day_customer) {
    first = std::min(first, day);
    last = std::max(last, day);
  }
  for (const auto& [day, n] : orders_per_day) {
    first = std::min(first, day);
    last = std::max(last, day);
  }
  int64_t first_period = PeriodOf(first, frequency), last_period = PeriodOf(last, frequency);
  const int64_t step = frequency == KpiFrequency::kDay ? 1 : 7;
  if (first_period < first) first_period += step;          // a week the data starts inside
  if (last_period + step - 1 > last) last_period -= step;  // a week the data ends inside
  if (last_period < first_period) return {};
  const auto periods = static_cast<size_t>((last_period - first_period) / step + 1);
  const auto index = [&](int64_t day) -> std::optional<size_t> {
    const int64_t p = PeriodOf(day, frequency);
    if (p < first_period || p > last_period) return std::nullopt;
    return static_cast<size_t>((p - first_period) / step);
  };

  // A series of zeros over the periods, filled below and then added to `out`.
  const auto zeros = [&](const char* name) {
    KpiSeries s;
    s.name = name;
    for (size_t i = 0; i < periods; ++i)
      s.periods.push_back(first_period + step * static_cast<int64_t>(i));
    s.values.assign(periods, 0);
    return s;
  };
  std::vector<KpiSeries> out;
  if (has_orders) {
    KpiSeries conversions = zeros("conversions");
    for (const auto& [day, n] : orders_per_day)
      if (const auto i = index(day)) conversions.values[*i] += n;
    out.push_back(std::move(conversions));
    if (has_revenue) {
      KpiSeries revenue = zeros("revenue");
      for (const auto& [day, amount] : revenue_per_day)
        if (const auto i = index(day)) revenue.values[*i] += amount;
      out.push_back(std::move(revenue));
    }
  }
  if (!activity.day_customer.empty()) {
    // Active: distinct customers per period.
    KpiSeries active = zeros("active_customers");
    std::vector<std::vector<int32_t>> per_period(periods);
    std::vector<int64_t> last_seen(activity.ids.size(), INT64_MIN);
    for (const auto& [day, customer] : activity.day_customer) {
      if (const auto i = index(day)) per_period[*i].push_back(customer);
      last_seen[static_cast<size_t>(customer)] =
          std::max(last_seen[static_cast<size_t>(customer)], day);
    }
    for (size_t i = 0; i < periods; ++i) {
      auto& ids = per_period[i];
      std::sort(ids.begin(), ids.end());
      active.values[i] = static_cast<double>(std::unique(ids.begin(), ids.end()) - ids.begin());
    }
    out.push_back(std::move(active));
    // Churned: the period in which a customer's churn_days without activity ran out.
    KpiSeries churned = zeros("churned_customers");
    for (const int64_t seen : last_seen) {
      if (seen == INT64_MIN || seen + churn_days > last) continue;
      if (const auto i = index(seen + churn_days)) churned.values[*i] += 1;
    }
    out.push_back(std::move(churned));
  }
  return out;
}

KpiForecast ForecastKpi(const KpiSeries& series, const KpiRequest& request) {
  if (request.check_periods < 1)
    Fail(ErrorCode::kInvalidArgument, "check periods {}: expected 1 or more",
         request.check_periods);
  KpiForecast out;
  out.series = series;
  const auto n = static_cast<int64_t>(series.values.size());
  const int64_t fit_n = n - request.check_periods;
  const int64_t season = request.frequency == KpiFrequency::kDay ? 7 : (fit_n >= 2 * 52 ? 52 : 0);
  if (fit_n < std::max<int64_t>(10, 2 * season)) {
    Fail(ErrorCode::kInvalidArgument,
         "KPI {} has {} {}s; forecasting the last {} needs {} more to fit on", series.name, n,
         request.frequency == KpiFrequency::kDay ? "day" : "week", request.check_periods,
         std::max<int64_t>(10, 2 * season));
  }
  out.season_length = season;
  out.forecast_start = static_cast<size_t>(fit_n);
  HoltWintersParams params;
  params.trend = true;
  params.damped = true;
  params.season_length = season;
  out.fit = FitHoltWinters(std::span(series.values).first(static_cast<size_t>(fit_n)), params);
  out.forecast = ForecastHoltWinters(out.fit, request.check_periods, request.level);
  for (int64_t h = 0; h < request.check_periods; ++h) {
    const auto i = static_cast<size_t>(fit_n + h);
    const auto k = static_cast<size_t>(h);
    const double actual = series.values[i];
    if (actual < out.forecast.lower[k] || actual > out.forecast.upper[k])
      out.alerts.push_back({series.periods[i], actual, out.forecast.mean[k], out.forecast.lower[k],
                            out.forecast.upper[k]});
  }
  return out;
}

nlohmann::json KpiForecast::ToJson(double level) const {
  nlohmann::json periods = nlohmann::json::array(), alerts_json = nlohmann::json::array();
  for (const int64_t p : series.periods) periods.push_back(FormatDate(p));
  for (const KpiAlert& a : alerts) {
    alerts_json.push_back({{"period", FormatDate(a.period)},
                           {"actual", a.actual},
                           {"forecast", a.forecast},
                           {"lower", a.lower},
                           {"upper", a.upper}});
  }
  return {{"name", series.name},
          {"level", level},
          {"periods", periods},
          {"actual", series.values},
          {"forecast_start", forecast_start},
          {"mean", forecast.mean},
          {"lower", forecast.lower},
          {"upper", forecast.upper},
          {"season_length", season_length},
          {"alpha", fit.alpha},
          {"beta", fit.beta},
          {"gamma", fit.gamma},
          {"phi", fit.phi},
          {"alerts", alerts_json}};
}

size_t KpiReport::alerts() const {
  size_t n = 0;
  for (const auto& k : kpis) n += k.alerts.size();
  return n;
}

nlohmann::json KpiReport::ToJson() const {
  nlohmann::json series = nlohmann::json::array();
  for (const auto& k : kpis) series.push_back(k.ToJson(level));
  return {{"frequency", frequency == KpiFrequency::kDay ? "daily" : "weekly"},
          {"level", level},
          {"alerts", alerts()},
          {"series", series}};
}

KpiReport MonitorKpis(Store& store, const ProfileConfig& config, const KpiRequest& request,
                      const Context& ctx) {
  KpiReport report;
  report.frequency = request.frequency;
  report.level = request.level;
  const auto all = BuildKpiSeries(store, config, request.frequency, request.churn_days, ctx);
  if (all.empty()) {
    Fail(ErrorCode::kNotFound,
         "no KPI series: the workspace has no {} or {} table with dates (set [profile] in "
         "prospect.toml)",
         config.orders_table, config.events_table);
  }
  std::vector<std::string> names;
  for (const auto& s : all) names.push_back(s.name);
  for (const auto& wanted : request.kpis) {
    if (std::find(names.begin(), names.end(), wanted) == names.end())
      Fail(ErrorCode::kNotFound, "no KPI {}; this workspace has {}", wanted, Join(names, ", "));
  }
  for (const auto& s : all) {
    if (!request.kpis.empty() &&
        std::find(request.kpis.begin(), request.kpis.end(), s.name) == request.kpis.end())
      continue;
    report.kpis.push_back(ForecastKpi(s, request));
  }
  return report;
}

void SaveKpiReport(Store& store, const KpiReport& report) {
  store.PutObject("kpi_report", "kpi", report.ToJson(), "");
  store.Audit("monitor.kpi",
              fmt::format("series={} alerts={}", report.kpis.size(), report.alerts()));
}

}  // namespace prospect::monitor
