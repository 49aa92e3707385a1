// Report section "Monitoring": the latest drift report of each model and table (the test each
// column got, its value, PSI), each model's score distribution and ROC-AUC over time (estimated
// before labels, realised after), retraining runs, and KPI forecasts with their alerts.
#include <fmt/format.h>

#include <cmath>

#include "prospect/monitor/drift.hpp"
#include "report/sections.hpp"

namespace prospect::report {
namespace {

using nlohmann::json;

void WriteDrift(const StoredObject& o, SectionWriter& out) {
  const json& r = o.meta;
  out.Heading(
      fmt::format("Drift: {} against {}", r.value("current", "?"), r.value("reference", "?")));
  out.Paragraph(fmt::format("{} of {} columns drift; the data set {}.",
                            r.value("drifted_columns", 0), r.value("compared_columns", 0),
                            r.value("dataset_drift", false) ? "DRIFTS" : "does not drift"),
                r.value("dataset_drift", false) ? "warn" : "");
  std::vector<std::vector<std::string>> rows;
  for (const json& c : r["columns"]) {
    const bool p_value =
        monitor::DescribeDriftMethod(monitor::ParseDriftMethod(c.value("method", ""))).p_value;
    rows.push_back({c.value("column", "?"), c.value("method_title", "?"), FixedCell(c["value"], 4),
                    fmt::format("{}{}", p_value ? "< " : ">= ", FixedCell(c["threshold"], 2)),
                    c.value("drifted", false) ? "DRIFT" : "-",
                    fmt::format("{} ({})", FixedCell(c["psi"], 3), c.value("psi_band", "?"))});
  }
  out.Table({"column", "test", "value", "drifts at", "drift", "PSI"}, rows,
            {false, false, true, true, false, true});
}

json ScoreOverTimeChart(const json& p) {
  json labels = json::array(), p10 = json::array(), p50 = json::array(), p90 = json::array();
  for (const json& w : p["windows"]) {
    labels.push_back(w["start"]);
    p10.push_back(w["score_p10"]);
    p50.push_back(w["score_p50"]);
    p90.push_back(w["score_p90"]);
  }
  const auto line = [](const char* name, json data, const char* color, bool dashed) {
    return json{{"type", "line"},
                {"name", name},
                {"data", std::move(data)},
                {"lineStyle", {{"color", color}, {"type", dashed ? "dashed" : "solid"}}},
                {"itemStyle", {{"color", color}}}};
  };
  return {{"title", ChartTitle("Score distribution over time", "10th, 50th and 90th percentile")},
          {"tooltip", AxisTooltip()},
          {"legend", {{"bottom", 0}}},
          {"grid", {{"left", 44}, {"right", 16}, {"top", 56}, {"bottom", 40}}},
          {"xAxis", {{"type", "category"}, {"data", labels}}},
          {"yAxis", UnitAxis("score")},
          {"series",
           json::array({line("p10", p10, kChartGrey, true), line("median", p50, kChartBlue, false),
                        line("p90", p90, kChartGrey, true)})}};
}

json AucOverTimeChart(const json& p) {
  json labels = json::array(), estimated = json::array(), realised = json::array(),
       holdout = json::array();
  for (const json& w : p["windows"]) {
    labels.push_back(w["start"]);
    estimated.push_back(w["estimated_roc_auc"]);
    realised.push_back(w["roc_auc"]);
    holdout.push_back(p["holdout_roc_auc"]);
  }
  json series = json::array();
  series.push_back({{"type", "line"},
                    {"name", "estimated (CBPE)"},
                    {"data", estimated},
                    {"itemStyle", {{"color", kChartAmber}}}});
  series.push_back({{"type", "line"},
                    {"name", "realised"},
                    {"data", realised},
                    {"itemStyle", {{"color", kChartBlue}}}});
  series.push_back({{"type", "line"},
                    {"name", "held out at training"},
                    {"data", holdout},
                    {"lineStyle", {{"type", "dashed"}}},
                    {"itemStyle", {{"color", kChartGrey}}}});
  return {{"title",
           ChartTitle("ROC-AUC over time", p.value("model", "") + " on " + p.value("table", ""))},
          {"tooltip", AxisTooltip()},
          {"legend", {{"bottom", 0}}},
          {"grid", {{"left", 44}, {"right", 16}, {"top", 56}, {"bottom", 40}}},
          {"xAxis", {{"type", "category"}, {"data", labels}}},
          {"yAxis", UnitAxis("ROC-AUC")},
          {"series", series}};
}

json KpiChart(const json& s, const std::string& frequency) {
  json labels = json::array(), actual = json::array(), mean = json::array(), lower = json::array(),
       band = json::array();
  const auto periods = s["periods"].size();
  const size_t first = s.value("forecast_start", size_t{0});
  for (size_t i = 0; i < periods; ++i) {
    labels.push_back(s["periods"][i]);
    actual.push_back(s["actual"][i]);
    const bool f = i >= first && i - first < s["mean"].size();
    mean.push_back(f ? s["mean"][i - first] : json());
    lower.push_back(f ? s["lower"][i - first] : json());
    band.push_back(
        f ? json(s["upper"][i - first].get<double>() - s["lower"][i - first].get<double>())
          : json());
  }
  json alerts = json::array();
  for (const json& a : s["alerts"]) alerts.push_back({{"xAxis", a["period"]}});
  json series = json::array();
  series.push_back({{"type", "line"},
                    {"name", "lower"},
                    {"data", lower},
                    {"stack", "band"},
                    {"symbol", "none"},
                    {"lineStyle", {{"opacity", 0}}}});
  series.push_back({{"type", "line"},
                    {"name", "interval"},
                    {"data", band},
                    {"stack", "band"},
                    {"symbol", "none"},
                    {"lineStyle", {{"opacity", 0}}},
                    {"areaStyle", {{"color", "rgba(59,130,246,0.15)"}}}});
  series.push_back({{"type", "line"},
                    {"name", "forecast"},
                    {"data", mean},
                    {"symbol", "none"},
                    {"lineStyle", {{"type", "dashed"}}},
                    {"itemStyle", {{"color", kChartBlue}}}});
  series.push_back(
      {{"type", "line"},
       {"name", "actual"},
       {"data", actual},
       {"symbol", "none"},
       {"itemStyle", {{"color", kChartGrey}}},
       {"markLine",
        {{"symbol", "none"}, {"data", alerts}, {"lineStyle", {{"color", "#dc2626"}}}}}});
  return {{"title",
           ChartTitle(s.value("name", "?"),
                      fmt::format("{} forecast with its {:.0f}% interval; {} alert(s)", frequency,
                                  100 * s.value("level", 0.0), s["alerts"].size()))},
          {"tooltip", AxisTooltip()},
          {"grid", {{"left", 52}, {"right", 16}, {"top", 56}, {"bottom", 30}}},
          {"xAxis", {{"type", "category"}, {"data", labels}}},
          {"yAxis", UnitAxis("", std::nan(""))},
          {"series", series}};
}

class MonitoringSection : public ReportSection {
 public:
  std::string Id() const override { return "monitoring"; }
  std::string Title() const override { return "Monitoring"; }
  bool Write(const Workspace& ws, const Context&, SectionWriter& out) const override {
    Store& store = ws.store();
    const auto drift = store.ListObjects("drift_report");
    const auto performance = store.ListObjects("performance_report");
    const auto retrains = store.ListObjects("retrain_run");
    const auto kpi = LatestObject(store, "kpi_report");
    if (drift.empty() && performance.empty() && retrains.empty() && !kpi) {
      out.Paragraph(
          "Not run yet in this workspace. Run prospect monitor drift --reference MODEL|TABLE "
          "--current TABLE, prospect monitor performance MODEL --table TABLE, prospect monitor "
          "kpi or prospect retrain MODEL.",
          "notrun");
      return false;
    }
    for (const StoredObject& o : drift) WriteDrift(o, out);
    for (const StoredObject& p : performance) {
      out.Heading(fmt::format("Performance: {} v{}", p.name, p.meta.value("version", 0)));
      out.Paragraph(
          fmt::format("Calibration for the estimate: {}.", p.meta.value("calibration", "?")),
          "muted");
      out.OpenGrid();
      out.Chart(AucOverTimeChart(p.meta));
      out.Chart(ScoreOverTimeChart(p.meta));
      out.CloseGrid();
    }
    if (!retrains.empty()) {
      out.Heading("Retraining");
      std::vector<std::vector<std::string>> rows;
      for (const StoredObject& r : retrains) {
        const json& m = r.meta;
        const json& c = m["comparison"];
        rows.push_back({r.name, r.created_at, m.value("outcome", "?"),
                        fmt::format("v{}", m.value("champion_version", 0)),
                        m["challenger_version"].is_number()
                            ? fmt::format("v{}", m["challenger_version"].get<int64_t>())
                            : "-",
                        c.is_object() ? FixedCell(c["roc_auc"]["auc_a"], 3) : "-",
                        c.is_object() ? FixedCell(c["roc_auc"]["auc_b"], 3) : "-",
                        m.value("reason", "")});
      }
      out.Table({"model", "run at", "outcome", "champion", "challenger", "champion AUC",
                 "challenger AUC", "why"},
                rows);
    }
    if (kpi) {
      const json& k = kpi->meta;
      out.Heading("KPI forecasts");
      std::vector<std::vector<std::string>> alerts;
      for (const json& s : k["series"]) {
        for (const json& a : s["alerts"]) {
          alerts.push_back(
              {s.value("name", "?"), a.value("period", "?"), FixedCell(a["actual"], 1),
               fmt::format("[{}, {}]", FixedCell(a["lower"], 1), FixedCell(a["upper"], 1))});
        }
      }
      out.Paragraph(alerts.empty() ? "No KPI left its forecast interval."
                                   : fmt::format("{} alert(s): an actual value outside its "
                                                 "forecast interval.",
                                                 alerts.size()),
                    alerts.empty() ? "" : "warn");
      if (!alerts.empty()) out.Table({"KPI", "period", "actual", "interval"}, alerts);
      out.OpenGrid();
      for (const json& s : k["series"]) out.Chart(KpiChart(s, k.value("frequency", "")));
      out.CloseGrid();
    }
    return true;
  }
};

}  // namespace

std::unique_ptr<ReportSection> MakeMonitoringSection() {
  return std::make_unique<MonitoringSection>();
}

}  // namespace prospect::report
