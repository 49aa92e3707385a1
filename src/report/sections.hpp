// Report sections and chart-spec builders shared by them (private to src/report).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "prospect/quality/quality.hpp"
#include "prospect/report/report.hpp"

namespace prospect::report {

std::unique_ptr<ReportSection> MakeDataInSection();
std::unique_ptr<ReportSection> MakeDataQualitySection();
std::unique_ptr<ReportSection> MakeModelsSection();  // models_section.cpp
std::unique_ptr<ReportSection> MakeChurnSection();   // models_section.cpp
/// A capability whose report section is not built yet: says how to run it. When `table` (a store
/// table) or `object_kind` (a store object kind) exists, it says results exist instead.
std::unique_ptr<ReportSection> MakePlaceholderSection(std::string id, std::string title, std::string what,
                                                      std::string command, std::string table = "",
                                                      std::string object_kind = "");

// --- ECharts options -------------------------------------------------------------------------

/// Horizontal bars, first category on top. `percent` formats the axis and labels as 0–100 %.
nlohmann::json HorizontalBarChart(const std::string& title, const std::string& subtitle,
                                  const std::vector<std::string>& categories, const std::vector<double>& values,
                                  bool percent);
/// Share of missing cells per column as vertical bars (0–100 %), column names under the bars.
nlohmann::json MissingnessChart(const std::string& subtitle, const std::vector<std::string>& columns,
                                const std::vector<double>& missing_pct);
/// A histogram from precomputed bins (edges.size() == counts.size() + 1).
nlohmann::json HistogramChart(const std::string& title, const std::string& subtitle, const Histogram& histogram);

/// A short number for labels (3 significant digits, thousands as k/M).
std::string ShortNumber(double x);

}  // namespace prospect::report
