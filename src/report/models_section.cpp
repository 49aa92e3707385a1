// Report sections "Predictive models" (ROC, PR, gains/lift, calibration and confusion-matrix
// charts of each model's production — else latest — version on the rows it held out) and
// "Churn early warning" (risk tiers, value at risk and the top of the at-risk list).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "prospect/common/strings.hpp"
#include "prospect/evaluate/report.hpp"
#include "prospect/models/scoring.hpp"
#include "prospect/models/training.hpp"
#include "report/sections.hpp"

namespace prospect::report {
namespace {

using nlohmann::json;

json RocChart(const MetricsReport& m) {
  return XyChart(
      "ROC curve", fmt::format("ROC-AUC {:.3f} on {} rows", m.roc_auc, m.rows),
      "false positive rate", "true positive rate",
      json::array({LineSeries("model", XyPoints(m.roc.fpr, m.roc.tpr), kChartBlue),
                   LineSeries("chance", json::array({json::array({0, 0}), json::array({1, 1})}),
                              kChartGrey, true)}));
}

json PrChart(const MetricsReport& m) {
  const double base = m.weight > 0 ? m.positives / m.weight : 0;
  return XyChart(
      "Precision–recall",
      fmt::format("PR-AUC (average precision) {:.3f}; base rate {:.3f}", m.average_precision, base),
      "recall", "precision",
      json::array(
          {LineSeries("model", XyPoints(m.pr.recall, m.pr.precision), kChartBlue, false, true),
           LineSeries("base rate", json::array({json::array({0, base}), json::array({1, base})}),
                      kChartGrey, true)}));
}

json GainsChart(const MetricsReport& m) {
  std::vector<double> x = {0}, y = {0};
  size_t rows = 0;
  for (const LiftBin& b : m.lift) {
    rows += b.count;
    x.push_back(m.rows ? static_cast<double>(rows) / static_cast<double>(m.rows) : 0);
    y.push_back(b.cumulative_gain);
  }
  const double top = m.lift.empty() ? 0 : m.lift[0].cumulative_gain;
  return XyChart(
      "Cumulative gains",
      fmt::format("the top 10% of scores hold {:.0f}% of the positives", 100 * top),
      "share of customers contacted (highest scores first)", "share of positives found",
      json::array({LineSeries("model", XyPoints(x, y), kChartBlue),
                   LineSeries("random", json::array({json::array({0, 0}), json::array({1, 1})}),
                              kChartGrey, true)}));
}

json LiftChart(const MetricsReport& m) {
  json labels = json::array(), lift = json::array(), cum = json::array();
  double max = 1;
  for (size_t i = 0; i < m.lift.size(); ++i) {
    labels.push_back(std::to_string(i + 1));
    lift.push_back(std::round(m.lift[i].lift * 100) / 100);
    cum.push_back(std::round(m.lift[i].cumulative_lift * 100) / 100);
    max = std::max({max, m.lift[i].lift, m.lift[i].cumulative_lift});
  }
  return {{"title", ChartTitle("Lift by decile",
                               "response rate of each decile ÷ the overall rate; 1 = random")},
          {"tooltip", {{"trigger", "axis"}, {"renderMode", "richText"}}},
          {"legend", {{"bottom", 0}, {"textStyle", {{"fontSize", 10}}}}},
          {"grid", {{"left", 44}, {"right", 16}, {"top", 56}, {"bottom", 58}}},
          {"xAxis",
           {{"type", "category"},
            {"data", labels},
            {"name", "decile (1 = highest scores)"},
            {"nameLocation", "middle"},
            {"nameGap", 26},
            {"nameTextStyle", {{"color", "#616e7c"}, {"fontSize", 10}}}}},
          {"yAxis", UnitAxis("lift", std::ceil(max))},
          {"series", json::array({{{"type", "bar"},
                                   {"name", "lift"},
                                   {"data", lift},
                                   {"barMaxWidth", 22},
                                   {"itemStyle", {{"color", kChartBlue}}}},
                                  {{"type", "line"},
                                   {"name", "cumulative lift"},
                                   {"data", cum},
                                   {"lineStyle", {{"color", kChartAmber}}},
                                   {"itemStyle", {{"color", kChartAmber}}}}})}};
}

json CalibrationChart(const MetricsReport& m) {
  return XyChart(
      "Calibration",
      "observed positive rate per bin of predicted probability; on the diagonal = calibrated",
      "mean predicted probability", "observed rate",
      json::array({LineSeries("model", XyPoints(m.calibration.prob_pred, m.calibration.prob_true),
                              kChartBlue),
                   LineSeries("perfect", json::array({json::array({0, 0}), json::array({1, 1})}),
                              kChartGrey, true)}));
}

json ConfusionChart(const MetricsReport& m) {
  const ConfusionMatrix& c = m.confusion;
  // Heatmap cells [x = predicted, y = actual, count]; y axis lists actual 1 on top.
  json data = json::array({json::array({0, 0, c.tn}), json::array({1, 0, c.fp}),
                           json::array({0, 1, c.fn}), json::array({1, 1, c.tp})});
  const double max = std::max({c.tn, c.fp, c.fn, c.tp, 1.0});
  return {{"title",
           ChartTitle(fmt::format("Confusion matrix at {:.3g}", m.options.threshold),
                      fmt::format("precision {:.3f} · recall {:.3f} · F1 {:.3f} · accuracy {:.3f}",
                                  m.precision, m.recall, m.f1, m.accuracy))},
          {"tooltip", {{"renderMode", "richText"}}},
          {"grid", {{"left", 70}, {"right", 16}, {"top", 56}, {"bottom", 40}}},
          {"xAxis",
           {{"type", "category"},
            {"data", json::array({"predicted 0", "predicted 1"})},
            {"splitArea", {{"show", true}}}}},
          {"yAxis",
           {{"type", "category"},
            {"data", json::array({"actual 0", "actual 1"})},
            {"splitArea", {{"show", true}}}}},
          {"visualMap",
           {{"min", 0},
            {"max", max},
            {"show", false},
            {"inRange", {{"color", json::array({"#eff6ff", "#3b82f6"})}}}}},
          {"series",
           json::array({{{"type", "heatmap"},
                         {"data", data},
                         {"label", {{"show", true}, {"fontSize", 13}, {"color", "#1f2933"}}}}})}};
}

class ModelsSection : public ReportSection {
 public:
  std::string Id() const override { return "models"; }
  std::string Title() const override { return "Predictive models"; }
  bool Write(const Workspace& ws, const Context& ctx, SectionWriter& out) const override {
    const json list = ListModels(ws.store());
    if (list.empty()) {
      out.Paragraph(
          "Not run yet in this workspace. Train a model with prospect train --table T --target COL "
          "--model "
          "gbdt, then prospect evaluate MODEL.",
          "notrun");
      return false;
    }
    out.Paragraph(
        "Each model's production version (else its latest), scored on the rows it held out at "
        "training "
        "(the whole table when it changed since). Threshold metrics at the F1-maximising "
        "threshold; lift "
        "and gains by decile of score; calibration in 10 equal-width bins. Definitions: "
        "docs/user/metrics.md.",
        "muted");
    for (const auto& entry : list) {
      const std::string name = entry["name"];
      const int64_t version = entry["production_version"].is_null()
                                  ? entry["version"].get<int64_t>()
                                  : entry["production_version"].get<int64_t>();
      try {
        WriteModel(ws, name, version, ctx, out);
      } catch (const Error& e) {
        out.Heading(fmt::format("{} v{}", name, version), "model-" + name);
        out.Paragraph(fmt::format("Could not evaluate this model: {}", e.what()), "notrun");
      }
    }
    return true;
  }

