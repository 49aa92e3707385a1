// Ranking metrics at k and TopK. One pass over each evaluated user's top k; per-user values are
// summed in user order, so results do not depend on anything but the input.
#include "prospect/evaluate/ranking.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "prospect/common/error.hpp"

namespace prospect {
namespace {

constexpr size_t kNotSeen = std::numeric_limits<size_t>::max();

// 1 / log2(rank + 1) for a 1-based rank: the DCG discount.
double RankDiscount(size_t rank) { return 1.0 / std::log2(static_cast<double>(rank) + 1.0); }

void CheckRankingInputs(std::span<const std::vector<int32_t>> recommended,
                        const CsrMatrix& relevant, size_t k,
                        std::span<const double> item_popularity) {
  if (k == 0) Fail(ErrorCode::kInvalidArgument, "ranking metrics: k must be at least 1, got 0");
  if (recommended.size() != relevant.rows()) {
    Fail(ErrorCode::kInvalidArgument,
         "ranking metrics: {} recommendation lists for {} users (rows of the held-out matrix); "
         "give one list per user, empty for a user without recommendations",
         recommended.size(), relevant.rows());
  }
  if (item_popularity.size() != relevant.cols()) {
    Fail(ErrorCode::kInvalidArgument,
         "ranking metrics: {} item popularities for {} items (columns of the held-out matrix); "
         "give one per item",
         item_popularity.size(), relevant.cols());
  }
  for (size_t i = 0; i < item_popularity.size(); ++i) {
    const double p = item_popularity[i];
    if (!(p >= 0.0 && p <= 1.0)) {
      Fail(ErrorCode::kInvalidArgument,
           "ranking metrics: the popularity of item {} is {}; expected the fraction of training "
           "users who interacted with it, in [0, 1]",
           i, p);
    }
  }
}

}  // namespace

nlohmann::json RankingMetrics::ToJson() const {
  return {{"k", k},
          {"precision", precision},
          {"recall", recall},
          {"ndcg", ndcg},
          {"map", map},
          {"hit_rate", hit_rate},
          {"coverage", coverage},
          {"novelty", novelty},
          {"users_evaluated", users_evaluated},
          {"users_without_test_items", users_without_test_items}};
}

RankingMetrics EvaluateRanking(std::span<const std::vector<int32_t>> recommended,
                               const CsrMatrix& relevant, size_t k,
                               std::span<const double> item_popularity) {
  CheckRankingInputs(recommended, relevant, k, item_popularity);
  const size_t n_items = relevant.cols();
  // A popularity of 0 (an item nobody had in training) would give −log2(0) = inf; one user is the
  // smallest popularity a seen item can have, so the unseen count as that.
  const double one_user = relevant.rows() > 0 ? 1.0 / static_cast<double>(relevant.rows()) : 1.0;
  // seen_by[i] = the user whose list last held item i, seen_at[i] its 0-based position there: finds
  // a repeated item in O(1) without clearing anything between users.
  std::vector<size_t> seen_by(n_items, kNotSeen), seen_at(n_items, 0);
  std::vector<uint8_t> covered(n_items, 0);
  RankingMetrics m;
  m.k = k;
  double novelty_sum = 0;
  size_t recommended_count = 0;
  for (size_t u = 0; u < recommended.size(); ++u) {
    const std::span<const int32_t> held_out = relevant.RowIndices(u);  // ascending
    // Every list is checked, a user without held-out items too: a bad index is the caller's bug
    // wherever it stands. Only users with held-out items count.
    const bool evaluated = !held_out.empty();
    const std::vector<int32_t>& list = recommended[u];
    const size_t depth = std::min(k, list.size());
    size_t hits = 0;
    double dcg = 0, precision_at_hits = 0;
    for (size_t pos = 0; pos < depth; ++pos) {
      const int32_t item = list[pos];
      if (item < 0 || static_cast<size_t>(item) >= n_items) {
        Fail(
            ErrorCode::kInvalidArgument,
            "ranking metrics: user {} is recommended item {} at position {}; item indices must lie "
            "in [0, {}), the columns of the held-out matrix",
            u, item, pos + 1, n_items);
      }
      const auto i = static_cast<size_t>(item);
      if (seen_by[i] == u) {
        Fail(ErrorCode::kInvalidArgument,
             "ranking metrics: user {} has item {} twice in the top {} (positions {} and {}); a "
             "ranking lists each item once",
             u, item, k, seen_at[i] + 1, pos + 1);
      }
      seen_by[i] = u;
      seen_at[i] = pos;
      if (!evaluated) continue;
      covered[i] = 1;
      const double p = item_popularity[i];
      novelty_sum += -std::log2(p > 0 ? p : one_user);
      ++recommended_count;
      if (std::binary_search(held_out.begin(), held_out.end(), item)) {
        ++hits;
        dcg += RankDiscount(pos + 1);
        precision_at_hits += static_cast<double>(hits) / static_cast<double>(pos + 1);
      }
    }
    if (!evaluated) {
      if (!list.empty()) ++m.users_without_test_items;
      continue;
    }
    // The best possible list puts min(k, |H|) held-out items first.
    const size_t ideal_hits = std::min(k, held_out.size());
    double idcg = 0;
    for (size_t rank = 1; rank <= ideal_hits; ++rank) idcg += RankDiscount(rank);
    m.precision += static_cast<double>(hits) / static_cast<double>(k);
    m.recall += static_cast<double>(hits) / static_cast<double>(held_out.size());
    m.ndcg += dcg / idcg;
    m.map += precision_at_hits / static_cast<double>(ideal_hits);
    m.hit_rate += hits > 0 ? 1.0 : 0.0;
    ++m.users_evaluated;
  }
  if (m.users_evaluated == 0) {
    Fail(ErrorCode::kInvalidData,
         "ranking metrics: none of the {} users has a held-out item (the held-out matrix is "
         "empty); split so that some users keep interactions for testing",
         recommended.size());
  }
  const auto users = static_cast<double>(m.users_evaluated);
  m.precision /= users;
  m.recall /= users;
  m.ndcg /= users;
  m.map /= users;
  m.hit_rate /= users;
  const auto distinct = static_cast<double>(std::count(covered.begin(), covered.end(), 1));
  m.coverage = n_items > 0 ? distinct / static_cast<double>(n_items) : 0.0;
  m.novelty = recommended_count > 0 ? novelty_sum / static_cast<double>(recommended_count) : 0.0;
  return m;
}

std::vector<int32_t> TopK(std::span<const float> scores, size_t k,
                          std::span<const uint8_t> excluded) {
  if (k == 0) Fail(ErrorCode::kInvalidArgument, "top k: k must be at least 1, got 0");
  if (!excluded.empty() && excluded.size() != scores.size()) {
    Fail(ErrorCode::kInvalidArgument,
         "top k: {} exclusion flags for {} item scores; give one flag per item or none",
         excluded.size(), scores.size());
  }
  if (scores.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    Fail(ErrorCode::kInvalidArgument,
         "top k: {} item scores; item indices are int32, so at most {} items can be ranked",
         scores.size(), std::numeric_limits<int32_t>::max());
  }
  using Candidate = std::pair<float, int32_t>;  // (score, item)
  // "a ranks before b": the higher score, then the lower item. As the heap's "less", it keeps the
  // worst of the best k at the front, the one a better item replaces.
  const auto ranks_before = [](const Candidate& a, const Candidate& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  };
  std::vector<Candidate> best;
  best.reserve(std::min(k, scores.size()));
  for (size_t i = 0; i < scores.size(); ++i) {
    const float s = scores[i];
    if (std::isnan(s) || (!excluded.empty() && excluded[i] != 0)) continue;
    const Candidate c{s, static_cast<int32_t>(i)};
    if (best.size() < k) {
      best.push_back(c);
      std::push_heap(best.begin(), best.end(), ranks_before);
    } else if (s > best.front().first) {
      // Items arrive in ascending index, so an equal score never beats the heap's worst: only a
      // strictly higher one enters.
      std::pop_heap(best.begin(), best.end(), ranks_before);
      best.back() = c;
      std::push_heap(best.begin(), best.end(), ranks_before);
    }
  }
  std::sort(best.begin(), best.end(), ranks_before);
  std::vector<int32_t> items(best.size());
  for (size_t r = 0; r < best.size(); ++r) items[r] = best[r].second;
  return items;
}

}  // namespace prospect
