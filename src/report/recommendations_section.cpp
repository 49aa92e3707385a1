// Report section "Recommendations": the latest evaluation of each table (`prospect recommend
// evaluate`: one metrics table per split, NDCG per model as bars), and from the latest stored
// recommender, "customers who chose X also chose" for the most chosen items and the top picks of
// each segment (when a segmentation of the same customers exists).
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "prospect/models/recommend/package.hpp"
#include "prospect/segment/segment.hpp"
#include "report/sections.hpp"

namespace prospect::report {
namespace {

using nlohmann::json;

constexpr size_t kMaxEvaluations = 3;
constexpr size_t kAlsoChoseItems = 5;
constexpr size_t kMaxSegments = 8;
constexpr size_t kMembersPerSegment = 300;  // a sample is enough to see a segment's favourites

std::string F4(const json& v) {
  return v.is_number() ? fmt::format("{:.4f}", v.get<double>()) : "-";
}

void WriteEvaluation(const StoredObject& o, SectionWriter& out) {
  const json& d = o.meta["data"];
  const size_t k = d.value("k", size_t{10});
  out.Heading(fmt::format("Held-out ranking on {}", o.name));
  out.Paragraph(fmt::format(
      "Split {} (seed {}): trained on {} users × {} items ({} interactions); {} users ranked "
      "every item for {} held-out interactions, their training items excluded. Definitions: "
      "docs/user/recommend-evaluation.md.",
      d["split"].value("method", "?"), d["split"].value("seed", json()).dump(),
      d["train"].value("users", size_t{0}), d["train"].value("items", size_t{0}),
      d["train"].value("interactions", size_t{0}), d["test"].value("users", size_t{0}),
      d["test"].value("interactions", size_t{0})));
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> names;
  std::vector<double> ndcg;
  for (const json& m : o.meta["models"]) {
    const json& x = m["metrics"];
    rows.push_back({m.value("model", "?"), F4(x["ndcg"]), F4(x["recall"]), F4(x["map"]),
                    F4(x["precision"]), F4(x["hit_rate"]), F4(x["coverage"]),
                    fmt::format("{:.2f}", x.value("novelty", 0.0)),
                    fmt::format("{:.2f}", m.value("fit_seconds", 0.0))});
    names.push_back(m.value("model", "?"));
    ndcg.push_back(x.value("ndcg", 0.0));
  }
  const std::string at = fmt::format("@{}", k);
  out.Table({"model", "NDCG" + at, "recall" + at, "MAP" + at, "precision" + at, "hit rate" + at,
             "coverage", "novelty", "fit s"},
            rows, {false, true, true, true, true, true, true, true, true});
  out.Chart(
      HorizontalBarChart("NDCG" + at + " by model",
                         "higher is better; popularity is the bar to clear", names, ndcg, false),
      std::max(160, 60 + 28 * static_cast<int>(names.size())));
}

// The most chosen items and what the model finds most like each.
void WriteAlsoChose(const RecommenderPackage& p, SectionWriter& out) {
  if (p.model->Type() == "popularity") return;
  std::vector<size_t> users_of(p.interactions.col_ids.size(), 0);
  for (const int32_t i : p.interactions.matrix.indices()) ++users_of[static_cast<size_t>(i)];
  std::vector<size_t> order(users_of.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return users_of[a] > users_of[b]; });
  std::vector<std::vector<std::string>> rows;
  for (size_t n = 0; n < std::min(kAlsoChoseItems, order.size()); ++n) {
    const std::string& item = p.interactions.col_ids[order[n]];
    std::vector<std::string> similar;
    for (const Recommendation& r : p.Similar(item, 5)) similar.push_back(r.item);
    rows.push_back({item, fmt::format("{}", users_of[order[n]]), Join(similar, ", ")});
  }
  out.Heading(fmt::format("Customers who chose X also chose ({} v{}, {})", p.name, p.version,
                          p.model->Type()));
  out.Table({"item", "customers", "most similar items"}, rows, {false, true, false});
}

// Each segment's favourites: the items most often in its members' top 10.
void WriteSegmentPicks(Store& store, const RecommenderPackage& p, SectionWriter& out) {
  if (!store.FindTable(kSegmentsTable)) return;
  const Table assigned = store.LoadTable(kSegmentsTable, Context());
  if (assigned.num_columns() != 3 || !assigned.HasColumn("segment")) return;  // no id column
  const Column& ids = *assigned.column(size_t{0});
  const Column& segment = assigned.column("segment");
  std::map<int64_t, std::vector<std::string>> members;
  for (size_t r = 0; r < assigned.num_rows(); ++r) {
    if (segment.IsNull(r)) continue;
    auto& list = members[segment.ints()[r]];
    const std::string id = ids.FormatValue(r);
    if (list.size() < kMembersPerSegment && p.FindUser(id)) list.push_back(id);
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& [label, users] : members) {
    if (rows.size() == kMaxSegments || users.empty()) continue;
    std::unordered_map<std::string, size_t> count;
    for (const std::string& u : users) {
      for (const Recommendation& r : p.Top(u, 10)) ++count[r.item];
    }
    std::vector<std::pair<std::string, size_t>> ranked(count.begin(), count.end());
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    std::vector<std::string> top;
    for (size_t n = 0; n < std::min<size_t>(5, ranked.size()); ++n)
      top.push_back(fmt::format(
          "{} ({:.0f}%)", ranked[n].first,
          100.0 * static_cast<double>(ranked[n].second) / static_cast<double>(users.size())));
    rows.push_back({fmt::format("{}", label), fmt::format("{}", users.size()), Join(top, ", ")});
  }
  if (rows.empty()) return;
  out.Heading("Top picks per segment");
  out.Paragraph(fmt::format(
      "The items most often in the top 10 of a segment's members (up to {} members each; the "
      "share of them who get it), from {} v{}.",
      kMembersPerSegment, p.name, p.version));
  out.Table({"segment", "members scored", "top picks"}, rows, {false, true, false});
}

class RecommendationsSection final : public ReportSection {
 public:
  std::string Id() const override { return "recommendations"; }
  std::string Title() const override { return "Recommendations"; }
  bool Write(const Workspace& ws, const Context&, SectionWriter& out) const override {
    Store& store = ws.store();
    std::vector<StoredObject> evaluations = store.ListObjects("recommend_evaluation");
    const json recommenders = ListRecommenders(store);
    if (evaluations.empty() && recommenders.empty()) {
      out.Raw(
          "<p class=\"notrun\">Not run yet in this workspace. Run <code>prospect recommend "
          "evaluate</code> to compare recommenders on held-out interactions and <code>prospect "
          "recommend train</code> to keep one; this section then shows their NDCG, recall, MAP "
          "and coverage, similar items and each segment's top picks.</p>\n");
      return false;
    }
    std::sort(evaluations.begin(), evaluations.end(),
              [](const auto& a, const auto& b) { return a.created_at > b.created_at; });
    for (size_t n = 0; n < std::min(kMaxEvaluations, evaluations.size()); ++n) {
      const auto full = store.GetObject("recommend_evaluation", evaluations[n].name);
      if (full) WriteEvaluation(*full, out);
    }
    if (!recommenders.empty()) {
      std::string latest = recommenders[0]["name"];
      std::string when = recommenders[0]["created_at"];
      for (const json& r : recommenders) {
        if (r["created_at"].get<std::string>() > when) {
          latest = r["name"];
          when = r["created_at"];
        }
      }
      const RecommenderPackage p = LoadRecommender(store, latest);
      WriteAlsoChose(p, out);
      WriteSegmentPicks(store, p, out);
    }
    return true;
  }
};

}  // namespace

std::unique_ptr<ReportSection> MakeRecommendationsSection() {
  return std::make_unique<RecommendationsSection>();
}

}  // namespace prospect::report
