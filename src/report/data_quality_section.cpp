// Report section "Data quality": for each workspace table, its size, missingness per column,
// a column overview, the findings, histograms of numeric columns and top categories.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "prospect/common/strings.hpp"
#include "prospect/quality/quality.hpp"
#include "report/sections.hpp"

namespace prospect::report {
namespace {

// Beyond this many distribution charts per table the page gets slow to read and to draw.
constexpr size_t kMaxDistributionCharts = 36;
// One height for every distribution chart keeps the grid's rows even (fits ten category bars).
constexpr int kDistributionChartHeight = 290;

std::string Fixed(double x) { return std::isnan(x) ? "-" : fmt::format("{:.4g}", x); }

void WriteTable(const QualityReport& r, SectionWriter& out) {
  out.Heading(r.table, "dq-" + r.table);
  size_t with_missing = 0, warnings = 0;
  for (const auto& c : r.columns) with_missing += c.missing > 0;
  for (const auto& f : r.findings) warnings += f.severity == "warning";
  out.Raw("<div class=\"kpis\">" + Kpi(fmt::format("{}", r.rows), "rows") +
          Kpi(fmt::format("{}", r.columns.size()), "columns") +
          Kpi(fmt::format("{}", r.duplicate_rows), "duplicate rows") +
          (r.key ? Kpi(fmt::format("{}", r.duplicate_keys), "duplicate keys (" + *r.key + ")")
                 : std::string()) +
          Kpi(fmt::format("{}", with_missing), "columns with missing values") +
          Kpi(fmt::format("{}", warnings), "warnings") + "</div>\n");

  // Findings first: they are what a reader should act on.
  out.Raw("<h4>Findings</h4>\n");
  if (r.findings.empty()) {
    out.Paragraph("No missing values, duplicates, sentinel codes or inconsistent spellings found.",
                  "muted");
  } else {
    std::string list = "<ul class=\"findings\">\n";
    for (const auto& f : r.findings) {
      list += fmt::format("<li class=\"{}\"><span class=\"sev\">{}</span>{}",
                          HtmlEscape(f.severity), HtmlEscape(f.severity), HtmlEscape(f.message));
      if (!f.suggestion.empty())
        list += fmt::format("<span class=\"fix\">→ {}</span>", HtmlEscape(f.suggestion));
      list += "</li>\n";
    }
    out.Raw(list + "</ul>\n");
  }

  out.Raw("<h4>Missing values</h4>\n");
  std::vector<std::string> names;
  std::vector<double> pct;
  for (const auto& c : r.columns) {
    names.push_back(c.name);
    pct.push_back(c.missing_pct);
  }
  out.Chart(MissingnessChart(with_missing ? fmt::format("{} of {} columns have missing values",
                                                        with_missing, names.size())
                                          : "no missing values in any column",
                             names, pct),
            names.size() > 8 ? 250 : 200);

  out.Raw("<h4>Columns</h4>\n");
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : r.columns) {
    std::string summary, lo, mid, hi, mean;
    if (c.numeric && c.numeric->count > 0) {
      lo = Fixed(c.numeric->min);
      mid = Fixed(c.numeric->quantiles[3]);
      hi = Fixed(c.numeric->max);
      mean = Fixed(c.numeric->mean);
      summary = fmt::format("std {}; {} IQR outliers, {} with |z|>3", Fixed(c.numeric->std),
                            c.numeric->iqr_outliers, c.numeric->z_outliers);
    } else if (!c.min_text.empty()) {
      lo = c.min_text;
      hi = c.max_text;
    } else if (!c.top.empty()) {
      std::vector<std::string> top;
      for (size_t i = 0; i < c.top.size() && i < 3; ++i)
        top.push_back(fmt::format("{} ({})", c.top[i].value, c.top[i].count));
      summary = Join(top, ", ");
    }
    rows.push_back({c.name, std::string(DataTypeName(c.type)),
                    fmt::format("{:.1f}%", c.missing_pct), fmt::format("{}", c.distinct), lo, mid,
                    hi, mean, summary});
  }
  out.Table({"column", "type", "missing", "distinct", "min", "median", "max", "mean", "notes"},
            rows, {false, false, true, true, true, true, true, true, false});

