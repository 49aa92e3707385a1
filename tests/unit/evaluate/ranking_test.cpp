// Ranking metrics at k and TopK: hand-computed values (worked out in the comments), the exclusion
// of users without held-out items, every input error word for word, and randomised cross-checks
// against brute-force reimplementations of the definitions.
#include "prospect/evaluate/ranking.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>

#include "prospect/common/rng.hpp"
#include "support/expect_error.hpp"

namespace prospect {
namespace {

constexpr double kTight = 1e-12;

// users × n_items held-out matrix from one item list per user.
CsrMatrix HeldOut(size_t n_items, const std::vector<std::vector<size_t>>& items_of_user) {
  std::vector<CsrMatrix::Triplet> entries;
  for (size_t u = 0; u < items_of_user.size(); ++u) {
    for (size_t i : items_of_user[u]) entries.push_back({u, i, 1.0});
  }
  return CsrMatrix::FromTriplets(items_of_user.size(), n_items, entries);
}

TEST(Ranking, OneUserMatchesTheHandComputedValues) {
  // H = {2, 5}, list [5, 1, 2], k = 3: hits at ranks 1 and 3.
  //   precision = 2/3; recall = 2/2 = 1; hit rate 1
  //   DCG  = 1/log2(2) + 1/log2(4) = 1 + 0.5 = 1.5
  //   IDCG = 1/log2(2) + 1/log2(3) = 1 + 0.6309297535714575 = 1.6309297535714575
  //   NDCG = 1.5 / 1.6309297535714575 = 0.9197207891481876
  //   MAP  = (1/min(3, 2)) (precision@1 + precision@3) = (1/2)(1/1 + 2/3) = 0.8333…
  const std::vector<std::vector<int32_t>> lists = {{5, 1, 2}};
  const std::vector<double> popularity(6, 0.5);
  const RankingMetrics m = EvaluateRanking(lists, HeldOut(6, {{2, 5}}), 3, popularity);
  EXPECT_EQ(m.k, 3u);
  EXPECT_NEAR(m.precision, 2.0 / 3.0, kTight);
  EXPECT_NEAR(m.recall, 1.0, kTight);
  EXPECT_NEAR(m.ndcg, 1.5 / 1.6309297535714575, kTight);
  EXPECT_NEAR(m.ndcg, 0.9197207891481876, kTight);
  EXPECT_NEAR(m.map, 0.5 * (1.0 + 2.0 / 3.0), kTight);
  EXPECT_NEAR(m.hit_rate, 1.0, kTight);
  EXPECT_EQ(m.users_evaluated, 1u);
  EXPECT_EQ(m.users_without_test_items, 0u);
  // Three distinct items of six recommended; every popularity 0.5 gives −log2(0.5) = 1.
  EXPECT_NEAR(m.coverage, 0.5, kTight);
  EXPECT_NEAR(m.novelty, 1.0, kTight);
}

TEST(Ranking, MeansOverUsersWithHeldOutItemsOnly) {
  // 5 users, 8 items, k = 3.
  //  u0: H = {2, 5}, list [5, 1, 2]: as above, P 2/3, R 1, NDCG 1.5/1.6309297535714575,
  //      AP (1/2)(1 + 2/3) = 5/6, hit 1.
  //  u1: H = {0, 1, 3, 4} (more than k), list [0, 2, 3]: hits at ranks 1 and 3.
  //      P 2/3, R 2/4 = 0.5, DCG 1 + 1/log2(4) = 1.5,
  //      IDCG over min(3, 4) = 3 ranks: 1 + 1/log2(3) + 1/log2(4) = 2.1309297535714578,
  //      AP (1/3)(1/1 + 2/3) = 5/9, hit 1.
  //  u2: H = {} with list [6, 7]: excluded from every number, counted in users_without_test_items.
  //  u3: H = {4}, list [4] shorter than k: P 1/3 (divided by k, not by the list length), R 1,
  //      DCG 1, IDCG over min(3, 1) = 1 rank = 1, NDCG 1, AP (1/1)(1/1) = 1, hit 1.
  //  u4: H = {1}, empty list: all zero.
  // Means over the 4 evaluated users:
  //   precision (2/3 + 2/3 + 1/3 + 0) / 4 = 5/12;  recall (1 + 0.5 + 1 + 0) / 4 = 0.625
  //   NDCG (0.9197207891481876 + 0.7039180890341347 + 1 + 0) / 4
  //   MAP (5/6 + 5/9 + 1 + 0) / 4 = 43/72;  hit rate 3/4
  // Coverage: evaluated lists hold {5, 1, 2} ∪ {0, 2, 3} ∪ {4} = 6 of 8 items = 0.75 (u2's items
  // 6 and 7 would make it 1).
  // Novelty: popularities below; item 4 has 0, counted as one user of 5 = 0.2. Recommended items
  // of evaluated users: 5, 1, 2 | 0, 2, 3 | 4 → −log2: 0 + 2 + 3 | 1 + 3 + 1 | log2(5),
  // mean (10 + log2 5) / 7 = 1.760275442126766.
  const std::vector<std::vector<int32_t>> lists = {{5, 1, 2}, {0, 2, 3}, {6, 7}, {4}, {}};
  const CsrMatrix held_out = HeldOut(8, {{2, 5}, {0, 1, 3, 4}, {}, {4}, {1}});
  const std::vector<double> popularity = {0.5, 0.25, 0.125, 0.5, 0.0, 1.0, 0.25, 0.25};
  const RankingMetrics m = EvaluateRanking(lists, held_out, 3, popularity);
  EXPECT_EQ(m.users_evaluated, 4u);
  EXPECT_EQ(m.users_without_test_items, 1u);
  EXPECT_NEAR(m.precision, 5.0 / 12.0, kTight);
  EXPECT_NEAR(m.recall, 0.625, kTight);
  EXPECT_NEAR(1.5 / 2.1309297535714578, 0.7039180890341347, kTight);
  EXPECT_NEAR(m.ndcg, (0.9197207891481876 + 0.7039180890341347 + 1.0) / 4.0, kTight);
  EXPECT_NEAR(m.map, 43.0 / 72.0, kTight);
  EXPECT_NEAR(m.hit_rate, 0.75, kTight);
  EXPECT_NEAR(m.coverage, 0.75, kTight);
  EXPECT_NEAR(m.novelty, (10.0 + std::log2(5.0)) / 7.0, kTight);
  EXPECT_NEAR(m.novelty, 1.760275442126766, kTight);
  const nlohmann::json j = m.ToJson();
  EXPECT_EQ(j["k"], 3);
  EXPECT_EQ(j["users_without_test_items"], 1);
  EXPECT_DOUBLE_EQ(j["map"].get<double>(), m.map);
}

TEST(Ranking, ListsOfUsersWithoutHeldOutItemsChangeNothing) {
  // The same users once with a list for u1, who has nothing held out, and once with an empty list
  // for u1: equal metrics; only the count of excluded non-empty lists differs.
  const CsrMatrix held_out = HeldOut(5, {{0}, {}, {3}});
  const std::vector<double> popularity = {0.5, 0.5, 0.25, 0.125, 0.0625};
  const std::vector<std::vector<int32_t>> with = {{0, 1}, {4, 3, 1}, {2, 3}};
  const std::vector<std::vector<int32_t>> without = {{0, 1}, {}, {2, 3}};
  const RankingMetrics a = EvaluateRanking(with, held_out, 2, popularity);
  const RankingMetrics b = EvaluateRanking(without, held_out, 2, popularity);
  EXPECT_EQ(a.users_without_test_items, 1u);
  EXPECT_EQ(b.users_without_test_items, 0u);
  nlohmann::json expected = b.ToJson();
  expected["users_without_test_items"] = 1;
  EXPECT_EQ(a.ToJson(), expected);
  // u0 hits at rank 1 of k = 2 (P 1/2, AP 1/min(2, 1) · 1 = 1, NDCG 1); u2 hits at rank 2 (P 1/2,
  // AP 1/2, NDCG (1/log2 3) / 1 = 0.6309297535714575). Coverage {0, 1, 2, 3} = 4 of 5 items (u1's
  // item 4 would make it 1). Novelty over items 0, 1 | 2, 3: (1 + 1 + 2 + 3) / 4 = 1.75.
  EXPECT_NEAR(a.precision, 0.5, kTight);
  EXPECT_NEAR(a.map, 0.75, kTight);
  EXPECT_NEAR(a.ndcg, (1.0 + 0.6309297535714575) / 2.0, kTight);
  EXPECT_NEAR(a.coverage, 0.8, kTight);
  EXPECT_NEAR(a.novelty, 1.75, kTight);
}

TEST(Ranking, ItemsAfterTheFirstKAreNotRead) {
  // k = 2: the hit at rank 3 and the out-of-range item at rank 4 are beyond the cut.
  const std::vector<std::vector<int32_t>> lists = {{0, 1, 2, 99}};
  const RankingMetrics m =
      EvaluateRanking(lists, HeldOut(3, {{2}}), 2, std::vector<double>(3, 0.5));
  EXPECT_EQ(m.precision, 0.0);
  EXPECT_EQ(m.recall, 0.0);
  EXPECT_EQ(m.hit_rate, 0.0);
  EXPECT_NEAR(m.coverage, 2.0 / 3.0, kTight);
}

TEST(Ranking, RejectsBadInputNamingTheValue) {
  const CsrMatrix held_out = HeldOut(3, {{0}, {1}});
  const std::vector<double> popularity(3, 0.5);
  const std::vector<std::vector<int32_t>> lists = {{0}, {1}};
  ExpectError([&] { (void)EvaluateRanking(lists, held_out, 0, popularity); },
              ErrorCode::kInvalidArgument, "ranking metrics: k must be at least 1, got 0");
  const std::vector<std::vector<int32_t>> one_list = {{0}};
  ExpectError([&] { (void)EvaluateRanking(one_list, held_out, 2, popularity); },
              ErrorCode::kInvalidArgument,
              "ranking metrics: 1 recommendation lists for 2 users (rows of the held-out matrix); "
              "give one list per user, empty for a user without recommendations");
  const std::vector<double> short_popularity(2, 0.5);
  ExpectError([&] { (void)EvaluateRanking(lists, held_out, 2, short_popularity); },
              ErrorCode::kInvalidArgument,
              "ranking metrics: 2 item popularities for 3 items (columns of the held-out matrix); "
              "give one per item");
  const std::vector<double> bad_popularity = {0.5, 1.5, 0.5};
  ExpectError([&] { (void)EvaluateRanking(lists, held_out, 2, bad_popularity); },
              ErrorCode::kInvalidArgument,
              "ranking metrics: the popularity of item 1 is 1.5; expected the fraction of "
              "training users who interacted with it, in [0, 1]");
  const std::vector<double> nan_popularity = {0.5, 0.5, std::nan("")};
  ExpectError([&] { (void)EvaluateRanking(lists, held_out, 2, nan_popularity); },
              ErrorCode::kInvalidArgument,
              "ranking metrics: the popularity of item 2 is nan; expected the fraction of "
              "training users who interacted with it, in [0, 1]");
  const std::vector<std::vector<int32_t>> outside = {{0}, {1, 3}};
  ExpectError([&] { (void)EvaluateRanking(outside, held_out, 2, popularity); },
              ErrorCode::kInvalidArgument,
              "ranking metrics: user 1 is recommended item 3 at position 2; item indices must lie "
              "in [0, 3), the columns of the held-out matrix");
  const std::vector<std::vector<int32_t>> negative = {{-1}, {1}};
  ExpectError([&] { (void)EvaluateRanking(negative, held_out, 2, popularity); },
              ErrorCode::kInvalidArgument,
              "ranking metrics: user 0 is recommended item -1 at position 1; item indices must "
              "lie in [0, 3), the columns of the held-out matrix");
  const std::vector<std::vector<int32_t>> repeated = {{0}, {2, 1, 2}};
  ExpectError([&] { (void)EvaluateRanking(repeated, held_out, 3, popularity); },
              ErrorCode::kInvalidArgument,
              "ranking metrics: user 1 has item 2 twice in the top 3 (positions 1 and 3); a "
              "ranking lists each item once");
  // A user without held-out items is not scored, but their list is still checked.
  const CsrMatrix some_empty = HeldOut(3, {{0}, {}});
  ExpectError([&] { (void)EvaluateRanking(repeated, some_empty, 3, popularity); },
              ErrorCode::kInvalidArgument,
              "ranking metrics: user 1 has item 2 twice in the top 3 (positions 1 and 3); a "
              "ranking lists each item once");
  ExpectError(
      [&] {
        (void)EvaluateRanking(lists, HeldOut(3, {{}, {}}), 2, popularity);
      },
      ErrorCode::kInvalidData,
      "ranking metrics: none of the 2 users has a held-out item (the held-out matrix is "
      "empty); split so that some users keep interactions for testing");
}

// The definitions written out the slow, obvious way: a 0/1 relevance vector over the first k
// ranks, precision@i recounted from scratch at every hit, the ideal DCG from the relevance vector
// of a perfect ranking.
struct BruteForce {
  double precision, recall, ndcg, map, hit;
};

BruteForce BruteForceRanking(const std::vector<int32_t>& list, const std::set<int32_t>& held,
                             size_t k) {
  std::vector<int> rel(k, 0);
  for (size_t i = 0; i < std::min(k, list.size()); ++i) rel[i] = held.count(list[i]) ? 1 : 0;
  const double hits = std::accumulate(rel.begin(), rel.end(), 0.0);
  double dcg = 0, ap = 0;
  for (size_t i = 0; i < k; ++i) {
    dcg += rel[i] / std::log2(static_cast<double>(i) + 2.0);
    if (rel[i] == 1) {
      const double hits_to_i = std::accumulate(rel.begin(), rel.begin() + i + 1, 0.0);
      ap += hits_to_i / static_cast<double>(i + 1);
    }
  }
  std::vector<int> ideal(k, 0);
  for (size_t i = 0; i < std::min(k, held.size()); ++i) ideal[i] = 1;
  double idcg = 0;
  for (size_t i = 0; i < k; ++i) idcg += ideal[i] / std::log2(static_cast<double>(i) + 2.0);
  const double n_ideal = static_cast<double>(std::min(k, held.size()));
  return {hits / static_cast<double>(k), hits / static_cast<double>(held.size()), dcg / idcg,
          ap / n_ideal, hits > 0 ? 1.0 : 0.0};
}

TEST(Ranking, RandomCasesAgreeWithBruteForceDefinitions) {
  Rng rng(20240613);
  for (int trial = 0; trial < 200; ++trial) {
    const size_t n_items = 1 + rng() % 30, k = 1 + rng() % 12;
    std::vector<int32_t> items(n_items);
    std::iota(items.begin(), items.end(), 0);
    std::shuffle(items.begin(), items.end(), rng);
    const size_t list_size = rng() % (n_items + 1);
    const std::vector<std::vector<int32_t>> lists = {
        std::vector<int32_t>(items.begin(), items.begin() + static_cast<ptrdiff_t>(list_size))};
    std::set<int32_t> held;
    const size_t n_held = 1 + rng() % n_items;
    while (held.size() < n_held) held.insert(static_cast<int32_t>(rng() % n_items));
    std::vector<size_t> held_items(held.begin(), held.end());
    const RankingMetrics m = EvaluateRanking(lists, HeldOut(n_items, {held_items}), k,
                                             std::vector<double>(n_items, 0.5));
    const BruteForce expected = BruteForceRanking(lists[0], held, k);
    SCOPED_TRACE(::testing::Message() << "trial " << trial << ", k " << k);
    EXPECT_NEAR(m.precision, expected.precision, kTight);
    EXPECT_NEAR(m.recall, expected.recall, kTight);
    EXPECT_NEAR(m.ndcg, expected.ndcg, kTight);
    EXPECT_NEAR(m.map, expected.map, kTight);
    EXPECT_EQ(m.hit_rate, expected.hit);
  }
}

TEST(RankingTopK, EqualScoresRankByLowerItemFirst) {
  // Items 1, 2 and 4 tie at 3: they come in index order, then item 3 (2), then item 0 (1).
  const std::vector<float> scores = {1, 3, 3, 2, 3};
  EXPECT_EQ(TopK(scores, 2), (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(TopK(scores, 4), (std::vector<int32_t>{1, 2, 4, 3}));
  EXPECT_EQ(TopK(scores, 5), (std::vector<int32_t>{1, 2, 4, 3, 0}));
}

TEST(RankingTopK, ExcludedItemsAndNanScoresNeverAppear) {
  const std::vector<float> scores = {1, 3, 3, 2, 3};
  const std::vector<uint8_t> excluded = {0, 1, 0, 0, 1};
  EXPECT_EQ(TopK(scores, 2, excluded), (std::vector<int32_t>{2, 3}));
  // NaN is skipped wherever it stands; infinities are ordinary extremes.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> odd = {nan, 0.5f, -inf, nan, inf};
  EXPECT_EQ(TopK(odd, 10), (std::vector<int32_t>{4, 1, 2}));
  EXPECT_EQ(TopK(odd, 1), (std::vector<int32_t>{4}));
}

TEST(RankingTopK, KLargerThanTheItemCountGivesEveryEligibleItem) {
  const std::vector<float> scores = {0.25f, 0.75f, 0.5f};
  EXPECT_EQ(TopK(scores, 100), (std::vector<int32_t>{1, 2, 0}));
  EXPECT_EQ(TopK(scores, 100, std::vector<uint8_t>{1, 1, 1}), (std::vector<int32_t>{}));
  EXPECT_EQ(TopK(std::vector<float>{}, 3), (std::vector<int32_t>{}));
}

TEST(RankingTopK, RejectsKZeroAndAMismatchedExclusionMask) {
  const std::vector<float> scores = {1, 2, 3};
  ExpectError([&] { (void)TopK(scores, 0); }, ErrorCode::kInvalidArgument,
              "top k: k must be at least 1, got 0");
  ExpectError(
      [&] {
        (void)TopK(scores, 2, std::vector<uint8_t>{0, 1});
      },
      ErrorCode::kInvalidArgument,
      "top k: 2 exclusion flags for 3 item scores; give one flag per item or none");
}

TEST(RankingTopK, RandomScoresAgreeWithAFullStableSort) {
  // Few distinct scores, so ties are everywhere; the reference sorts all items by score
  // descending with a stable sort (ties stay in index order) and keeps the first k eligible.
  Rng rng(7);
  for (int trial = 0; trial < 100; ++trial) {
    const size_t n = 1 + rng() % 500, k = 1 + rng() % 40;
    std::vector<float> scores(n);
    std::vector<uint8_t> excluded(n);
    for (size_t i = 0; i < n; ++i) {
      scores[i] = static_cast<float>(rng() % 9);
      if (rng() % 17 == 0) scores[i] = std::numeric_limits<float>::quiet_NaN();
      excluded[i] = rng() % 5 == 0 ? 1 : 0;
    }
    std::vector<int32_t> order;
    for (size_t i = 0; i < n; ++i) {
      if (!std::isnan(scores[i]) && excluded[i] == 0) order.push_back(static_cast<int32_t>(i));
    }
    std::stable_sort(order.begin(), order.end(),
                     [&](int32_t a, int32_t b) { return scores[a] > scores[b]; });
    order.resize(std::min(order.size(), k));
    EXPECT_EQ(TopK(scores, k, excluded), order) << "trial " << trial;
  }
}

}  // namespace
}  // namespace prospect
