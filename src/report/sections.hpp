// Report sections and chart-spec builders shared by them (private to src/report).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "prospect/quality/quality.hpp"
#include "prospect/report/report.hpp"

namespace prospect::report {

std::unique_ptr<ReportSection> MakeOverviewSection();
std::unique_ptr<ReportSection> MakeDataInSection();
std::unique_ptr<ReportSection> MakeDataQualitySection();
std::unique_ptr<ReportSection> MakeProfilesSection();
std::unique_ptr<ReportSection> MakeSegmentsSection();
std::unique_ptr<ReportSection> MakeExperimentsSection();
std::unique_ptr<ReportSection> MakeModelsSection();  // models_section.cpp
std::unique_ptr<ReportSection> MakeChurnSection();   // models_section.cpp
std::unique_ptr<ReportSection> MakeRecommendationsSection();
std::unique_ptr<ReportSection> MakeTargetingSection();
std::unique_ptr<ReportSection> MakeClvSection();
std::unique_ptr<ReportSection> MakeMonitoringSection();

/// The most recently saved object of `kind` (any name), or nullopt when there is none.
std::optional<StoredObject> LatestObject(Store& store, const std::string& kind);

/// A headline number with its label; wrap several in <div class="kpis">.
std::string Kpi(const std::string& value, const std::string& label);

// --- ECharts options -------------------------------------------------------------------------

/// The report's title block and axis tooltip, for sections that build their own chart options.
nlohmann::json ChartTitle(const std::string& title, const std::string& subtitle);
nlohmann::json AxisTooltip();

/// Horizontal bars, first category on top. `percent` formats the axis and labels as 0–100 %.
nlohmann::json HorizontalBarChart(const std::string& title, const std::string& subtitle,
                                  const std::vector<std::string>& categories,
                                  const std::vector<double>& values, bool percent);
/// Share of missing cells per column as vertical bars (0–100 %), column names under the bars.
nlohmann::json MissingnessChart(const std::string& subtitle,
                                const std::vector<std::string>& columns,
                                const std::vector<double>& missing_pct);
/// A histogram from precomputed bins (edges.size() == counts.size() + 1).
nlohmann::json HistogramChart(const std::string& title, const std::string& subtitle,
                              const Histogram& histogram);

/// Vertical bars, one group per category and one bar per series (series_values[s][c]).
/// `percent` formats the axis and labels as 0–100 % (values given in percent).
nlohmann::json GroupedBarChart(const std::string& title, const std::string& subtitle,
                               const std::vector<std::string>& categories,
                               const std::vector<std::string>& series_names,
                               const std::vector<std::vector<double>>& series_values, bool percent);
/// A heatmap of values[row][column] with a diverging colour scale symmetric around 0, clipped at
/// ±limit; rows listed top to bottom.
nlohmann::json HeatmapChart(const std::string& title, const std::string& subtitle,
                            const std::vector<std::string>& rows,
                            const std::vector<std::string>& columns,
                            const std::vector<std::vector<double>>& values, double limit);
/// A scatter plot with one series (colour) per group: points[g] = {x0, y0, x1, y1, ...}.
nlohmann::json ScatterChart(const std::string& title, const std::string& subtitle,
                            const std::string& x_name, const std::string& y_name,
                            const std::vector<std::string>& groups,
                            const std::vector<std::vector<double>>& points);

/// Colours of the line charts: the model, the reference (random, chance, perfect), a second
/// series.
inline constexpr const char* kChartBlue = "#3b82f6";
inline constexpr const char* kChartGrey = "#9aa5b1";
inline constexpr const char* kChartAmber = "#f59e0b";
/// The i-th colour of a palette that stays distinguishable for up to 10 series (Tableau 10).
const std::string& SeriesColor(size_t i);

/// A value axis named `name` from 0 to `max`; with max = NaN it fits the data (and may go below 0).
nlohmann::json UnitAxis(const std::string& name, double max = 1);
/// [[x0, y0], [x1, y1], ...] rounded to 4 decimals, for a line series.
nlohmann::json XyPoints(const std::vector<double>& x, const std::vector<double>& y);
/// A line series; `dashed` for references, `step` for step functions (precision–recall).
nlohmann::json LineSeries(const std::string& name, nlohmann::json data, const std::string& color,
                          bool dashed = false, bool step = false);
/// Line series over two value axes; both 0–1 unless `fit_y`, which lets the y axis fit the data.
nlohmann::json XyChart(const std::string& title, const std::string& subtitle,
                       const std::string& x_name, const std::string& y_name, nlohmann::json series,
                       bool fit_y = false);

/// A short number for labels (3 significant digits, thousands as k/M).
std::string ShortNumber(double x);
/// A stored number with `decimals` decimals for a table cell; "-" when it is not a number (JSON
/// null: NaN or missing).
std::string FixedCell(const nlohmann::json& v, int decimals);
/// A count with its thousands grouped: 34,564.
std::string GroupedCount(int64_t n);

}  // namespace prospect::report
