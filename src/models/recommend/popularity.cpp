// Popularity: counts per item, the same list for everyone (see popularity.hpp).
#include "prospect/models/recommend/popularity.hpp"

#include <algorithm>
#include <cmath>

#include "prospect/common/error.hpp"
#include "prospect/evaluate/ranking.hpp"

namespace prospect {

const ParamSchema<PopularityParams>& PopularityParams::Schema() {
  static const ParamSchema<PopularityParams> schema(
      "popularity", {
                        {"count",
                         &PopularityParams::count,
                         "what makes an item popular: its distinct users, or its total weight",
                         {"users", "weight"}},
                    });
  return schema;
}

void Popularity::FitChecked(const CsrMatrix& interactions, const Context&) {
  std::vector<double> totals(interactions.cols(), 0.0);
  const bool by_weight = params_.count == "weight";
  const auto items = interactions.indices();
  const auto weights = interactions.values();
  for (size_t k = 0; k < items.size(); ++k)
    totals[static_cast<size_t>(items[k])] += by_weight ? weights[k] : 1.0;
  item_scores_.assign(totals.begin(), totals.end());
}

void Popularity::ScoreInto(const UserHistory&, std::span<float> out) const {
  std::copy(item_scores_.begin(), item_scores_.end(), out.begin());
}

std::vector<double> Popularity::ExplainChecked(const UserHistory& history, int32_t) const {
  return std::vector<double>(history.items.size(), 0.0);
}

std::vector<ScoredItem> Popularity::SimilarItems(int32_t item, size_t) const {
  CheckItem(item);
  Fail(ErrorCode::kInvalidArgument,
       "popularity ranks items by how many users chose them; it has no item similarity. Use "
       "item_knn or ease for similar items");
}

void Popularity::SaveState(ModelWriter& writer) const {
  writer.AddArray<float>("item_scores", item_scores_);
}

void Popularity::LoadState(const ModelReader& reader) {
  item_scores_ = reader.Array<float>("item_scores");
  if (item_scores_.size() != num_items())
    Fail(ErrorCode::kInvalidData, "model file: popularity holds {} item scores for {} items",
         item_scores_.size(), num_items());
  for (const float s : item_scores_) {
    if (!std::isfinite(s) || s < 0)
      Fail(ErrorCode::kInvalidData, "model file is corrupted: a popularity score is {}", s);
  }
}

GroupPopularity::GroupPopularity(const CsrMatrix& interactions, std::span<const int32_t> group,
                                 size_t groups)
    : overall_(interactions.cols(), 0.0) {
  PROSPECT_CHECK(group.size() == interactions.rows());
  std::vector<CsrMatrix::Triplet> entries;
  for (size_t u = 0; u < interactions.rows(); ++u) {
    for (const int32_t i : interactions.RowIndices(u)) {
      overall_[static_cast<size_t>(i)] += 1;
      if (group[u] >= 0) {
        PROSPECT_CHECK(static_cast<size_t>(group[u]) < groups);
        entries.push_back({static_cast<size_t>(group[u]), static_cast<size_t>(i), 1.0});
      }
    }
  }
  by_group_ = CsrMatrix::FromTriplets(groups, interactions.cols(), entries);
}

std::vector<ScoredItem> GroupPopularity::Top(int32_t group, size_t k,
                                             std::span<const uint8_t> excluded) const {
  std::vector<double> score = overall_;
  bool own = false;
  if (group >= 0 && static_cast<size_t>(group) < by_group_.rows()) {
    const auto items = by_group_.RowIndices(static_cast<size_t>(group));
    const auto users = by_group_.RowValues(static_cast<size_t>(group));
    own = !items.empty();
    if (own) {
      // The group's count first; the overall count (below 1 once scaled) only breaks ties.
      double most = 1;
      for (const double v : overall_) most = std::max(most, v);
      for (double& v : score) v /= most + 1;
      for (size_t n = 0; n < items.size(); ++n) score[static_cast<size_t>(items[n])] += users[n];
    }
  }
  std::vector<float> as_float(score.begin(), score.end());
  std::vector<ScoredItem> out;
  for (const int32_t i : TopK(as_float, k, excluded))
    out.push_back(
        {i, own ? std::floor(as_float[static_cast<size_t>(i)]) : as_float[static_cast<size_t>(i)]});
  return out;
}

}  // namespace prospect
