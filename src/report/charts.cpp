// ECharts option builders: plain JSON, styled alike, text drawn on canvas (tooltips in rich-text
// mode) so no table or column name is ever interpreted as HTML.
#include <fmt/format.h>

#include <cmath>

#include "report/sections.hpp"

namespace prospect::report {
namespace {

using nlohmann::json;

constexpr const char* kBarColor = "#3b82f6";
constexpr const char* kMissingColor = "#f59e0b";

json Title(const std::string& title, const std::string& subtitle) {
  return {{"text", title},
          {"subtext", subtitle},
          {"left", 10},
          {"top", 6},
          {"textStyle", {{"fontSize", 13}, {"fontWeight", 600}, {"color", "#1f2933"}}},
          {"subtextStyle", {{"fontSize", 11}, {"color", "#616e7c"}}}};
}

json Tooltip() {
  return {{"trigger", "axis"}, {"renderMode", "richText"}, {"axisPointer", {{"type", "shadow"}}}};
}

}  // namespace

json ChartTitle(const std::string& title, const std::string& subtitle) {
  return Title(title, subtitle);
}
json AxisTooltip() { return Tooltip(); }

std::string FixedCell(const nlohmann::json& v, int decimals) {
  return v.is_number() ? fmt::format("{:.{}f}", v.get<double>(), decimals) : "-";
}

std::string ShortNumber(double x) {
  if (std::isnan(x)) return "-";
  const double a = std::fabs(x);
  if (a >= 1e9) return fmt::format("{:.3g}G", x / 1e9);
  if (a >= 1e6) return fmt::format("{:.3g}M", x / 1e6);
  if (a >= 1e4) return fmt::format("{:.3g}k", x / 1e3);
  if (a >= 100 || x == std::floor(x)) return fmt::format("{:.0f}", x);
  return fmt::format("{:.3g}", x);
}

std::string GroupedCount(int64_t n) {
  const std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out = n < 0 ? "-" : "";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

json HorizontalBarChart(const std::string& title, const std::string& subtitle,
                        const std::vector<std::string>& categories,
                        const std::vector<double>& values, bool percent) {
  json data = json::array();
  for (double v : values) data.push_back(percent ? std::round(v * 100) / 100 : v);
  json x_axis = {{"type", "value"},
                 {"splitNumber", 3},
                 {"splitLine", {{"lineStyle", {{"color", "#eef0f3"}}}}},
                 {"axisLabel", {{"color", "#616e7c"}, {"fontSize", 10}, {"hideOverlap", true}}}};
  if (percent) {
    x_axis["max"] = 100;
    x_axis["axisLabel"]["formatter"] = "{value}%";
  }
  return {{"title", Title(title, subtitle)},
          {"tooltip", Tooltip()},
          {"grid",
           {{"left", 10},
            {"right", 48},
            {"top", subtitle.empty() ? 38 : 52},
            {"bottom", 8},
            {"containLabel", true}}},
          {"xAxis", x_axis},
          {"yAxis",
           {{"type", "category"},
            {"inverse", true},
            {"data", categories},
            {"axisTick", {{"show", false}}},
            {"axisLabel",
             {{"color", "#1f2933"}, {"fontSize", 11}, {"width", 150}, {"overflow", "truncate"}}}}},
          {"series",
           json::array({{{"type", "bar"},
                         {"data", data},
                         {"barMaxWidth", 16},
                         {"itemStyle",
                          {{"color", percent ? kMissingColor : kBarColor}, {"borderRadius", 2}}},
                         {"label",
                          {{"show", true},
                           {"position", "right"},
                           {"fontSize", 10},
                           {"color", "#616e7c"},
                           {"formatter", percent ? "{c}%" : "{c}"}}}}})}};
}

json MissingnessChart(const std::string& subtitle, const std::vector<std::string>& columns,
                      const std::vector<double>& missing_pct) {
  json data = json::array();
  for (double v : missing_pct) data.push_back(std::round(v * 100) / 100);
  return {
      {"title", Title("Missing values by column", subtitle)},
      {"tooltip", Tooltip()},
      {"grid", {{"left", 10}, {"right", 16}, {"top", 56}, {"bottom", 8}, {"containLabel", true}}},
      {"xAxis",
       {{"type", "category"},
        {"data", columns},
        {"axisTick", {{"show", false}}},
        {"axisLabel",
         {{"color", "#1f2933"},
          {"fontSize", 10},
          {"rotate", columns.size() > 8 ? 35 : 0},
          {"interval", 0},
          {"width", 110},
          {"overflow", "truncate"}}}}},
      {"yAxis",
       {{"type", "value"},
        {"max", 100},
        {"splitLine", {{"lineStyle", {{"color", "#eef0f3"}}}}},
        {"axisLabel", {{"color", "#616e7c"}, {"fontSize", 10}, {"formatter", "{value}%"}}}}},
      {"series", json::array({{{"type", "bar"},
                               {"data", data},
                               {"barMaxWidth", 28},
                               {"itemStyle", {{"color", kMissingColor}, {"borderRadius", 2}}},
                               {"label",
                                {{"show", true},
                                 {"position", "top"},
                                 {"fontSize", 10},
                                 {"color", "#616e7c"},
                                 {"formatter", "{c}%"}}}}})}};
}

json HistogramChart(const std::string& title, const std::string& subtitle,
                    const Histogram& histogram) {
  json labels = json::array(), data = json::array();
  const bool integer = histogram.rule == "integer";
  // A clipped tail is one amber bar at its end of the axis, labelled with where it starts.
  const json tail_style = {{"color", kChartAmber}};
  if (histogram.below > 0) {
    labels.push_back("< " + ShortNumber(histogram.edges.front()));
    data.push_back({{"value", histogram.below}, {"itemStyle", tail_style}});
  }
  for (size_t i = 0; i < histogram.counts.size(); ++i) {
    const double lo = histogram.edges[i], hi = histogram.edges[i + 1];
    labels.push_back(integer ? ShortNumber(lo + 0.5) : ShortNumber(lo) + "–" + ShortNumber(hi));
    data.push_back(histogram.counts[i]);
  }
  if (histogram.above > 0) {
    labels.push_back("> " + ShortNumber(histogram.edges.back()));
    data.push_back({{"value", histogram.above}, {"itemStyle", tail_style}});
  }
  return {
      {"title", Title(title, subtitle)},
      {"tooltip", Tooltip()},
      {"grid", {{"left", 10}, {"right", 16}, {"top", 56}, {"bottom", 8}, {"containLabel", true}}},
      {"xAxis",
       {{"type", "category"},
        {"data", labels},
        {"axisTick", {{"alignWithLabel", true}}},
        {"axisLabel", {{"color", "#616e7c"}, {"fontSize", 10}, {"hideOverlap", true}}}}},
      {"yAxis",
       {{"type", "value"},
        {"splitLine", {{"lineStyle", {{"color", "#eef0f3"}}}}},
        {"axisLabel", {{"color", "#616e7c"}, {"fontSize", 10}}}}},
      {"series", json::array({{{"type", "bar"},
                               {"data", data},
                               {"barCategoryGap", "6%"},
                               {"itemStyle", {{"color", kBarColor}}}}})}};
}

static const std::vector<std::string>& Palette() {
  static const std::vector<std::string> kColors = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2",
                                                   "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
                                                   "#9c755f", "#bab0ac"};
  return kColors;
}

const std::string& SeriesColor(size_t i) { return Palette()[i % Palette().size()]; }

json UnitAxis(const std::string& name, double max) {
  json axis = {{"type", "value"},
               {"name", name},
               {"nameLocation", "middle"},
               {"nameGap", 26},
               {"nameTextStyle", {{"color", "#616e7c"}, {"fontSize", 10}}},
               {"splitLine", {{"lineStyle", {{"color", "#eef0f3"}}}}},
               {"axisLabel", {{"color", "#616e7c"}, {"fontSize", 10}}}};
  if (!std::isnan(max)) {
    axis["min"] = 0;
    axis["max"] = max;
  } else {
    axis["scale"] = true;
  }
  return axis;
}

json XyPoints(const std::vector<double>& x, const std::vector<double>& y) {
  json out = json::array();
  for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
    out.push_back({std::round(x[i] * 1e4) / 1e4, std::round(y[i] * 1e4) / 1e4});
  }
  return out;
}