 private:
  static void WriteModel(const Workspace& ws, const std::string& name, int64_t version,
                         const Context& ctx, SectionWriter& out) {
    const ModelPackage model = LoadModel(ws.store(), name, version);
    out.Heading(fmt::format("{} v{} ({}, target {})", name, version, model.meta.value("type", ""),
                            model.target),
                "model-" + name);
    Table table = ws.store().LoadTable(model.table, ctx);
    const std::vector<size_t> held = HeldOutRows(model, table);
    if (!held.empty()) table = table.Take(held);
    const std::vector<double> labels = model.Labels(table), scores = model.Score(table, ctx);
    std::vector<double> y, p;
    for (size_t i = 0; i < labels.size(); ++i) {
      if (!std::isnan(labels[i])) y.push_back(labels[i]), p.push_back(scores[i]);
    }
    MetricsReport first = MetricsReport::Compute(y, p);
    MetricsReportOptions o;
    o.threshold = first.max_f1.threshold;
    const MetricsReport m = MetricsReport::Compute(y, p, {}, o);
    out.Raw("<div class=\"kpis\">" + Kpi(fmt::format("{:.3f}", m.roc_auc), "ROC-AUC") +
            Kpi(fmt::format("{:.3f}", m.average_precision), "PR-AUC") +
            Kpi(fmt::format("{:.4f}", m.log_loss), "log-loss") +
            Kpi(fmt::format("{:.4f}", m.brier), "Brier") +
            Kpi(fmt::format("{:.2f}", m.lift.empty() ? 0.0 : m.lift[0].lift),
                "lift in the top decile") +
            Kpi(fmt::format("{}", m.rows), held.empty() ? "rows (whole table)" : "held-out rows") +
            "</div>\n");
    std::string facts =
        fmt::format("Trained on table {} ({} rows held out), positive class {} = {}.", model.table,
                    m.rows, model.target, model.positive);
    if (model.calibrator)
      facts += fmt::format(" Probabilities calibrated ({}).", model.calibrator->method());
    out.Paragraph(facts, "muted");
    out.OpenGrid();
    out.Chart(RocChart(m), 300);
    out.Chart(PrChart(m), 300);
    out.Chart(GainsChart(m), 300);
    out.Chart(LiftChart(m), 300);
    out.Chart(CalibrationChart(m), 300);
    out.Chart(ConfusionChart(m), 300);
    out.CloseGrid();
    // Global importance (the model's own), top 10.
    const json imp = GlobalImportance(model, nullptr, ctx);
    std::vector<std::string> cols;
    std::vector<double> vals;
    for (const auto& c : imp["columns"]) {
      if (cols.size() == 10) break;
      cols.push_back(c["column"]);
      vals.push_back(std::round(c["importance"].get<double>() * 1000) / 1000);
    }
    out.Chart(
        HorizontalBarChart("What drives the score",
                           std::string(imp["importance_kind"]) + " importance, top 10 columns",
                           cols, vals, false),
        std::max<int>(160, 60 + 22 * static_cast<int>(cols.size())));
  }
};

class ChurnSection : public ReportSection {
 public:
  std::string Id() const override { return "churn"; }
  std::string Title() const override { return "Churn early warning"; }
  bool Write(const Workspace& ws, const Context& ctx, SectionWriter& out) const override {
    const auto objects = ws.store().ListObjects("churn");
    if (objects.empty()) {
      out.Paragraph(
          "Not run yet in this workspace. Run prospect churn (after ingesting orders) for the "
          "at-risk list.",
          "notrun");
      return false;
    }
    for (const auto& o : objects) {
      const json& s = o.meta;
      out.Heading(fmt::format("{} — as of {}", o.name, s.value("as_of", "")), "churn-" + o.name);
      const json& tiers = s["tiers"];
      out.Raw("<div class=\"kpis\">" +
              Kpi(fmt::format("{}", s.value("customers_scored", 0)), "customers scored") +
              Kpi(fmt::format("{}", tiers["high"]["customers"].get<int64_t>()), "high risk") +
              Kpi(fmt::format("{}", tiers["medium"]["customers"].get<int64_t>()), "medium risk") +
              Kpi(ShortNumber(tiers["high"]["value_at_risk"].get<double>()),
                  "annual value at risk (high)") +
              Kpi(fmt::format("{:.3f}", s["training"]["holdout_roc_auc"].get<double>()),
                  "model ROC-AUC (held out)") +
              "</div>\n");
      out.Paragraph(
          fmt::format("Churn = no purchase in the {} days after {}; model {} v{} trained on {} "
                      "customers' profiles as "
                      "of that date ({:.1f}% churned). Tiers: high ≥ {}, medium ≥ {}. Value at "
                      "risk = risk × net "
                      "spend in the last 365 days.",
                      s.value("window_days", 0), s.value("label_date", ""), s.value("model", ""),
                      s.value("version", 0), s["training"]["customers"].get<int64_t>(),
                      100 * s["training"]["churn_rate"].get<double>(),
                      s["thresholds"]["high"].get<double>(),
                      s["thresholds"]["medium"].get<double>()),
          "muted");
      out.OpenGrid();
      std::vector<std::string> names = {"high", "medium", "low"};
      std::vector<double> counts, values;
      for (const auto& t : names) {
        counts.push_back(tiers[t]["customers"].get<double>());
        values.push_back(std::round(tiers[t]["value_at_risk"].get<double>()));
      }
      out.Chart(HorizontalBarChart("Customers by risk tier", "", names, counts, false), 200);
      out.Chart(HorizontalBarChart("Annual value at risk by tier", "Σ risk × last-365-day spend",
                                   names, values, false),
                200);
      out.CloseGrid();
      const std::string table_name = s.value("at_risk_table", "");
      if (!table_name.empty() && ws.store().FindTable(table_name)) {
        const Table t = ws.store().LoadTable(table_name, ctx);
        std::vector<std::vector<std::string>> rows;
        for (size_t r = 0; r < t.num_rows() && r < 15; ++r) {
          std::vector<std::string> row;
          for (const char* c :
               {"churn_risk", "tier", "value", "value_at_risk", "recency_days", "reason_1"}) {
            if (!t.HasColumn(c)) {
              row.push_back("-");
              continue;
            }
            const Column& col = t.column(c);
            if (col.IsNull(r)) {
              row.push_back("-");
            } else if (col.type() == DataType::kDouble) {
              row.push_back(std::string(c) == "churn_risk"
                                ? fmt::format("{:.3f}", col.doubles()[r])
                                : fmt::format("{:.0f}", col.doubles()[r]));
            } else {
              row.push_back(std::string(col.StringAt(r)));
            }
          }
          row.insert(row.begin(), t.column(size_t{0})->FormatValue(r));
          rows.push_back(std::move(row));
        }
        out.Raw(fmt::format("<h4>Top of the at-risk list ({} of {})</h4>\n", rows.size(),
                            t.num_rows()));
        out.Table({t.schema().field(0).name, "risk", "tier", "value", "value at risk",
                   "days since purchase", "main reason"},
                  rows, {false, true, false, true, true, true, false});
      }
    }
    return true;
  }
};

}  // namespace

std::unique_ptr<ReportSection> MakeModelsSection() { return std::make_unique<ModelsSection>(); }
std::unique_ptr<ReportSection> MakeChurnSection() { return std::make_unique<ChurnSection>(); }

}  // namespace prospect::report
