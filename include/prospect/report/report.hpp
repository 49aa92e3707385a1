// The HTML report: one self-contained file (ECharts inlined, no network links) with a section per
// capability. A capability adds its section by implementing ReportSection and adding one line to
// src/report/register.cpp. Charts are ECharts options built as JSON in C++ and embedded in the
// page.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/workspace/workspace.hpp"

namespace prospect::report {

/// The bytes of ECharts' echarts.min.js (from web/node_modules), embedded at build time.
std::string_view EchartsJs();

/// Escapes & < > " ' for HTML text and attribute values.
std::string HtmlEscape(std::string_view text);

/// Collects one section's markup and charts. Text given to Paragraph/Table/Heading is escaped;
/// Raw() is for markup the section built itself (escape every value in it with HtmlEscape).
class SectionWriter {
 public:
  /// `charts` is the page-wide list of chart options; chart i is drawn into element "chart-i".
  explicit SectionWriter(std::vector<nlohmann::json>* charts) : charts_(charts) {}

  void Raw(std::string_view html) { html_ += html; }
  void Heading(std::string_view text, std::string_view anchor = "");  ///< an <h3>
  void Paragraph(std::string_view text, std::string_view css_class = "");
  /// A table of text cells (all escaped). `numeric_columns[i]` right-aligns column i.
  void Table(const std::vector<std::string>& header,
             const std::vector<std::vector<std::string>>& rows,
             const std::vector<bool>& numeric_columns = {});
  /// A chart: an ECharts option object. Returns the chart's element id. Animation is turned off
  /// so the page prints and screenshots as it looks.
  std::string Chart(const nlohmann::json& option, int height_px = 260);
  /// Charts between OpenGrid and CloseGrid are laid out side by side.
  void OpenGrid() { html_ += "<div class=\"grid\">\n"; }
  void CloseGrid() { html_ += "</div>\n"; }

  const std::string& html() const { return html_; }
  size_t chart_count() const { return chart_count_; }

 private:
  std::vector<nlohmann::json>* charts_;
  std::string html_;
  size_t chart_count_ = 0;
};

/// One capability's part of the report.
class ReportSection {
 public:
  virtual ~ReportSection() = default;
  /// Anchor id: lower-case letters, digits and dashes ("data-quality").
  virtual std::string Id() const = 0;
  /// Heading shown in the page and the table of contents ("Data quality").
  virtual std::string Title() const = 0;
  /// Writes the section body. Returns false when the capability has not run in this workspace
  /// (the section should then say how to run it); true when it wrote results.
  virtual bool Write(const Workspace& ws, const Context& ctx, SectionWriter& out) const = 0;
  /// False for a capability this version does not have yet (its badge then says so).
  virtual bool Available() const { return true; }
};

/// The report's sections in page order (src/report/register.cpp, one line per section).
std::vector<std::unique_ptr<ReportSection>> RegisteredSections();

struct ReportOptions {
  std::string title = "prospect report";
  /// Shown in the header. The library never reads the clock: the caller passes the time.
  std::string generated_at;
};

/// What a written report holds.
struct ReportSummary {
  std::string path;
  size_t sections = 0;
  size_t sections_with_results = 0;
  size_t charts = 0;
  size_t bytes = 0;
};

/// The sections rendered once, as markup and chart options: the static report embeds them in its
/// page, and the live dashboard (`prospect serve`, GET /v1/dashboard) sends them as JSON. A
/// section that fails shows its error in its place; the others still render.
struct RenderedSections {
  std::string workspace;               ///< the workspace folder's name, for the page header
  std::string contents_html;           ///< the table of contents' <li> entries
  std::string sections_html;           ///< one <section class="cap"> per section, in order
  std::vector<nlohmann::json> charts;  ///< chart i is drawn into the element "chart-i"
  /// Per section {id, title, status}: "results", "not run yet", "not available yet" or "error".
  nlohmann::json sections = nlohmann::json::array();
  size_t sections_with_results = 0;
  /// {workspace, sections, contents_html, sections_html, charts}: what /v1/dashboard returns.
  nlohmann::json ToJson() const;
};

RenderedSections RenderSections(const Workspace& ws,
                                const std::vector<std::unique_ptr<ReportSection>>& sections,
                                const Context& ctx);

/// The live dashboard's page (what `prospect serve` answers at /): the report's layout and chart
/// library, and no data. In the browser it takes an API key (from "#key=…" in its address, which
/// never reaches a server or its logs, or from a form), fetches RenderSections' JSON from
/// v1/dashboard and draws it; its Refresh button fetches again.
std::string DashboardPage();

/// The whole page as one HTML string, with the given sections in order.
std::string RenderReport(const Workspace& ws,
                         const std::vector<std::unique_ptr<ReportSection>>& sections,
                         const ReportOptions& options, const Context& ctx,
                         ReportSummary* summary = nullptr);

/// Renders RegisteredSections() and writes the file (kIo if it cannot be written).
ReportSummary WriteReport(const Workspace& ws, const std::string& path,
                          const ReportOptions& options, const Context& ctx);

}  // namespace prospect::report
