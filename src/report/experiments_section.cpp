// Report section "Experiments": every analysis saved by `prospect experiment analyze`, with the
// sample-ratio check, a results table, a forest plot of relative lifts with intervals, the
// cumulative lift over time (when analysed with --date) and the posterior densities per metric.
#include <fmt/format.h>

#include <algorithm>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/normal.hpp>
#include <cmath>

#include "prospect/experiment/analysis.hpp"
#include "report/sections.hpp"

namespace prospect::report {
namespace {

using nlohmann::json;

// More than this many experiments, timelines or density charts make the page long without
// telling a reader more; the newest are shown.
constexpr size_t kMaxExperiments = 8;
constexpr size_t kMaxTimelines = 6;
constexpr size_t kMaxDensities = 6;
constexpr int kDensityPoints = 121;
constexpr const char* kSignificantColor = "#2563eb";
constexpr const char* kNotSignificantColor = "#9aa5b1";
const char* const kVariantColors[] = {"#616e7c", "#2563eb", "#f59e0b",
                                      "#10b981", "#ef4444", "#8b5cf6"};

double Number(const json& v) { return v.is_number() ? v.get<double>() : std::nan(""); }
std::string G(const json& v, int digits = 4) {
  const double x = Number(v);
  return std::isfinite(x) ? fmt::format("{:.{}g}", x, digits) : "-";
}
std::string Pct(double x) { return std::isfinite(x) ? fmt::format("{:+.2f}%", 100 * x) : "-"; }
std::string PValue(const json& v) {
  const double p = Number(v);
  return !std::isfinite(p) ? "-" : p < 1e-4 ? fmt::format("{:.1e}", p) : fmt::format("{:.4f}", p);
}
// Rounded for the page: charts need 4 significant digits, not 17.
double Round4(double x) {
  return std::isfinite(x) && x != 0 ? std::stod(fmt::format("{:.4g}", x)) : x;
}

json ValueAxis(const std::string& name, bool percent) {
  json axis = {{"type", "value"},
               {"name", name},
               {"nameLocation", "middle"},
               {"nameGap", 26},
               {"nameTextStyle", {{"color", "#616e7c"}, {"fontSize", 11}}},
               {"scale", true},
               {"splitLine", {{"lineStyle", {{"color", "#eef0f3"}}}}},
               {"axisLabel", {{"color", "#616e7c"}, {"fontSize", 10}, {"hideOverlap", true}}}};
  if (percent) axis["axisLabel"]["formatter"] = "{value}%";
  return axis;
}

json ZeroLine(const char* axis) {
  return {{"silent", true},
          {"symbol", "none"},
          {"label", {{"show", false}}},
          {"lineStyle", {{"color", "#616e7c"}, {"type", "dashed"}, {"width", 1}}},
          {"data", json::array({{{axis, 0}}})}};
}

// Relative lift and its interval per (metric, variant): one short line per interval and a dot
// for the estimate, coloured by significance after correction.
json ForestPlot(const json& analysis) {
  std::vector<std::string> labels;
  json series = json::array();
  json dots = json::array();
  for (const auto& m : analysis["metrics"]) {
    for (const auto& c : m["comparisons"]) {
      const std::string label =
          m["metric"].get<std::string>() + ": " + c["variant"].get<std::string>();
      labels.push_back(label);
      const bool significant = c.value("significant", false);
      const char* color = significant ? kSignificantColor : kNotSignificantColor;
      const double low = 100 * Number(c["relative_ci"][0]),
                   high = 100 * Number(c["relative_ci"][1]);
      if (std::isfinite(low) && std::isfinite(high)) {
        series.push_back({{"type", "line"},
                          {"name", label},
                          {"data", json::array({json::array({Round4(low), label}),
                                                json::array({Round4(high), label})})},
                          {"symbol", "none"},
                          {"lineStyle", {{"width", 3}, {"color", color}}},
                          {"tooltip", {{"show", false}}}});
      }
      dots.push_back({{"value", json::array({Round4(100 * Number(c["relative_lift"])), label})},
                      {"itemStyle", {{"color", color}}}});
    }
  }
  json scatter = {{"type", "scatter"},
                  {"name", "relative lift"},
                  {"data", dots},
                  {"symbolSize", 10},
                  {"markLine", ZeroLine("xAxis")}};
  series.push_back(scatter);
  const int level = static_cast<int>(std::lround(100 * (1 - analysis.value("alpha", 0.05))));
  return {
      {"title", ChartTitle("Relative lift against control",
                           fmt::format("{}% intervals; blue = significant after {} correction",
                                       level, analysis.value("correction", std::string("holm"))))},
      {"tooltip", {{"trigger", "item"}, {"renderMode", "richText"}}},
      {"grid", {{"left", 10}, {"right", 30}, {"top", 56}, {"bottom", 34}, {"containLabel", true}}},
      {"xAxis", ValueAxis("relative lift", true)},
      {"yAxis",
       {{"type", "category"},
        {"inverse", true},
        {"data", labels},
        {"axisTick", {{"show", false}}},
        {"axisLabel",
         {{"color", "#1f2933"}, {"fontSize", 11}, {"width", 170}, {"overflow", "truncate"}}}}},
      {"series", series}};
}

// Cumulative absolute lift by day with its fixed-horizon interval and, where computed, the
// always-valid confidence sequence (the one that may be read every day).
json TimelineChart(const std::string& metric, const json& comparison) {
  json days = json::array(), lift = json::array(), low = json::array(), high = json::array(),
       seq_low = json::array(), seq_high = json::array();
  for (const auto& p : comparison["timeline"]) {
    days.push_back(p.contains("date") ? p["date"] : json(std::to_string(p["day"].get<int64_t>())));
    lift.push_back(Round4(Number(p["lift"])));
    low.push_back(Round4(Number(p["ci"][0])));
    high.push_back(Round4(Number(p["ci"][1])));
    seq_low.push_back(Round4(Number(p["confidence_sequence"][0])));
    seq_high.push_back(Round4(Number(p["confidence_sequence"][1])));
  }
  const auto line = [](const std::string& name, const json& data, const char* color,
                       const char* type, int width) {
    return json{{"type", "line"},
                {"name", name},
                {"data", data},
                {"symbol", "none"},
                {"lineStyle", {{"color", color}, {"type", type}, {"width", width}}},
                {"itemStyle", {{"color", color}}}};
  };
  json series = json::array({line("lift", lift, kSignificantColor, "solid", 2),
                             line("interval low", low, kNotSignificantColor, "dashed", 1),
                             line("interval high", high, kNotSignificantColor, "dashed", 1)});
  if (comparison.contains("sequential")) {
    series.push_back(line("always-valid low", seq_low, "#f59e0b", "dotted", 2));
    series.push_back(line("always-valid high", seq_high, "#f59e0b", "dotted", 2));
  }
  series[0]["markLine"] = ZeroLine("yAxis");
  return {
      {"title",
       ChartTitle("Cumulative lift: " + metric + ", " + comparison["variant"].get<std::string>(),
                  "absolute lift with all data up to each day")},
      {"tooltip", AxisTooltip()},
      {"legend", {{"bottom", 0}, {"textStyle", {{"fontSize", 10}}}}},
      {"grid", {{"left", 10}, {"right", 20}, {"top", 56}, {"bottom", 34}, {"containLabel", true}}},
      {"xAxis",
       {{"type", "category"},
        {"data", days},
        {"axisLabel", {{"color", "#616e7c"}, {"fontSize", 10}}}}},
      {"yAxis", ValueAxis("", false)},
      {"series", series}};
}

// One density per variant: the posterior when the analysis was Bayesian, else the normal
// approximation of the mean's sampling distribution (said in the subtitle).
json DensityChart(const json& metric) {
  struct Curve {
    std::string name;
    bool beta = false;
    double a = 0, b = 0, mean = 0, sd = 0;
  };
  std::vector<Curve> curves;
  bool all_posterior = true;
  for (const auto& v : metric["variants"]) {
    Curve c;
    c.name = v["variant"].get<std::string>();
    if (v.contains("posterior")) {
      const json& p = v["posterior"];
      c.beta = p.value("distribution", std::string()) == "beta";
      c.a = p.value("alpha", 0.0);
      c.b = p.value("beta", 0.0);
      c.mean = Number(p["mean"]);
      c.sd = Number(p["sd"]);
    } else {
      all_posterior = false;
      c.mean = Number(v["mean"]);
      c.sd = Number(v["std_error"]);
    }
    if (std::isfinite(c.mean) && std::isfinite(c.sd) && c.sd > 0) curves.push_back(c);
  }
  if (curves.empty()) return nullptr;
  double lo = curves[0].mean, hi = curves[0].mean;
  for (const auto& c : curves) {
    lo = std::min(lo, c.mean - 4.5 * c.sd);
    hi = std::max(hi, c.mean + 4.5 * c.sd);
  }
  json series = json::array();
  for (size_t i = 0; i < curves.size(); ++i) {
    const Curve& c = curves[i];
    json data = json::array();
    for (int k = 0; k < kDensityPoints; ++k) {
      const double x = lo + (hi - lo) * k / (kDensityPoints - 1);
      double density = 0;
      if (c.beta) {
        if (x > 0 && x < 1)
          density = boost::math::pdf(boost::math::beta_distribution<double>(c.a, c.b), x);
      } else {
        density = boost::math::pdf(boost::math::normal_distribution<double>(c.mean, c.sd), x);
      }
      data.push_back(json::array({Round4(x), Round4(density)}));
    }
    const char* color = kVariantColors[i % std::size(kVariantColors)];
    series.push_back({{"type", "line"},
                      {"name", c.name},
                      {"data", data},
                      {"symbol", "none"},
                      {"smooth", true},
                      {"lineStyle", {{"color", color}, {"width", 2}}},
                      {"itemStyle", {{"color", color}}},
                      {"areaStyle", {{"opacity", 0.08}}}});
  }
  return {
      {"title", ChartTitle(metric["metric"].get<std::string>() +
                               (all_posterior ? ": posteriors" : ": sampling distributions"),
                           all_posterior ? "posterior density of each variant's rate or mean"
                                         : "normal approximation of each variant's mean (analyse "
                                           "with --bayesian for posteriors)")},
      {"tooltip", {{"trigger", "axis"}, {"renderMode", "richText"}}},
      {"legend", {{"bottom", 0}, {"textStyle", {{"fontSize", 10}}}}},
      {"grid", {{"left", 10}, {"right", 20}, {"top", 56}, {"bottom", 34}, {"containLabel", true}}},
      {"xAxis", ValueAxis("", false)},
      {"yAxis", {{"type", "value"}, {"show", false}}},
      {"series", series}};
}

void WriteExperiment(const std::string& name, const json& meta, SectionWriter& out) {
  const json& a = meta["analysis"];
  out.Heading(name, "exp-" + name);
  int64_t units = 0;
  for (const auto& [variant, n] : a["srm"]["observed"].items()) units += n.get<int64_t>();
  const bool srm_ok = a["srm"].value("passed", true);
  out.Raw("<div class=\"kpis\">" + Kpi(fmt::format("{}", units), "units") +
          Kpi(fmt::format("{}", a["variants"].size()), "variants") +
          Kpi(fmt::format("{}", a["metrics"].size()), "metrics") +
          Kpi(srm_ok ? "passed" : "MISMATCH",
              "sample ratio (p = " + PValue(a["srm"]["p_value"]) + ")") +
          "</div>\n");
  out.Paragraph(
      fmt::format("Table {}, variants in column {}, control {}; alpha {}, {} correction over every "
                  "metric and "
                  "variant.",
                  meta.value("table", std::string("?")),
                  a.value("variant_column", std::string("?")), a.value("control", std::string("?")),
                  G(a["alpha"]), a.value("correction", std::string("holm"))),
      "muted");
  if (!srm_ok) {
    out.Paragraph(
        "The variants' sizes differ from the planned split more than chance allows: find the cause "
        "before "
        "trusting any result below.",
        "notrun");
  }
  for (const auto& w : a["warnings"]) out.Paragraph("warning: " + w.get<std::string>(), "notrun");

  // The numbers first, for readers who want them exact.
  const bool bayes = !a["metrics"].empty() && !a["metrics"][0]["comparisons"].empty() &&
                     a["metrics"][0]["comparisons"][0].contains("bayesian");
  std::vector<std::string> header = {"metric",        "variant",      "n",
                                     "control",       "variant mean", "lift",
                                     "relative lift", "interval",     "p adjusted"};
  if (bayes) header.push_back("P(beat control)");
  std::vector<std::vector<std::string>> rows;
  for (const auto& m : a["metrics"]) {
    std::string metric = m["metric"].get<std::string>();
    if (m.contains("cuped")) {
      metric += fmt::format(" (CUPED, variance −{:.1f}%)",
                            100 * Number(m["cuped"]["variance_reduction"]));
    }
    if (m.contains("winsorized_at")) metric += " (winsorised at " + G(m["winsorized_at"]) + ")";
    for (const auto& c : m["comparisons"]) {
      std::vector<std::string> row = {
          metric,
          c["variant"].get<std::string>(),
          fmt::format("{}", c["n"].get<int64_t>()),
          G(c["control_mean"], 5),
          G(c["mean"], 5),
          G(c["absolute_lift"]),
          Pct(Number(c["relative_lift"])),
          fmt::format("[{}, {}]", Pct(Number(c["relative_ci"][0])),
                      Pct(Number(c["relative_ci"][1]))),
          PValue(c["p_adjusted"]) + (c.value("significant", false) ? " *" : "")};
      if (bayes)
        row.push_back(c.contains("bayesian") ? G(c["bayesian"]["prob_beat_control"]) : "-");
      rows.push_back(std::move(row));
    }
  }
  std::vector<bool> numeric(header.size(), true);
  numeric[0] = numeric[1] = false;
  out.Table(header, rows, numeric);
  out.Paragraph("* significant after correction. Relative intervals by the delta method.", "muted");

  out.Chart(ForestPlot(a), 90 + 34 * static_cast<int>(rows.size()));
  out.OpenGrid();
  size_t timelines = 0;
  for (const auto& m : a["metrics"]) {
    for (const auto& c : m["comparisons"]) {
      if (c.contains("timeline") && !c["timeline"].empty() && timelines < kMaxTimelines) {
        out.Chart(TimelineChart(m["metric"].get<std::string>(), c), 280);
        ++timelines;
      }
    }
  }
  size_t densities = 0;
  for (const auto& m : a["metrics"]) {
    if (densities >= kMaxDensities) break;
    const json chart = DensityChart(m);
    if (chart.is_null()) continue;
    out.Chart(chart, 260);
    ++densities;
  }
  out.CloseGrid();
}

class ExperimentsSection : public ReportSection {
 public:
  std::string Id() const override { return "experiments"; }
  std::string Title() const override { return "Experiments"; }
  bool Write(const Workspace& ws, const Context&, SectionWriter& out) const override {
    std::vector<StoredObject> saved = ws.store().ListObjects(experiment::kExperimentObjectKind);
    if (saved.empty()) {
      out.Paragraph("A/B test results with lifts, intervals, sample-ratio checks and posteriors.",
                    "muted");
      out.Raw(
          "<p class=\"notrun\">Not run yet in this workspace. Run <code>prospect experiment "
          "analyze --table T "
          "--variant COL --control VALUE --metric COL</code>.</p>\n");
      return false;
    }
    // Newest first.
    std::stable_sort(saved.begin(), saved.end(), [](const StoredObject& x, const StoredObject& y) {
      return x.created_at > y.created_at;
    });
    if (saved.size() > kMaxExperiments) {
      out.Paragraph(fmt::format("The {} most recent of {} analysed experiments.", kMaxExperiments,
                                saved.size()),
                    "muted");
      saved.resize(kMaxExperiments);
    }
    for (const StoredObject& o : saved) WriteExperiment(o.name, o.meta, out);
    return true;
  }
};

}  // namespace

std::unique_ptr<ReportSection> MakeExperimentsSection() {
  return std::make_unique<ExperimentsSection>();
}

}  // namespace prospect::report
