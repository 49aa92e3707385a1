// Report section "Segments and personas": the latest segmentation in the store — segment sizes and
// value (share of customers and of revenue), a feature-profile heatmap (standardised difference
// per feature per segment), a 2-D PCA projection coloured by segment, and the persona cards.
#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <unordered_map>

#include "prospect/common/quantile.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/segment/segment.hpp"
#include "report/sections.hpp"

namespace prospect::report {
namespace {

using nlohmann::json;

// Points drawn in the projection: enough to see the shape, few enough to keep the page light.
constexpr size_t kMaxPcaPoints = 3000;
// Heatmap columns: the clustering features, then the most distinguishing other features.
constexpr size_t kMaxHeatmapFeatures = 14;

std::string Percent(const json& v) {
  return v.is_number() ? fmt::format("{:.1f}%", 100 * v.get<double>()) : std::string("-");
}

// PCA of the clustering features (nulls → median, the segmentation's log1p transforms, then
// standardised) on at most kMaxPcaPoints rows drawn with the context's seed. Fills one point list
// per segment (index names.size() = unassigned) and the two components' explained variance.
void Projection(const Table& data, const std::vector<int32_t>& label_of_row, const json& meta,
                size_t segments, const Context& ctx, std::vector<std::vector<double>>* points,
                double explained[2]) {
  std::vector<std::string> features;
  for (const auto& f : meta.value("features", json::array())) {
    const std::string name = f.get<std::string>();
    if (data.HasColumn(name) &&
        (IsNumeric(data.column(name).type()) || data.column(name).type() == DataType::kBool)) {
      features.push_back(name);
    }
  }
  points->assign(segments + 1, {});
  explained[0] = explained[1] = NAN;
  std::vector<size_t> rows;
  for (size_t r = 0; r < label_of_row.size(); ++r) {
    if (label_of_row[r] != INT32_MIN) rows.push_back(r);
  }
  if (features.size() < 2 || rows.size() < 3) return;
  const size_t d = features.size(), n = rows.size();
  Eigen::MatrixXd x(n, d);
  for (size_t j = 0; j < d; ++j) {
    bool log1p = false;
    for (const auto& t : meta.value("transforms", json::array())) {
      log1p =
          log1p || (t.value("column", "") == features[j] && t.value("transform", "") == "log1p");
    }
    const Column& c = data.column(features[j]);
    std::vector<double> present;
    for (size_t i = 0; i < n; ++i) {
      const double v = c.NumericAt(rows[i]);
      if (std::isfinite(v)) present.push_back(v);
    }
    const double median = present.empty() ? 0 : UpperMedian(present);
    for (size_t i = 0; i < n; ++i) {
      double v = c.NumericAt(rows[i]);
      if (!std::isfinite(v)) v = median;
      x(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
          log1p && v > -1 ? std::log1p(v) : v;
    }
  }
  const Eigen::RowVectorXd mean = x.colwise().mean();
  x.rowwise() -= mean;
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    const double sd = std::sqrt(x.col(j).squaredNorm() / static_cast<double>(n));
    if (sd > 0) x.col(j) /= sd;
  }
  const Eigen::MatrixXd cov = (x.transpose() * x) / static_cast<double>(n);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(cov);
  if (eig.info() != Eigen::Success) return;
  const Eigen::Index top = cov.rows() - 1;  // eigenvalues ascend
  Eigen::MatrixXd axes(static_cast<Eigen::Index>(d), 2);
  axes.col(0) = eig.eigenvectors().col(top);
  axes.col(1) = eig.eigenvectors().col(top - 1);
  // Sign convention: the largest loading of each axis is positive, so re-runs draw alike.
  for (int a = 0; a < 2; ++a) {
    Eigen::Index at = 0;
    axes.col(a).cwiseAbs().maxCoeff(&at);
    if (axes(at, a) < 0) axes.col(a) *= -1;
  }
  const double total = eig.eigenvalues().sum();
  explained[0] = total > 0 ? eig.eigenvalues()(top) / total : NAN;
  explained[1] = total > 0 ? eig.eigenvalues()(top - 1) / total : NAN;
  std::vector<size_t> pick(n);
  std::iota(pick.begin(), pick.end(), 0);
  if (n > kMaxPcaPoints) {
    std::mt19937_64 rng(ctx.seed());
    for (size_t i = 0; i < kMaxPcaPoints; ++i) {
      std::uniform_int_distribution<size_t> u(i, n - 1);
      std::swap(pick[i], pick[u(rng)]);
    }
    pick.resize(kMaxPcaPoints);
    std::sort(pick.begin(), pick.end());
  }
  for (size_t i : pick) {
    const Eigen::RowVectorXd p = x.row(static_cast<Eigen::Index>(i)) * axes;
    const int32_t l = label_of_row[rows[i]];
    const size_t g =
        l >= 0 && static_cast<size_t>(l) < segments ? static_cast<size_t>(l) : segments;
    (*points)[g].push_back(p(0));
    (*points)[g].push_back(p(1));
  }
}

class SegmentsSection : public ReportSection {
 public:
  std::string Id() const override { return "segments"; }
  std::string Title() const override { return "Segments and personas"; }
  bool Write(const Workspace& ws, const Context& ctx, SectionWriter& out) const override {
    Store& store = ws.store();
    // The segmentation the segments table holds: the most recently saved one.
    const std::optional<StoredObject> seg = LatestObject(store, "segmentation");
    if (!seg || !store.FindTable(kSegmentsTable)) {
      out.Paragraph(
          "Clusters and RFM segments with a persona card per segment: sizes and value, a feature "
          "profile, "
          "a 2-D projection, and rules that describe membership.",
          "muted");
      out.Raw("<p class=\"notrun\">Not run yet in this workspace. Run <code>" +
              HtmlEscape("prospect segment --table profiles --method kmeans --k auto") +
              "</code>.</p>\n");
      return false;
    }
    const json& meta = seg->meta;
    const json& personas = meta["personas"]["personas"];
    std::vector<std::string> names;
    for (const auto& p : personas) names.push_back(p["name"].get<std::string>());
    int64_t customers = 0;
    for (const auto& p : personas) customers += p["size"].get<int64_t>();

    out.Paragraph(
        fmt::format(
            "Segmentation \"{}\" (version {}, saved {}): method {} on {} · features: {}. Shares of "
            "value are of the net monetary value. Definitions: docs/user/segment.md.",
            seg->name, seg->version, seg->created_at, meta.value("method", "?"),
            meta.value("table", "?"),
            Join(meta.value("features", std::vector<std::string>{}), ", ")),
        "muted");
    std::string kpis =
        Kpi(fmt::format("{}", names.size()), "segments") +
        Kpi(fmt::format("{}", customers), "customers") +
        Kpi(fmt::format("{:.0f}%", 100 * meta["personas"].value("rules_accuracy", 0.0)),
            fmt::format("placed right by the depth-{} rules",
                        meta["personas"].value("rules_depth", 0)));
    if (meta.contains("inertia"))
      kpis += Kpi(ShortNumber(meta["inertia"].get<double>()), "inertia");
    if (meta.contains("truth")) {
      kpis += Kpi(fmt::format("{:.3f}", meta["truth"]["adjusted_rand_index"].get<double>()),
                  "adjusted Rand index vs " + meta["truth"].value("table", "") + "." +
                      meta["truth"].value("column", ""));
    }
    out.Raw("<div class=\"kpis\">" + kpis + "</div>\n");

    // Sizes and value.
    std::vector<double> share_customers, share_value;
    bool has_value = false;
    for (const auto& p : personas) {
      share_customers.push_back(100 * p["share_customers"].get<double>());
      share_value.push_back(p["share_value"].is_number() ? 100 * p["share_value"].get<double>()
                                                         : NAN);
      has_value = has_value || p["share_value"].is_number();
    }
    out.OpenGrid();
    if (has_value) {
      out.Chart(GroupedBarChart("Segment sizes and value",
                                "share of customers and of revenue (monetary), %", names,
                                {"customers", "revenue"}, {share_customers, share_value}, true),
                300);
    } else {
      out.Chart(GroupedBarChart("Segment sizes", "share of customers, %", names, {"customers"},
                                {share_customers}, true),
                300);
    }

    // Feature profile: clustering features first, then the most distinguishing others.
    std::vector<std::string> columns;
    for (const auto& f : meta.value("features", json::array()))
      columns.push_back(f.get<std::string>());
    std::vector<std::pair<double, std::string>> others;
    std::unordered_map<std::string, double> strongest;
    for (const auto& p : personas) {
      for (const auto& c : p["contrasts"]) {
        if (!c["std_difference"].is_number()) continue;
        double& s = strongest[c["feature"].get<std::string>()];
        s = std::max(s, std::abs(c["std_difference"].get<double>()));
      }
    }
    for (const auto& [f, s] : strongest) {
      if (std::find(columns.begin(), columns.end(), f) == columns.end()) others.emplace_back(s, f);
    }
    std::sort(others.begin(), others.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    for (const auto& [s, f] : others) {
      if (columns.size() >= kMaxHeatmapFeatures) break;
      columns.push_back(f);
    }
    std::vector<std::vector<double>> values(personas.size(),
                                            std::vector<double>(columns.size(), NAN));
    double limit = 0.5;
    for (size_t s = 0; s < personas.size(); ++s) {
      for (const auto& c : personas[s]["contrasts"]) {
        const auto at = std::find(columns.begin(), columns.end(), c["feature"].get<std::string>());
        if (at == columns.end() || !c["std_difference"].is_number()) continue;
        values[s][static_cast<size_t>(at - columns.begin())] = c["std_difference"].get<double>();
        limit = std::max(limit, std::min(2.0, std::abs(c["std_difference"].get<double>())));
      }
    }
    out.Chart(HeatmapChart("Feature profile",
                           "(segment mean − overall mean) / overall sd; red above, blue below",
                           names, columns, values, limit),
              std::max(300, 120 + 28 * static_cast<int>(names.size())));

    // Projection: segments joined to the segmented table by id (or by row when there is no id).
    const std::string table_name = meta.value("table", "profiles");
    if (store.FindTable(table_name)) {
      const Table data = store.LoadTable(table_name, ctx);
      const Table assigned = store.LoadTable(kSegmentsTable, ctx);
      std::vector<int32_t> label_of_row(data.num_rows(), INT32_MIN);
      const std::string id = assigned.num_columns() == 3 ? assigned.schema().field(0).name : "";
      const Column& segment = assigned.column("segment");
      if (!id.empty() && data.HasColumn(id)) {
        std::unordered_map<std::string, int32_t> by_id;
        const Column& ids = assigned.column(id);
        for (size_t r = 0; r < assigned.num_rows(); ++r) {
          by_id.emplace(ids.FormatValue(r), static_cast<int32_t>(segment.ints()[r]));
        }
        const Column& data_ids = data.column(id);
        for (size_t r = 0; r < data.num_rows(); ++r) {
          auto it = by_id.find(data_ids.FormatValue(r));
          if (it != by_id.end()) label_of_row[r] = it->second;
        }
      } else if (assigned.num_rows() == data.num_rows()) {
        for (size_t r = 0; r < data.num_rows(); ++r)
          label_of_row[r] = static_cast<int32_t>(segment.ints()[r]);
      }
      std::vector<std::vector<double>> points;
      double explained[2];
      Projection(data, label_of_row, meta, names.size(), ctx, &points, explained);
      size_t drawn = 0;
      for (const auto& p : points) drawn += p.size() / 2;
      if (drawn > 0) {
        std::vector<std::string> groups = names;
        groups.push_back("Noise");
        if (points.back().empty()) {
          groups.pop_back();
          points.pop_back();
        }
        out.Chart(ScatterChart(
                      "2-D projection (PCA)",
                      fmt::format("{} customers drawn · standardised clustering features", drawn),
                      fmt::format("PC1 ({:.0f}% of variance)", 100 * explained[0]),
                      fmt::format("PC2 ({:.0f}% of variance)", 100 * explained[1]), groups, points),
                  360);
      }
    }
    out.CloseGrid();

    // Persona cards.
    out.Raw("<h4>Personas</h4>\n<ul class=\"findings\">\n");
    for (const auto& p : personas) {
      if (p["size"].get<int64_t>() == 0) continue;
      std::string card = fmt::format(
          "<li><strong>{}</strong> — {}<span class=\"fix\">{} customers · {} of customers · {} of "
          "value</span>",
          HtmlEscape(p["name"].get<std::string>()), HtmlEscape(p["description"].get<std::string>()),
          p["size"].get<int64_t>(), Percent(p["share_customers"]), Percent(p["share_value"]));
      std::vector<std::string> distinguishing;
      for (const auto& d : p["distinguishing"]) distinguishing.push_back(d.get<std::string>());
      if (!distinguishing.empty()) {
        card += "<span class=\"fix\">Stands out by: " + HtmlEscape(Join(distinguishing, "; ")) +
                "</span>";
      }
      if (p["rules"].empty()) {
        card +=
            "<span class=\"fix\">Rules: no leaf of the shallow tree predicts this segment.</span>";
      } else {
        card += fmt::format("<span class=\"fix\">Rules (precision {}, recall {}):</span>",
                            Percent(p["rule_precision"]), Percent(p["rule_recall"]));
        for (const auto& r : p["rules"])
          card +=
              "<span class=\"fix\"><code>" + HtmlEscape(r.get<std::string>()) + "</code></span>";
      }
      out.Raw(card + "</li>\n");
    }
    out.Raw("</ul>\n");
    return true;
  }
};

}  // namespace

std::unique_ptr<ReportSection> MakeSegmentsSection() { return std::make_unique<SegmentsSection>(); }

}  // namespace prospect::report
