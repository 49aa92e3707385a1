// Content-based recommendation: items described by their attributes (TF-IDF rows, see
// item_content.hpp), a user described by the items they chose (the weighted sum of those rows),
// and every item scored by the cosine between the two. It needs no other user's interactions, so
// an item nobody chose yet is scored like any other: the cold-start path for new items.
#pragma once

#include <string>
#include <vector>

#include "prospect/common/params.hpp"
#include "prospect/models/recommend/recommender.hpp"

namespace prospect {

struct ContentParams {
  /// weighted: a user's profile sums their items' rows times the interaction weight; equal: each
  /// item counts once.
  std::string profile = "weighted";

  static const ParamSchema<ContentParams>& Schema();
};

class ContentBased final : public ModelWithParams<Recommender, ContentParams> {
 public:
  using ModelWithParams::ModelWithParams;
  /// Items by the cosine of their attribute rows.
  std::vector<ScoredItem> SimilarItems(int32_t item, size_t k) const override;

 protected:
  /// kInvalidArgument when no item features were set (SetItemFeatures).
  void FitChecked(const CsrMatrix& interactions, const Context& ctx) override;
  /// Nothing to learn from interactions: an update only needs the grown item features.
  void UpdateChecked(const CsrMatrix& interactions, std::span<const int32_t> changed_users,
                     const Context& ctx) override;
  void ScoreInto(const UserHistory& history, std::span<float> out) const override;
  /// Each history item's share of the profile's dot product with the item.
  std::vector<double> ExplainChecked(const UserHistory& history, int32_t item) const override;
  void SaveState(ModelWriter&) const override {}
  void LoadState(const ModelReader& reader) override;

 private:
  /// The profile (terms' weights) of a history, and its length.
  std::vector<double> Profile(const UserHistory& history, double* norm) const;
  /// features × items: the inverted index the scores run over.
  CsrMatrix by_term_;
};

}  // namespace prospect
