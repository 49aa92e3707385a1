// List rules after scoring: per-category caps and MMR diversity (see rerank.hpp).
#include "prospect/models/recommend/rerank.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "prospect/common/error.hpp"

namespace prospect {

void ListRules::Check() const {
  if (!(mmr_lambda >= 0 && mmr_lambda <= 1)) {
    Fail(ErrorCode::kInvalidArgument,
         "MMR lambda is {}; expected a number from 0 (most diverse) to 1 (the model's order)",
         mmr_lambda);
  }
  if (max_per_category > 0 && category.empty()) {
    Fail(ErrorCode::kInvalidArgument, "at most {} items per category needs the items' categories",
         max_per_category);
  }
}

size_t CandidatePoolSize(const ListRules& rules, size_t k, size_t items) {
  if (!rules.active()) return std::min(k, items);
  return std::min(items, std::max<size_t>(10 * k, 100));
}

double UserSetCosine(const CsrMatrix& item_users, int32_t a, int32_t b) {
  const auto ua = item_users.RowIndices(static_cast<size_t>(a));
  const auto ub = item_users.RowIndices(static_cast<size_t>(b));
  if (ua.empty() || ub.empty()) return 0;
  size_t shared = 0;
  for (size_t i = 0, j = 0; i < ua.size() && j < ub.size();) {
    if (ua[i] < ub[j]) {
      ++i;
    } else if (ub[j] < ua[i]) {
      ++j;
    } else {
      ++shared, ++i, ++j;
    }
  }
  return static_cast<double>(shared) /
         std::sqrt(static_cast<double>(ua.size()) * static_cast<double>(ub.size()));
}

double IntraListDiversity(std::span<const int32_t> list, const CsrMatrix& item_users) {
  if (list.size() < 2) return std::nan("");
  double sum = 0;
  for (size_t a = 0; a < list.size(); ++a) {
    for (size_t b = a + 1; b < list.size(); ++b) sum += UserSetCosine(item_users, list[a], list[b]);
  }
  const double pairs = static_cast<double>(list.size() * (list.size() - 1) / 2);
  return 1 - sum / pairs;
}

std::vector<ScoredItem> ApplyListRules(std::span<const ScoredItem> candidates, size_t k,
                                       const ListRules& rules, const CsrMatrix& item_users) {
  rules.Check();
  std::unordered_map<int32_t, size_t> picked_in;  // category → items picked
  auto capped = [&](int32_t item) {
    if (rules.max_per_category == 0) return false;
    const int32_t c = rules.category[static_cast<size_t>(item)];
    return c >= 0 && picked_in[c] >= rules.max_per_category;
  };
  std::vector<ScoredItem> out;
  if (rules.mmr_lambda >= 1) {  // the model's order, caps only
    for (const ScoredItem& s : candidates) {
      if (out.size() == k) break;
      if (capped(s.item)) continue;
      out.push_back(s);
      if (rules.max_per_category > 0) {
        const int32_t c = rules.category[static_cast<size_t>(s.item)];
        if (c >= 0) ++picked_in[c];
      }
    }
    return out;
  }
  PROSPECT_CHECK(item_users.rows() > 0 || candidates.empty());
  double best = -std::numeric_limits<double>::infinity(), worst = -best;
  for (const ScoredItem& s : candidates) {
    best = std::max(best, static_cast<double>(s.score));
    worst = std::min(worst, static_cast<double>(s.score));
  }
  const double range = best - worst;
  std::vector<double> closest(candidates.size(), 0.0);  // largest similarity to a picked item
  std::vector<uint8_t> taken(candidates.size(), 0);
  const double lambda = rules.mmr_lambda;
  while (out.size() < k) {
    size_t pick = candidates.size();
    double pick_value = 0;
    for (size_t c = 0; c < candidates.size(); ++c) {
      if (taken[c] || capped(candidates[c].item)) continue;
      const double relevance = range > 0 ? (candidates[c].score - worst) / range : 1.0;
      const double value = lambda * relevance - (1 - lambda) * closest[c];
      if (pick == candidates.size() || value > pick_value) pick = c, pick_value = value;
    }
    if (pick == candidates.size()) break;
    taken[pick] = 1;
    out.push_back(candidates[pick]);
    const int32_t item = candidates[pick].item;
    if (rules.max_per_category > 0) {
      const int32_t c = rules.category[static_cast<size_t>(item)];
      if (c >= 0) ++picked_in[c];
    }
    for (size_t c = 0; c < candidates.size(); ++c) {
      if (!taken[c])
        closest[c] = std::max(closest[c], UserSetCosine(item_users, candidates[c].item, item));
    }
  }
  return out;
}

}  // namespace prospect