json LineSeries(const std::string& name, json data, const std::string& color, bool dashed,
                bool step) {
  json s = {{"type", "line"},
            {"name", name},
            {"data", std::move(data)},
            {"showSymbol", false},
            {"smooth", false},
            {"lineStyle", {{"color", color}, {"width", dashed ? 1 : 2}}},
            {"itemStyle", {{"color", color}}}};
  if (dashed) s["lineStyle"]["type"] = "dashed";
  if (step) s["step"] = "end";
  return s;
}

json XyChart(const std::string& title, const std::string& subtitle, const std::string& x_name,
             const std::string& y_name, json series, bool fit_y) {
  json y_axis = UnitAxis(y_name, fit_y ? std::nan("") : 1.0);
  if (fit_y) y_axis["nameGap"] = 40;
  return {{"title", Title(title, subtitle)},
          {"tooltip", {{"trigger", "axis"}, {"renderMode", "richText"}}},
          {"legend", {{"type", "scroll"}, {"bottom", 0}, {"textStyle", {{"fontSize", 10}}}}},
          {"grid", {{"left", fit_y ? 56 : 44}, {"right", 16}, {"top", 56}, {"bottom", 58}}},
          {"xAxis", UnitAxis(x_name)},
          {"yAxis", std::move(y_axis)},
          {"series", std::move(series)}};
}

