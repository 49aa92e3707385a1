// Business rules that shape a list after the model has scored it: at most N items of one
// category, and diversity by maximal marginal relevance (MMR; Carbonell & Goldstein, SIGIR 1998).
// What may be recommended at all (history, allow, deny) is RecommendFilter's job; these rules
// only choose among the candidates it let through.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "prospect/linalg/sparse.hpp"
#include "prospect/models/recommend/recommender.hpp"

namespace prospect {

struct ListRules {
  /// Per item (a column of the interaction matrix): its category, or -1 for none. Empty: no item
  /// has a category.
  std::span<const int32_t> category{};
  /// At most this many items of one category in a list (0: no cap). Items without a category
  /// are never capped.
  size_t max_per_category = 0;
  /// MMR's λ in [0, 1]. Each pick maximises
  ///   λ · relevance − (1 − λ) · (largest similarity to an item already picked),
  /// where relevance is the model's score scaled to [0, 1] over the candidates (best 1, worst 0)
  /// and similarity is the cosine of two items' sets of users in the training data (0 to 1).
  /// 1 keeps the model's order; 0 ignores the score after the first pick. 0.7 is a usual start.
  double mmr_lambda = 1;

  bool active() const { return max_per_category > 0 || mmr_lambda < 1; }
  /// kInvalidArgument for a λ outside [0, 1] or a cap without categories.
  void Check() const;
};

/// How many of the model's best items the rules choose from for a list of k: k when no rule is
/// active, else 10·k and at least 100 (never more than `items`).
size_t CandidatePoolSize(const ListRules& rules, size_t k, size_t items);

/// Up to k of `candidates` (best first, as Recommender::Recommend returns them) under `rules`,
/// in the order picked, each with its model score. `item_users` is the interaction matrix
/// transposed (items × users), used only for MMR. Fewer than k come back when the caps leave
/// too few candidates: the caller may ask again with more.
std::vector<ScoredItem> ApplyListRules(std::span<const ScoredItem> candidates, size_t k,
                                       const ListRules& rules, const CsrMatrix& item_users);

/// 1 − the mean cosine (UserSetCosine) over the pairs of a list: 0 when every item was chosen by
/// the same users, 1 when no two share a user. NaN for a list of fewer than two items.
double IntraListDiversity(std::span<const int32_t> list, const CsrMatrix& item_users);

/// The cosine of two items' user sets (each user counts once, whatever the weight): items
/// `a` and `b` are rows of `item_users`.
double UserSetCosine(const CsrMatrix& item_users, int32_t a, int32_t b);

}  // namespace prospect
