// Report section "Customer profiles": the size of the profiles table and the distributions of
// its key features (RFM, order value, tenure, activity), as histograms and a summary table.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "prospect/features/profile.hpp"
#include "prospect/quality/quality.hpp"
#include "report/sections.hpp"

namespace prospect::report {
namespace {

// The features a marketer looks at first, in this order (those present are drawn).
const std::vector<std::string> kKeyFeatures = {
    "recency_days",    "frequency",      "monetary",
    "avg_order_value", "tenure_days",    "interpurchase_days_mean",
    "events_total",    "distinct_items", "trend_30d"};
// Histograms show values up to this quantile; the long tail of spend would squash the rest.
constexpr double kDrawnQuantile = 0.99;

std::string Num(double x) { return std::isnan(x) ? "-" : fmt::format("{:.4g}", x); }

class ProfilesSection : public ReportSection {
 public:
  std::string Id() const override { return "profiles"; }
  std::string Title() const override { return "Customer profiles"; }
  bool Write(const Workspace& ws, const Context& ctx, SectionWriter& out) const override {
    if (!ws.store().FindTable(kProfilesTable)) {
      out.Paragraph("RFM, tenure, activity windows and trends per customer, as of a date.",
                    "muted");
      out.Raw(
          "<p class=\"notrun\">Not run yet in this workspace. Run <code>prospect "
          "profile</code>.</p>\n");
      return false;
    }
    const Table t = ws.store().LoadTable(kProfilesTable, ctx);
    out.Paragraph(
        "One row per customer, computed as of a date from orders and events (definitions: "
        "docs/user/profile.md). Histograms show values up to the 99th percentile; the table gives "
        "the "
        "whole range.",
        "muted");
    size_t buyers = 0;
    const bool has_frequency = t.HasColumn("frequency");
    if (has_frequency) {
      for (size_t r = 0; r < t.num_rows(); ++r) buyers += t.column("frequency").NumericAt(r) > 0;
    }
    out.Raw("<div class=\"kpis\">" + Kpi(fmt::format("{}", t.num_rows()), "customers") +
            Kpi(fmt::format("{}", t.num_columns()), "columns") +
            (has_frequency
                 ? Kpi(fmt::format("{:.1f}%", t.num_rows() ? 100.0 * static_cast<double>(buyers) /
                                                                 static_cast<double>(t.num_rows())
                                                           : 0.0),
                       "have bought")
                 : std::string()) +
            "</div>\n");

    std::vector<std::vector<std::string>> rows;
    out.OpenGrid();
    for (const std::string& name : kKeyFeatures) {
      if (!t.HasColumn(name)) continue;
      const Column& c = t.column(name);
      if (!IsNumeric(c.type())) continue;
      std::vector<double> v;
      v.reserve(c.size());
      bool integer = c.type() == DataType::kInt64;
      for (size_t r = 0; r < c.size(); ++r) {
        const double x = c.NumericAt(r);
        if (std::isfinite(x)) v.push_back(x);
      }
      std::sort(v.begin(), v.end());
      const size_t missing = c.size() - v.size();
      if (v.empty()) {
        rows.push_back({name, "0", fmt::format("{}", missing), "-", "-", "-", "-", "-", "-"});
        continue;
      }
      double mean = 0;
      for (double x : v) mean += x / static_cast<double>(v.size());
      const double cut = QuantileSorted(v, kDrawnQuantile);
      const auto end = std::upper_bound(v.begin(), v.end(), cut);
      const std::vector<double> drawn(v.begin(), end);
      rows.push_back({name, fmt::format("{}", v.size()), fmt::format("{}", missing), Num(v.front()),
                      Num(QuantileSorted(v, 0.25)), Num(QuantileSorted(v, 0.5)), Num(mean),
                      Num(QuantileSorted(v, 0.9)), Num(v.back())});
      const size_t above = v.size() - drawn.size();
      out.Chart(
          HistogramChart(
              name,
              fmt::format("n = {} · median {} · mean {}{}", v.size(), Num(QuantileSorted(v, 0.5)),
                          Num(mean),
                          above ? fmt::format(" · {} above {} not drawn", above, Num(cut)) : ""),
              ComputeHistogram(drawn, integer, 40)),
          270);
    }
    out.CloseGrid();
    out.Table({"feature", "customers", "missing", "min", "25%", "median", "mean", "90%", "max"},
              rows, {false, true, true, true, true, true, true, true, true});
    return true;
  }
};

}  // namespace

std::unique_ptr<ReportSection> MakeProfilesSection() { return std::make_unique<ProfilesSection>(); }

}  // namespace prospect::report