json GroupedBarChart(const std::string& title, const std::string& subtitle,
                     const std::vector<std::string>& categories,
                     const std::vector<std::string>& series_names,
                     const std::vector<std::vector<double>>& series_values, bool percent) {
  json series = json::array();
  // Labels on every bar only while they fit; the tooltip has the values either way.
  const bool labels = series_names.size() * categories.size() <= 24;
  for (size_t s = 0; s < series_names.size(); ++s) {
    json data = json::array();
    for (double v : series_values[s])
      data.push_back(std::isnan(v) ? json() : json(std::round(v * 10) / 10));
    series.push_back(
        {{"type", "bar"},
         {"name", series_names[s]},
         {"data", data},
         {"barMaxWidth", 22},
         {"itemStyle", {{"color", Palette()[s % Palette().size()]}, {"borderRadius", 2}}},
         {"label",
          {{"show", labels},
           {"position", "top"},
           {"fontSize", 9},
           {"color", "#616e7c"},
           {"formatter", percent ? "{c}%" : "{c}"}}}});
  }
  json y_axis = {{"type", "value"},
                 {"splitLine", {{"lineStyle", {{"color", "#eef0f3"}}}}},
                 {"axisLabel", {{"color", "#616e7c"}, {"fontSize", 10}}}};
  if (percent) y_axis["axisLabel"]["formatter"] = "{value}%";
  return {
      {"title", Title(title, subtitle)},
      {"tooltip", Tooltip()},
      {"legend", {{"type", "scroll"}, {"bottom", 0}, {"textStyle", {{"fontSize", 11}}}}},
      {"grid", {{"left", 10}, {"right", 16}, {"top", 56}, {"bottom", 28}, {"containLabel", true}}},
      {"xAxis",
       {{"type", "category"},
        {"data", categories},
        {"axisTick", {{"show", false}}},
        {"axisLabel",
         {{"color", "#1f2933"},
          {"fontSize", 10},
          {"interval", 0},
          {"rotate", categories.size() > 6 ? 25 : 0},
          {"width", 110},
          {"overflow", "truncate"}}}}},
      {"yAxis", y_axis},
      {"series", series}};
}