  out.Raw("<h4>Distributions</h4>\n");
  out.OpenGrid();
  size_t drawn = 0, skipped = 0;
  for (const auto& c : r.columns) {
    const bool has_hist = c.numeric && !c.numeric->histogram.counts.empty();
    if (!has_hist && c.top.empty()) continue;
    if (drawn == kMaxDistributionCharts) {
      ++skipped;
      continue;
    }
    ++drawn;
    if (has_hist) {
      const Histogram& h = c.numeric->histogram;
      const char* rule = h.rule == "freedman-diaconis" ? "Freedman–Diaconis"
                         : h.rule == "sqrt"            ? "square-root rule"
                         : h.rule == "integer"         ? "one bar per value"
                                                       : "single value";
      const int64_t tails = h.below + h.above;
      out.Chart(
          HistogramChart(
              c.name,
              fmt::format("n = {} · {} bins ({}) · {:.1f}% missing{}", c.numeric->count,
                          h.counts.size(), rule, c.missing_pct,
                          tails > 0 ? fmt::format(" · {} values in clipped tails (amber)", tails)
                                    : std::string()),
              h),
          kDistributionChartHeight);
    } else {
      std::vector<std::string> cats;
      std::vector<double> counts;
      for (const auto& vc : c.top) {
        cats.push_back(vc.value.empty() ? "(empty text)" : vc.value);
        counts.push_back(static_cast<double>(vc.count));
      }
      out.Chart(HorizontalBarChart(c.name,
                                   fmt::format("top {} of {} distinct · {:.1f}% missing",
                                               c.top.size(), c.distinct, c.missing_pct),
                                   cats, counts, false),
                kDistributionChartHeight);
    }
  }
  out.CloseGrid();
  if (skipped > 0) {
    out.Paragraph(fmt::format("{} more columns not drawn; run prospect quality {} for all of them.",
                              skipped, r.table),
                  "muted");
  }
}

class DataQualitySection : public ReportSection {
 public:
  std::string Id() const override { return "data-quality"; }
  std::string Title() const override { return "Data quality"; }
  bool Write(const Workspace& ws, const Context& ctx, SectionWriter& out) const override {
    // Only what people loaded: derived tables (profiles, scores, segments) are checked where
    // they are made, and repeating them here buries the findings a person can act on.
    std::vector<TableInfo> tables;
    std::vector<std::string> derived;
    for (auto& t : ws.store().ListTables()) {
      if (ws.store().IngestHistory(t.name).empty()) {
        derived.push_back(t.name);
      } else {
        tables.push_back(std::move(t));
      }
    }
    if (tables.empty()) {
      out.Paragraph(
          "Not run yet in this workspace: no table was ingested. Load one with prospect ingest "
          "NAME FILE.csv, then prospect quality NAME.",
          "notrun");
      return false;
    }
    out.Paragraph(
        "Per column: missing values, distinct counts, ranges and quantiles (linear interpolation, "
        "as "
        "pandas), IQR and z-score outliers, top categories; per table: duplicate rows and keys. "
        "Histogram "
        "bins follow the Freedman–Diaconis rule (square-root rule when the IQR is 0; one bar per "
        "value for "
        "small integer ranges).",
        "muted");
    std::string links;
    for (const auto& t : tables) {
      links += fmt::format("<a href=\"#dq-{}\"><code>{}</code></a> ", HtmlEscape(t.name),
                           HtmlEscape(t.name));
    }
    out.Raw("<p>Ingested tables: " + links + "</p>\n");
    if (!derived.empty()) {
      out.Paragraph(
          fmt::format("Not shown, as prospect derived them from those: {}.", Join(derived, ", ")),
          "muted");
    }
    for (const auto& info : tables) {
      const Table t = ws.store().LoadTable(info.name, ctx);
      QualityOptions options;
      options.key = info.key;
      if (options.key && !t.HasColumn(*options.key)) options.key.reset();
      WriteTable(ComputeQualityReport(t, info.name, options, ctx), out);
    }
    return true;
  }
};

}  // namespace

std::unique_ptr<ReportSection> MakeDataQualitySection() {
  return std::make_unique<DataQualitySection>();
}

}  // namespace prospect::report
