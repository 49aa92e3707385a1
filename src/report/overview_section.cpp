// Report section "Overview": the workspace's key numbers on one screen (customers, segments, the
// production models, churn at risk, experiments), each linking to its own section below. The
// dashboard opens on it.
#include <fmt/format.h>

#include <algorithm>

#include "prospect/experiment/analysis.hpp"
#include "prospect/features/profile.hpp"
#include "prospect/models/training.hpp"
#include "prospect/segment/segment.hpp"
#include "report/sections.hpp"

namespace prospect::report {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxOverviewExperiments = 5;

int64_t Rows(Store& store, const std::string& table) {
  const auto info = store.FindTable(table);
  return info ? info->rows : -1;
}

std::string Link(const std::string& anchor, const std::string& text) {
  return fmt::format("<a href=\"#{}\">{}</a>", HtmlEscape(anchor), HtmlEscape(text));
}

std::string Fixed3(const json& v) {
  return v.is_number() ? fmt::format("{:.3f}", v.get<double>()) : std::string("-");
}

// Each model's serving version (production, else latest) with its held-out headline metric.
void WriteModels(const json& models, SectionWriter& out) {
  out.Raw("<h4>Models · " + Link("models", "details") + "</h4>\n");
  std::vector<std::vector<std::string>> rows;
  for (const auto& m : models) {
    const bool promoted = !m["production_version"].is_null();
    const json& metrics = m["metrics"];
    const std::string headline =
        metrics.contains("roc_auc")
            ? "ROC-AUC " + Fixed3(metrics["roc_auc"])
            : (metrics.contains("r2") ? "R² " + Fixed3(metrics["r2"]) : std::string("-"));
    rows.push_back({m["name"].get<std::string>(),
                    promoted
                        ? fmt::format("v{} (production)", m["production_version"].get<int64_t>())
                        : fmt::format("v{} (latest, not promoted)", m["version"].get<int64_t>()),
                    m["type"].get<std::string>(), m["target"].get<std::string>(),
                    m["table"].get<std::string>(), headline, m["created_at"].get<std::string>()});
  }
  out.Table({"model", "serving", "type", "target", "table", "held out", "trained (UTC)"}, rows);
}

// Segment sizes of the segmentation the segments table holds.
void WriteSegments(const StoredObject& seg, SectionWriter& out) {
  const json& personas = seg.meta["personas"]["personas"];
  std::vector<std::string> names;
  std::vector<double> sizes;
  for (const auto& p : personas) {
    names.push_back(p.value("name", "?"));
    sizes.push_back(p.value("size", 0.0));
  }
  out.Chart(HorizontalBarChart("Customers by segment",
                               fmt::format("segmentation {} v{} · {}", seg.name, seg.version,
                                           seg.meta.value("method", "?")),
                               names, sizes, false),
            std::max(180, 70 + 26 * static_cast<int>(names.size())));
}

// Customers and annual value at risk by tier of the latest churn run.
void WriteChurn(const StoredObject& churn, SectionWriter& out) {
  const json& tiers = churn.meta["tiers"];
  std::vector<std::string> names;
  std::vector<double> counts;
  for (const char* tier : {"high", "medium", "low"}) {
    if (!tiers.contains(tier)) continue;
    names.push_back(tier);
    counts.push_back(tiers[tier].value("customers", 0.0));
  }
  out.Chart(
      HorizontalBarChart("Customers by churn risk",
                         fmt::format("{} as of {}", churn.name, churn.meta.value("as_of", "")),
                         names, counts, false),
      180);
}

// The latest analyses: each one's first metric and its best variant against control.
void WriteExperiments(std::vector<StoredObject> saved, SectionWriter& out) {
  std::stable_sort(saved.begin(), saved.end(), [](const StoredObject& x, const StoredObject& y) {
    return x.created_at > y.created_at;
  });
  if (saved.size() > kMaxOverviewExperiments) saved.resize(kMaxOverviewExperiments);
  out.Raw("<h4>Experiments · " + Link("experiments", "details") + "</h4>\n");
  std::vector<std::vector<std::string>> rows;
  for (const StoredObject& o : saved) {
    const json& a = o.meta["analysis"];
    std::string metric = "-", variant = "-", lift = "-", p = "-", verdict = "-";
    if (a.contains("metrics") && !a["metrics"].empty()) {
      const json& m = a["metrics"][0];
      metric = m.value("metric", "-");
      const json* best = nullptr;
      for (const auto& c : m["comparisons"]) {
        if (!best || c.value("relative_lift", 0.0) > best->value("relative_lift", 0.0)) best = &c;
      }
      if (best) {
        variant = best->value("variant", "-");
        if ((*best)["relative_lift"].is_number())
          lift = fmt::format("{:+.1f}%", 100 * (*best)["relative_lift"].get<double>());
        if ((*best)["p_adjusted"].is_number())
          p = fmt::format("{:.3g}", (*best)["p_adjusted"].get<double>());
        verdict = best->value("significant", false) ? "significant" : "not significant";
      }
    }
    const bool srm_ok = a.contains("srm") ? a["srm"].value("passed", true) : true;
    rows.push_back({o.name, o.created_at, metric, variant, lift, p,
                    srm_ok ? verdict : "sample ratio mismatch"});
  }
  out.Table({"experiment", "analysed (UTC)", "metric", "best variant", "relative lift",
             "p adjusted", "verdict"},
            rows, {false, false, false, false, true, true, false});
}

class OverviewSection : public ReportSection {
 public:
  std::string Id() const override { return "overview"; }
  std::string Title() const override { return "Overview"; }
  bool Write(const Workspace& ws, const Context&, SectionWriter& out) const override {
    Store& store = ws.store();
    if (store.ListTables().empty()) {
      out.Paragraph(
          "Nothing in this workspace yet. Run prospect quickstart for a tour on generated data, "
          "or load your own with prospect ingest NAME FILE.csv.",
          "notrun");
      return false;
    }
    const ProfileConfig profile = ProfileConfig::FromJson(ws.Section("profile"));
    const int64_t customers = Rows(store, profile.customers_table);
    const int64_t profiled = Rows(store, kProfilesTable);
    const int64_t events = Rows(store, profile.events_table);
    const std::optional<StoredObject> seg =
        store.FindTable(kSegmentsTable) ? LatestObject(store, "segmentation") : std::nullopt;
    const std::optional<StoredObject> churn = LatestObject(store, "churn");
    const std::vector<StoredObject> experiments =
        store.ListObjects(experiment::kExperimentObjectKind);

    const json models = ListModels(store);
    const auto production = std::count_if(models.begin(), models.end(), [](const json& m) {
      return !m["production_version"].is_null();
    });
    std::string kpis;
    if (customers >= 0) kpis += Kpi(GroupedCount(customers), "customers");
    if (profiled >= 0) kpis += Kpi(GroupedCount(profiled), "profiled");
    if (events >= 0) kpis += Kpi(GroupedCount(events), "events");
    if (seg) {
      kpis += Kpi(fmt::format("{}", seg->meta["personas"]["personas"].size()), "segments");
    }
    kpis += Kpi(fmt::format("{} of {}", production, models.size()), "models in production");
    if (churn) {
      const json& high = churn->meta["tiers"]["high"];
      kpis += Kpi(GroupedCount(high.value("customers", int64_t{0})), "at high churn risk");
      kpis += Kpi(ShortNumber(high.value("value_at_risk", 0.0)), "annual value at risk (high)");
    }
    kpis += Kpi(fmt::format("{}", experiments.size()), "experiments analysed");
    out.Raw("<div class=\"kpis\">" + kpis + "</div>\n");

    if (seg || churn) {
      out.OpenGrid();
      if (seg) WriteSegments(*seg, out);
      if (churn) WriteChurn(*churn, out);
      out.CloseGrid();
    }
    if (!models.empty()) WriteModels(models, out);
    if (!experiments.empty()) WriteExperiments(experiments, out);
    out.Paragraph(
        "Every number here comes from the workspace's store as it is now; each capability's "
        "section below has the detail.",
        "muted");
    return true;
  }
};

}  // namespace

std::unique_ptr<ReportSection> MakeOverviewSection() { return std::make_unique<OverviewSection>(); }

}  // namespace prospect::report
