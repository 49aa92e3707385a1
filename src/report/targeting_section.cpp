// Report section "Targeting and uplift": each uplift model's held-out uplift (uplift@k, Qini,
// AUUC per treatment), the Qini curves and uplift by decile of the learners fitted to the same
// campaign side by side, the campaign plans of `prospect target` with their profit curves, and
// the lookalike audiences with the recall of held-back seeds that vouches for them.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "prospect/targeting/campaign.hpp"
#include "prospect/targeting/lookalike.hpp"
#include "prospect/targeting/uplift.hpp"
#include "report/sections.hpp"

namespace prospect::report {
namespace {

using nlohmann::json;

constexpr size_t kMaxUpliftModels = 8;
constexpr size_t kMaxProfitCurves = 3;

// Newest first.
std::vector<StoredObject> Newest(Store& store, const char* kind, size_t at_most) {
  std::vector<StoredObject> list = store.ListObjects(kind);
  std::sort(list.begin(), list.end(),
            [](const auto& a, const auto& b) { return a.created_at > b.created_at; });
  if (list.size() > at_most) list.resize(at_most);
  return list;
}

std::string LearnerLabel(const StoredObject& m) {
  return fmt::format("{} ({}-learner, {})", m.name, m.meta.value("learner", "?"),
                     m.meta.value("model", "?"));
}

// One model's held-out result for one treatment, with its name in the charts' legends.
struct Curve {
  std::string label;
  const json* result;
};

// The Qini curves of one treatment, one line per model: x the share of held-out customers
// targeted (highest predicted uplift first), y the extra responses; random is the straight line
// to the whole group's value.
json QiniChart(const std::string& treatment, const std::vector<Curve>& curves) {
  json series = json::array();
  double end = 0;
  for (size_t m = 0; m < curves.size(); ++m) {
    const json& q = (*curves[m].result)["qini"];
    std::vector<double> n = q["n"].get<std::vector<double>>(),
                        v = q["value"].get<std::vector<double>>();
    if (n.empty()) continue;
    const double total = n.back();
    for (double& x : n) x = total > 0 ? x / total : 0;
    end = v.back();
    series.push_back(LineSeries(fmt::format("{} ({:.3f})", curves[m].label,
                                            curves[m].result->value("qini_coefficient", 0.0)),
                                XyPoints(n, v), SeriesColor(m)));
  }
  series.push_back(LineSeries("random", json::array({json::array({0, 0}), json::array({1, end})}),
                              kChartGrey, true));
  return XyChart(fmt::format("Qini curve: {} against control", treatment),
                 "learner (Qini coefficient); above the dashed line beats random",
                 "share targeted (highest predicted uplift first)", "extra responses",
                 std::move(series), true);
}

// Observed uplift in each decile of predicted uplift, one bar per model. A 0/1 outcome's uplift
// is a difference of rates: shown in percentage points.
json DecileChart(const std::string& treatment, bool binary, const std::vector<Curve>& curves) {
  std::vector<std::string> deciles, names;
  std::vector<std::vector<double>> values;
  for (const Curve& c : curves) {
    const json& bins = (*c.result)["deciles"];
    if (deciles.size() < bins.size()) {
      deciles.clear();
      for (size_t d = 1; d <= bins.size(); ++d) deciles.push_back(std::to_string(d));
    }
    std::vector<double> v;
    for (const json& b : bins)
      v.push_back(b["uplift"].is_number() ? (binary ? 100 : 1) * b["uplift"].get<double>()
                                          : std::nan(""));
    names.push_back(c.label);
    values.push_back(std::move(v));
  }
  return GroupedBarChart(fmt::format("Uplift by decile: {}", treatment),
                         fmt::format("treated − control {} per tenth of predicted uplift",
                                     binary ? "rate (points)" : "mean"),
                         deciles, names, values, binary);
}

// Legend names: the learner, or the model's name where two models share a learner.
std::map<const StoredObject*, std::string> LegendNames(
    const std::vector<const StoredObject*>& group) {
  std::map<std::string, size_t> learners;
  for (const StoredObject* m : group) ++learners[m->meta.value("learner", "?")];
  std::map<const StoredObject*, std::string> names;
  for (const StoredObject* m : group) {
    const std::string learner = m->meta.value("learner", "?");
    names[m] = learners[learner] == 1 ? learner : m->name;
  }
  return names;
}

void WriteUpliftModels(Store& store, SectionWriter& out) {
  const std::vector<StoredObject> models = Newest(store, kUpliftObjectKind, kMaxUpliftModels);
  if (models.empty()) return;
  out.Heading("Uplift models");
  out.Paragraph(
      "Each model's latest version on the customers it held out at training (stratified by group "
      "and outcome). uplift@k: treated − control response among the top k by predicted uplift "
      "(scikit-uplift's overall strategy); Qini coefficient normalised by the best possible curve "
      "(scikit-uplift), Qini area unnormalised (CausalML); AUUC normalised. Definitions: "
      "docs/user/uplift.md.",
      "muted");
  std::vector<std::vector<std::string>> rows;
  for (const StoredObject& m : models) {
    for (const json& h : m.meta.value("holdout", json::array())) {
      rows.push_back(
          {m.name, m.meta.value("learner", "?"), m.meta.value("model", "?"),
           h.value("treatment", "?"),
           fmt::format("{} / {}", h.value("treated", size_t{0}), h.value("control", size_t{0})),
           FixedCell(h["observed_effect"], 4), FixedCell(h["mean_predicted"], 4),
           fmt::format("{:.0f}%", 100 * h.value("k", 0.3)), FixedCell(h["uplift_at_k"], 4),
           FixedCell(h["qini_coefficient"], 4), FixedCell(h["qini_area"], 1),
           FixedCell(h["uplift_auc"], 4)});
    }
  }
  out.Table({"model", "learner", "base", "treatment", "treated / control", "observed effect",
             "mean predicted", "k", "uplift@k", "Qini coef.", "Qini area", "AUUC"},
            rows, {false, false, false, false, true, true, true, true, true, true, true, true});

  // Learners fitted to the same campaign are drawn together, one pair of charts per treatment.
  std::map<std::string, std::vector<const StoredObject*>> campaigns;
  for (const StoredObject& m : models) {
    const std::string key =
        fmt::format("{} → {} ({} vs {})", m.meta.value("table", "?"), m.meta.value("target", "?"),
                    m.meta.value("treatment_column", "?"), m.meta.value("control", "?"));
    campaigns[key].push_back(&m);
  }
  for (const auto& [campaign, group] : campaigns) {
    const auto legend = LegendNames(group);
    std::map<std::string, std::vector<Curve>> by_treatment;
    std::vector<std::string> order;
    for (const StoredObject* m : group) {
      for (const json& h : m->meta["holdout"]) {
        const std::string t = h.value("treatment", "?");
        if (!by_treatment.count(t)) order.push_back(t);
        by_treatment[t].push_back({legend.at(m), &h});
      }
    }
    std::vector<std::string> labels;
    for (const StoredObject* m : group) labels.push_back(LearnerLabel(*m));
    out.Paragraph(fmt::format("Campaign {}: {}. A good model's uplift falls from the first "
                              "decile to the last.",
                              campaign, Join(labels, ", ")),
                  "muted");
    const bool binary = group.front()->meta.value("task", "") == "classification";
    out.OpenGrid();
    for (const std::string& t : order) {
      out.Chart(QiniChart(t, by_treatment[t]), 300);
      out.Chart(DecileChart(t, binary, by_treatment[t]), 300);
    }
    out.CloseGrid();
  }
}

json ProfitChart(const StoredObject& a) {
  const double customers = a.meta.value("customers", 0.0);
  std::vector<double> x, y;
  for (const json& p : a.meta.value("curve", json::array())) {
    x.push_back(customers > 0 ? p.value("contacted", 0.0) / customers : 0);
    y.push_back(p.value("profit", 0.0));
  }
  const json& best = a.meta["best"];
  return XyChart(fmt::format("Expected profit: {}", a.name),
                 fmt::format("best {} at {} contacted; uplift model {}",
                             ShortNumber(best.value("profit", 0.0)),
                             best.value("contacted", size_t{0}), a.meta.value("uplift_model", "?")),
                 "share of customers contacted (best value for money first)",
                 "expected incremental profit",
                 json::array({LineSeries("profit", XyPoints(x, y), kChartBlue)}), true);
}

void WriteCampaignPlans(Store& store, SectionWriter& out) {
  const std::vector<StoredObject> plans = Newest(store, kCampaignPlanObjectKind, SIZE_MAX);
  if (plans.empty()) return;
  out.Heading("Campaign plans");
  out.Paragraph(
      "prospect target: whom to contact with which treatment for the most expected incremental "
      "profit (predicted uplift × value − cost) under the budget and capacity. Exact for one "
      "treatment; for several, the greedy solution of the multiple-choice knapsack's LP "
      "relaxation (docs/user/target.md).",
      "muted");
  std::vector<std::vector<std::string>> rows;
  for (const StoredObject& a : plans) {
    const json treatments = a.meta.value("treatments", json::array());
    const json per = a.meta.value("per_treatment", json::array());
    std::vector<std::string> split;
    for (size_t k = 0; k < treatments.size() && k < per.size(); ++k)
      split.push_back(fmt::format("{} {}", treatments[k].get<std::string>(), per[k].dump()));
    const json& budget = a.meta["budget"];
    rows.push_back({a.name, a.meta.value("uplift_model", "?"),
                    fmt::format("{}", a.meta.value("customers", size_t{0})),
                    fmt::format("{}", a.meta.value("contacted", size_t{0})), Join(split, ", "),
                    FixedCell(a.meta["spend"], 2),
                    budget.is_number() ? fmt::format("{:.2f}", budget.get<double>()) : "none",
                    FixedCell(a.meta["expected_profit"], 2),
                    FixedCell(a.meta["expected_responses"], 1)});
  }
  out.Table({"audience", "uplift model", "customers", "contacted", "per treatment", "spend",
             "budget", "expected profit", "extra responses"},
            rows, {false, false, true, true, false, true, true, true, true});
  out.OpenGrid();
  for (size_t n = 0; n < std::min(kMaxProfitCurves, plans.size()); ++n)
    out.Chart(ProfitChart(plans[n]), 280);
  out.CloseGrid();
}

void WriteLookalikes(Store& store, SectionWriter& out) {
  const std::vector<StoredObject> audiences = Newest(store, kLookalikeObjectKind, SIZE_MAX);
  if (audiences.empty()) return;
  out.Heading("Lookalike audiences");
  out.Paragraph(
      "prospect lookalike: the customers most like a seed list. Before choosing, a share of the "
      "seeds is held back; recall is the share of them found in the top N by each route, lift its "
      "ratio to a random N's.",
      "muted");
  std::vector<std::vector<std::string>> rows;
  for (const StoredObject& a : audiences) {
    std::vector<std::string> quality;
    for (const json& q : a.meta.value("quality", json::array()))
      quality.push_back(fmt::format("{}: recall {} (lift {})", q.value("method", "?"),
                                    FixedCell(q["recall"], 3), FixedCell(q["lift"], 2)));
    rows.push_back({a.name, a.meta.value("table", "?"),
                    fmt::format("{}", a.meta.value("seeds", size_t{0})),
                    fmt::format("{}", a.meta.value("size", size_t{0})), a.meta.value("method", "?"),
                    quality.empty() ? "not measured" : Join(quality, "; ")});
  }
  out.Table({"audience", "from", "seeds", "size", "route", "held-back seeds found"}, rows,
            {false, false, true, true, false, false});
}

class TargetingSection final : public ReportSection {
 public:
  std::string Id() const override { return "targeting"; }
  std::string Title() const override { return "Targeting and uplift"; }
  bool Write(const Workspace& ws, const Context&, SectionWriter& out) const override {
    Store& store = ws.store();
    const size_t uplift = store.ListObjects(kUpliftObjectKind).size(),
                 plans = store.ListObjects(kCampaignPlanObjectKind).size(),
                 lookalikes = store.ListObjects(kLookalikeObjectKind).size();
    if (uplift + plans + lookalikes == 0) {
      out.Paragraph(
          "Not run yet in this workspace. Train uplift models on a campaign with prospect uplift "
          "train --table CAMPAIGN --treatment COL --control VALUE --target COL, plan whom to "
          "contact with prospect target, and expand a seed list with prospect lookalike; this "
          "section then shows their Qini curves, uplift by decile, profit curves and audiences.",
          "notrun");
      return false;
    }
    out.Raw("<div class=\"kpis\">" + Kpi(std::to_string(uplift), "uplift models") +
            Kpi(std::to_string(plans), "campaign plans") +
            Kpi(std::to_string(lookalikes), "lookalike audiences") + "</div>\n");
    WriteUpliftModels(store, out);
    WriteCampaignPlans(store, out);
    WriteLookalikes(store, out);
    return true;
  }
};

}  // namespace

std::unique_ptr<ReportSection> MakeTargetingSection() {
  return std::make_unique<TargetingSection>();
}

}  // namespace prospect::report
