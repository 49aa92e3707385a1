// Report section "Customer lifetime value": the newest CLV model's parameters, its holdout check
// (predicted against actual purchases by calibration repeat purchases, beside the naive rate),
// P(alive) over recency × frequency, and — when `clv predict` wrote its table — the CLV
// distribution and the top decile's share of value.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "prospect/clv/clv.hpp"
#include "prospect/clv/frequency_model.hpp"
#include "report/sections.hpp"

namespace prospect::report {
namespace {

using nlohmann::json;

constexpr int kAliveRows = 11;     // 0 … 10 repeat purchases
constexpr int kAliveColumns = 10;  // recency from 0 to the oldest customer's age

std::vector<std::vector<std::string>> ParamRows(const std::string& part, const json& fit) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& [name, value] : fit["params"].items()) {
    const json& se = fit["standard_errors"][name];
    rows.push_back({part, name, fmt::format("{:.4f}", value.get<double>()),
                    se.is_number() ? fmt::format("{:.4f}", se.get<double>()) : "-"});
  }
  return rows;
}

json HoldoutChart(const json& meta) {
  const json& h = meta["holdout"];
  json labels = json::array(), series = json::array();
  const std::vector<std::pair<const char*, const char*>> kinds = {
      {"actual", kChartGrey}, {"predicted", kChartBlue}, {"naive", kChartAmber}};
  for (const auto& [key, color] : kinds) {
    json data = json::array();
    for (const json& row : h["by_frequency"]) {
      if (series.empty()) labels.push_back(row["frequency"]);
      data.push_back(std::round(row[key].get<double>() * 1000) / 1000);
    }
    series.push_back({{"type", "bar"},
                      {"name", std::string(key) == "predicted" ? "model" : key},
                      {"data", data},
                      {"barMaxWidth", 18},
                      {"itemStyle", {{"color", color}}}});
  }
  return {{"title",
           ChartTitle(h.value("grouped_by", "") == "renewals" ? "Holdout: renewals per subscriber"
                                                              : "Holdout: purchases per customer",
                      fmt::format("{} → {}; mean abs. error model {:.3f}, naive {:.3f}",
                                  meta["calibration_end"].get<std::string>(),
                                  meta["observation_end"].get<std::string>(),
                                  h["model_mae"].get<double>(), h["naive_mae"].get<double>()))},
          {"tooltip", AxisTooltip()},
          {"legend", {{"bottom", 0}, {"textStyle", {{"fontSize", 10}}}}},
          {"grid", {{"left", 44}, {"right", 16}, {"top", 56}, {"bottom", 58}}},
          {"xAxis",
           {{"type", "category"},
            {"data", labels},
            {"name", h.value("grouped_by", "repeat purchases") + " in the calibration period"},
            {"nameLocation", "middle"},
            {"nameGap", 26}}},
          {"yAxis", UnitAxis("purchases per customer", std::nan(""))},
          {"series", series}};
}

// P(alive) at the oldest customer's age T for x repeat purchases, the last at t_x.
json AliveChart(const json& meta) {
  const clv::FrequencyModel m =
      clv::FrequencyModelFromJson(meta["model"].get<std::string>(), meta["frequency"]["params"]);
  const double age = meta.value("max_T", 52.0);
  std::vector<std::string> rows, columns;
  std::vector<std::vector<double>> values(kAliveRows, std::vector<double>(kAliveColumns));
  for (int c = 0; c < kAliveColumns; ++c)
    columns.push_back(fmt::format("{:.0f}", age * (c + 0.5) / kAliveColumns));
  for (int x = 0; x < kAliveRows; ++x) {
    rows.push_back(std::to_string(x));
    for (int c = 0; c < kAliveColumns; ++c) {
      const double t_x = x == 0 ? 0 : age * (c + 0.5) / kAliveColumns;
      values[static_cast<size_t>(x)][static_cast<size_t>(c)] =
          clv::ProbabilityAlive(m, x, t_x, age);
    }
  }
  json chart = HeatmapChart(
      "P(alive)",
      fmt::format("T = {:.0f} {}s; rows: repeat purchases, columns: {}s to the last one", age,
                  meta["unit"].get<std::string>(), meta["unit"].get<std::string>()),
      rows, columns, values, 1);
  chart["visualMap"]["min"] = 0;  // a probability: a sequential scale
  chart["visualMap"]["inRange"]["color"] = json::array({"#f7f7f7", "#2166ac"});
  return chart;
}

