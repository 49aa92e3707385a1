// ECharts option builders: plain JSON, styled alike, text drawn on canvas (tooltips in rich-text
// mode) so no table or column name is ever interpreted as HTML.
#include <cmath>

#include <fmt/format.h>

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

json ChartTitle(const std::string& title, const std::string& subtitle) { return Title(title, subtitle); }
json AxisTooltip() { return Tooltip(); }

std::string ShortNumber(double x) {
  if (std::isnan(x)) return "-";
  const double a = std::fabs(x);
  if (a >= 1e9) return fmt::format("{:.3g}G", x / 1e9);
  if (a >= 1e6) return fmt::format("{:.3g}M", x / 1e6);
  if (a >= 1e4) return fmt::format("{:.3g}k", x / 1e3);
  if (a >= 100 || x == std::floor(x)) return fmt::format("{:.0f}", x);
  return fmt::format("{:.3g}", x);
}

json HorizontalBarChart(const std::string& title, const std::string& subtitle, const std::vector<std::string>& categories,
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
          {"grid", {{"left", 10}, {"right", 48}, {"top", subtitle.empty() ? 38 : 52}, {"bottom", 8}, {"containLabel", true}}},
          {"xAxis", x_axis},
          {"yAxis",
           {{"type", "category"},
            {"inverse", true},
            {"data", categories},
            {"axisTick", {{"show", false}}},
            {"axisLabel", {{"color", "#1f2933"}, {"fontSize", 11}, {"width", 150}, {"overflow", "truncate"}}}}},
          {"series",
           json::array({{{"type", "bar"},
                         {"data", data},
                         {"barMaxWidth", 16},
                         {"itemStyle", {{"color", percent ? kMissingColor : kBarColor}, {"borderRadius", 2}}},
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
  return {{"title", Title("Missing values by column", subtitle)},
          {"tooltip", Tooltip()},
          {"grid", {{"left", 10}, {"right", 16}, {"top", 56}, {"bottom", 8}, {"containLabel", true}}},
          {"xAxis",
           {{"type", "category"},
            {"data", columns},
            {"axisTick", {{"show", false}}},
            {"axisLabel",
             {{"color", "#1f2933"}, {"fontSize", 10}, {"rotate", columns.size() > 8 ? 35 : 0}, {"interval", 0},
              {"width", 110}, {"overflow", "truncate"}}}}},
          {"yAxis",
           {{"type", "value"},
            {"max", 100},
            {"splitLine", {{"lineStyle", {{"color", "#eef0f3"}}}}},
            {"axisLabel", {{"color", "#616e7c"}, {"fontSize", 10}, {"formatter", "{value}%"}}}}},
          {"series",
           json::array({{{"type", "bar"},
                         {"data", data},
                         {"barMaxWidth", 28},
                         {"itemStyle", {{"color", kMissingColor}, {"borderRadius", 2}}},
                         {"label", {{"show", true}, {"position", "top"}, {"fontSize", 10}, {"color", "#616e7c"},
                                    {"formatter", "{c}%"}}}}})}};
}

json HistogramChart(const std::string& title, const std::string& subtitle, const Histogram& histogram) {
  json labels = json::array(), data = json::array();
  const bool integer = histogram.rule == "integer";
  for (size_t i = 0; i < histogram.counts.size(); ++i) {
    const double lo = histogram.edges[i], hi = histogram.edges[i + 1];
    labels.push_back(integer ? ShortNumber(lo + 0.5) : ShortNumber(lo) + "–" + ShortNumber(hi));
    data.push_back(histogram.counts[i]);
  }
  return {{"title", Title(title, subtitle)},
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
          {"series",
           json::array({{{"type", "bar"},
                         {"data", data},
                         {"barCategoryGap", "6%"},
                         {"itemStyle", {{"color", kBarColor}}}}})}};
}

}  // namespace prospect::report
