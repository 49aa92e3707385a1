// Popularity: counts per item, the same list for everyone (see popularity.hpp).
#include "prospect/models/recommend/popularity.hpp"

#include <algorithm>
#include <cmath>

#include "prospect/common/error.hpp"

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

}  // namespace prospect