json HeatmapChart(const std::string& title, const std::string& subtitle,
                  const std::vector<std::string>& rows, const std::vector<std::string>& columns,
                  const std::vector<std::vector<double>>& values, double limit) {
  json data = json::array();
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t c = 0; c < columns.size(); ++c) {
      const double v = values[r][c];
      data.push_back(json::array({c, r, std::isnan(v) ? json() : json(std::round(v * 100) / 100)}));
    }
  }
  return {
      {"title", Title(title, subtitle)},
      {"tooltip", {{"trigger", "item"}, {"renderMode", "richText"}}},
      {"grid", {{"left", 10}, {"right", 16}, {"top", 56}, {"bottom", 48}, {"containLabel", true}}},
      {"xAxis",
       {{"type", "category"},
        {"data", columns},
        {"splitArea", {{"show", true}}},
        {"axisLabel",
         {{"color", "#1f2933"},
          {"fontSize", 10},
          {"interval", 0},
          {"rotate", 35},
          {"width", 120},
          {"overflow", "truncate"}}}}},
      {"yAxis",
       {{"type", "category"},
        {"data", rows},
        {"inverse", true},
        {"splitArea", {{"show", true}}},
        {"axisLabel",
         {{"color", "#1f2933"}, {"fontSize", 11}, {"width", 140}, {"overflow", "truncate"}}}}},
      {"visualMap",
       {{"min", -limit},
        {"max", limit},
        {"calculable", true},
        {"orient", "horizontal"},
        {"left", "center"},
        {"bottom", 0},
        {"itemHeight", 120},
        {"textStyle", {{"fontSize", 10}}},
        {"inRange", {{"color", json::array({"#2166ac", "#f7f7f7", "#b2182b"})}}}}},
      {"series",
       json::array(
           {{{"type", "heatmap"},
             {"data", data},
             {"label", {{"show", columns.size() <= 12}, {"fontSize", 9}}},
             {"emphasis", {{"itemStyle", {{"borderColor", "#1f2933"}, {"borderWidth", 1}}}}}}})}};
}

json ScatterChart(const std::string& title, const std::string& subtitle, const std::string& x_name,
                  const std::string& y_name, const std::vector<std::string>& groups,
                  const std::vector<std::vector<double>>& points) {
  json series = json::array();
  for (size_t g = 0; g < groups.size(); ++g) {
    json data = json::array();
    for (size_t i = 0; i + 1 < points[g].size(); i += 2) {
      data.push_back(json::array(
          {std::round(points[g][i] * 1000) / 1000, std::round(points[g][i + 1] * 1000) / 1000}));
    }
    series.push_back(
        {{"type", "scatter"},
         {"name", groups[g]},
         {"data", data},
         {"symbolSize", 4},
         {"itemStyle", {{"color", Palette()[g % Palette().size()]}, {"opacity", 0.6}}}});
  }
  auto axis = [](const std::string& name) {
    return json{{"type", "value"},
                {"name", name},
                {"nameLocation", "middle"},
                {"nameGap", 24},
                {"nameTextStyle", {{"fontSize", 11}, {"color", "#616e7c"}}},
                {"scale", true},
                {"splitLine", {{"lineStyle", {{"color", "#eef0f3"}}}}},
                {"axisLabel", {{"color", "#616e7c"}, {"fontSize", 10}}}};
  };
  return {
      {"title", Title(title, subtitle)},
      {"tooltip", {{"trigger", "item"}, {"renderMode", "richText"}}},
      {"legend", {{"top", 8}, {"right", 10}, {"textStyle", {{"fontSize", 11}}}}},
      {"grid", {{"left", 36}, {"right", 16}, {"top", 64}, {"bottom", 36}, {"containLabel", true}}},
      {"xAxis", axis(x_name)},
      {"yAxis", axis(y_name)},
      {"series", series}};
}

}  // namespace prospect::report