void WriteDistribution(Store& store, const std::string& table, SectionWriter& out) {
  if (!store.FindTable(table)) return;
  const Table t = store.LoadTable(table, {"clv"}, Context());
  std::vector<double> clv;
  for (size_t r = 0; r < t.num_rows(); ++r) {
    if (!t.column(size_t{0})->IsNull(r) && std::isfinite(t.column(size_t{0})->NumericAt(r)))
      clv.push_back(t.column(size_t{0})->NumericAt(r));
  }
  if (clv.empty()) return;
  std::sort(clv.begin(), clv.end());
  double total = 0, top = 0;
  const size_t top_from = clv.size() - std::max<size_t>(1, clv.size() / 10);
  for (size_t i = 0; i < clv.size(); ++i) {
    total += clv[i];
    if (i >= top_from) top += clv[i];
  }
  const size_t p99 = std::min(clv.size(), static_cast<size_t>(std::ceil(0.99 * clv.size())));
  out.Raw("<div class=\"kpis\">" + Kpi(ShortNumber(total), "total CLV") +
          Kpi(fmt::format("{:.0f}%", total > 0 ? 100 * top / total : 0),
              "of it in the top 10% of customers") +
          Kpi(ShortNumber(clv[clv.size() / 2]), "median CLV") + "</div>\n");
  out.Chart(HistogramChart("CLV per customer",
                           fmt::format("table {}; up to the 99th percentile ({} above it)", table,
                                       clv.size() - p99),
                           ComputeHistogram(std::span<const double>(clv.data(), p99), false)),
            260);
}

class ClvSection final : public ReportSection {
 public:
  std::string Id() const override { return "clv"; }
  std::string Title() const override { return "Customer lifetime value"; }
  bool Write(const Workspace& ws, const Context&, SectionWriter& out) const override {
    Store& store = ws.store();
    std::vector<StoredObject> models = store.ListObjects(clv::kClvObjectKind);
    if (models.empty()) {
      out.Paragraph(
          "Not run yet in this workspace. Fit a model on a transaction table with prospect clv "
          "fit --table orders --date order_date --value total --calibration-end DATE, then "
          "prospect clv predict MODEL; this section then shows the holdout check, P(alive) and "
          "the CLV distribution.",
          "notrun");
      return false;
    }
    std::sort(models.begin(), models.end(),
              [](const auto& a, const auto& b) { return a.created_at > b.created_at; });
    const StoredObject& o = models.front();
    const json& meta = o.meta;
    out.Heading(fmt::format("{} v{} ({}, {})", o.name, o.version, meta.value("model", "?"),
                            meta.value("table", "?")));
    out.Paragraph(
        fmt::format("{} customers ({} with repeat purchases), in {}s, history {} to {}; {}. "
                    "Definitions: docs/user/clv.md.",
                    meta.value("customers", size_t{0}), meta.value("repeat_buyers", size_t{0}),
                    meta.value("unit", "?"), meta.value("first_day", "?"),
                    meta.value("calibration_end", "?"),
                    meta.value("converged", false) ? "converged" : "NOT converged"),
        "muted");
    std::vector<std::vector<std::string>> rows;
    if (meta.contains("frequency")) rows = ParamRows("frequency", meta["frequency"]);
    if (meta.contains("retention")) rows = ParamRows("retention", meta["retention"]);
    if (meta.contains("spend")) {
      for (auto& r : ParamRows("spend", meta["spend"])) rows.push_back(std::move(r));
    }
    out.Table({"part", "parameter", "estimate", "std. error"}, rows, {false, false, true, true});
    out.OpenGrid();
    if (meta.contains("holdout")) out.Chart(HoldoutChart(meta), 300);
    if (meta.contains("frequency")) out.Chart(AliveChart(meta), 300);
    out.CloseGrid();
    WriteDistribution(store, o.name + "_predictions", out);
    if (models.size() > 1) {
      std::vector<std::vector<std::string>> list;
      for (const StoredObject& m : models) {
        list.push_back({m.name, m.meta.value("model", "?"), m.meta.value("table", "?"),
                        m.meta.value("calibration_end", "?"),
                        m.meta.value("converged", false) ? "yes" : "no"});
      }
      out.Heading("Every CLV model");
      out.Table({"model", "kind", "table", "calibration end", "converged"}, list);
    }
    return true;
  }
};

}  // namespace

std::unique_ptr<ReportSection> MakeClvSection() { return std::make_unique<ClvSection>(); }

}  // namespace prospect::report
