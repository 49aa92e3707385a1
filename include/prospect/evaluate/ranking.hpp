// Ranking quality of recommendations over full rankings: precision, recall, NDCG, MAP and hit rate
// at k, catalogue coverage and novelty, and TopK, which turns one user's item scores into the
// ranked list these metrics read. Definitions: docs/user/recommend-evaluation.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <vector>

#include "prospect/linalg/sparse.hpp"

namespace prospect {

/// Ranking quality at k over the users that have held-out items, with full ranking (the caller
/// ranks every item, the user's training items excluded).
///
/// For one user with held-out items H and rel_i = 1 when the item at rank i (1-based) is in H:
///   precision@k = (hits in the top k) / k        (k, not the list length: a short list is not
///                                                  rewarded for being short)
///   recall@k    = hits / |H|
///   NDCG@k      = DCG / IDCG, DCG = Σ_{i ≤ k} rel_i / log2(i + 1),
///                 IDCG = Σ_{i = 1..min(k, |H|)} 1 / log2(i + 1)   (every held-out item ranked
///                 first)
///   MAP@k       = (1 / min(k, |H|)) Σ_{i ≤ k, rel_i = 1} precision@i
///   hit rate@k  = 1 when there is at least one hit in the top k, else 0
/// precision … hit_rate are means of these over the evaluated users (those with at least one
/// held-out item). Coverage and novelty describe the same users' top-k lists; users without
/// held-out items count in none of the numbers, so passing lists for them changes nothing.
struct RankingMetrics {
  size_t k = 0;
  double precision = 0, recall = 0, ndcg = 0, map = 0,
         hit_rate = 0;  ///< means over evaluated users
  /// Distinct items in the evaluated users' top-k lists / number of items.
  double coverage = 0;
  /// Mean over every recommended item in those lists (one term per user and item) of
  /// −log2(item popularity in training); popularity 0 counts as one user, 1 / (number of users).
  /// 0 when every list is empty.
  double novelty = 0;
  size_t users_evaluated = 0;  ///< users with at least one held-out item
  /// Users given a non-empty list but with nothing held out: excluded from every number above,
  /// counted so that a caller sees lists that were not scored.
  size_t users_without_test_items = 0;

  /// {"k", "precision", "recall", "ndcg", "map", "hit_rate", "coverage", "novelty",
  /// "users_evaluated", "users_without_test_items"}
  nlohmann::json ToJson() const;
};

/// recommended[u]: user u's ranked items (item indices, best first; only the first k are read and
/// count; fewer than k is allowed, an empty list scores 0). relevant: users × items CSR of held-out
/// items (every stored entry is one held-out item, values ignored; rows must equal
/// recommended.size()). item_popularity[i]: the fraction of training users who interacted with
/// item i, in [0, 1] (size = relevant.cols()); users are the matrices' rows, so "one user" is
/// 1 / relevant.rows().
///
/// Throws kInvalidArgument for k = 0, sizes that do not match, an item index outside
/// [0, relevant.cols()), an item listed twice in a user's top k (a ranking lists each item once),
/// or a popularity that is NaN or outside [0, 1]; kInvalidData when no user has a held-out item
/// (there is nothing to evaluate, and zeros would read as a result). Sequential and deterministic;
/// thread-safe (no shared state).
RankingMetrics EvaluateRanking(std::span<const std::vector<int32_t>> recommended,
                               const CsrMatrix& relevant, size_t k,
                               std::span<const double> item_popularity);

/// The k best items from `scores` (one per item), best first; ties broken by the lower item index
/// so rankings are deterministic; items where excluded[i] is non-zero never appear (empty = none
/// excluded, else one flag per item); NaN scores never appear (±inf rank as the largest and
/// smallest scores). Fewer than k items come back when fewer are eligible. O(n log k) time, O(k)
/// memory: a bounded heap of the k best seen so far. Throws kInvalidArgument for k = 0, an
/// `excluded` of another size than `scores`, or more items than an int32_t index can name.
std::vector<int32_t> TopK(std::span<const float> scores, size_t k,
                          std::span<const uint8_t> excluded = {});

}  // namespace prospect
