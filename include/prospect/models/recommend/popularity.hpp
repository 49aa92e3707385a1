// Popularity: every user gets the items most users interacted with (or the largest total
// weight). The baseline every personalised recommender must beat, and the fallback for a user
// without history. Over time-decayed weights (count = weight, InteractionSpec::half_life_days) or
// a recent window (window_days) it is what is trending.
#pragma once

#include <string>
#include <vector>

#include "prospect/common/params.hpp"
#include "prospect/models/recommend/recommender.hpp"

namespace prospect {

struct PopularityParams {
  std::string count = "users";  ///< users: distinct users per item; weight: total weight per item

  static const ParamSchema<PopularityParams>& Schema();
};

class Popularity final : public ModelWithParams<Recommender, PopularityParams> {
 public:
  using ModelWithParams::ModelWithParams;
  /// Popularity has no item similarity: kInvalidArgument.
  std::vector<ScoredItem> SimilarItems(int32_t item, size_t k) const override;
  /// The score of each item: its users (or total weight) in the training matrix.
  const std::vector<float>& item_scores() const { return item_scores_; }

 protected:
  void FitChecked(const CsrMatrix& interactions, const Context& ctx) override;
  void ScoreInto(const UserHistory& history, std::span<float> out) const override;
  /// Zeros: the history plays no part in the score.
  std::vector<double> ExplainChecked(const UserHistory& history, int32_t item) const override;
  void SaveState(ModelWriter& writer) const override;
  void LoadState(const ModelReader& reader) override;

 private:
  std::vector<float> item_scores_;
};

/// The items most chosen within each group of users (segments, regions): what a user without
/// history gets from what is known about them (cold start for new users).
class GroupPopularity {
 public:
  GroupPopularity() = default;
  /// group[u] is row u's group in [0, groups), or -1 for none.
  GroupPopularity(const CsrMatrix& interactions, std::span<const int32_t> group, size_t groups);
  /// The k items most users of `group` chose (ties: more users overall, then the lower index),
  /// none where excluded[i] is non-zero; a group of -1, or one whose users chose nothing, gets the
  /// overall ranking. Scores are the group's users per item.
  std::vector<ScoredItem> Top(int32_t group, size_t k,
                              std::span<const uint8_t> excluded = {}) const;
  size_t groups() const { return by_group_.rows(); }

 private:
  CsrMatrix by_group_;           ///< groups × items: users of the group who chose the item
  std::vector<double> overall_;  ///< users per item
};

}  // namespace prospect
