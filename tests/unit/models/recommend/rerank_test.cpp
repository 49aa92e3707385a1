// List rules by hand: caps per category, MMR's picks for a λ on either side of where the choice
// turns, the user-set cosine MMR uses, and the errors for rules that cannot hold.
#include "prospect/models/recommend/rerank.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "prospect/common/error.hpp"
#include "support/expect_error.hpp"

namespace prospect {
namespace {

// Items × users: items 0 and 1 have the same users {0, 1}; item 2 has {2}; item 3 {0, 1, 2}.
CsrMatrix ItemUsers() {
  const std::vector<CsrMatrix::Triplet> entries = {{0, 0, 1}, {0, 1, 1}, {1, 0, 1}, {1, 1, 1},
                                                   {2, 2, 1}, {3, 0, 1}, {3, 1, 1}, {3, 2, 1}};
  return CsrMatrix::FromTriplets(4, 3, entries);
}

std::vector<int32_t> Items(const std::vector<ScoredItem>& list) {
  std::vector<int32_t> out;
  for (const ScoredItem& s : list) out.push_back(s.item);
  return out;
}

TEST(ListRules, UserSetCosineCountsSharedUsers) {
  const CsrMatrix m = ItemUsers();
  EXPECT_DOUBLE_EQ(UserSetCosine(m, 0, 1), 1.0);
  EXPECT_DOUBLE_EQ(UserSetCosine(m, 0, 2), 0.0);
  EXPECT_DOUBLE_EQ(UserSetCosine(m, 0, 3), 2 / std::sqrt(6.0));  // 2 shared of 2 and 3 users
  const CsrMatrix lonely = CsrMatrix::FromTriplets(2, 1, std::vector<CsrMatrix::Triplet>{});
  EXPECT_EQ(UserSetCosine(lonely, 0, 1), 0.0);  // no users: no similarity, not NaN
}

TEST(ListRules, IntraListDiversityIsOneMinusTheMeanPairCosine) {
  const CsrMatrix m = ItemUsers();
  EXPECT_DOUBLE_EQ(IntraListDiversity(std::vector<int32_t>{0, 1}, m), 0.0);
  EXPECT_DOUBLE_EQ(IntraListDiversity(std::vector<int32_t>{0, 2}, m), 1.0);
  EXPECT_DOUBLE_EQ(IntraListDiversity(std::vector<int32_t>{0, 1, 2}, m), 1 - 1.0 / 3);
  EXPECT_TRUE(std::isnan(IntraListDiversity(std::vector<int32_t>{3}, m)));
}

TEST(ListRules, CapsPerCategorySkipToTheNextBestOfAnotherCategory) {
  const std::vector<ScoredItem> candidates = {{0, 4}, {1, 3}, {2, 2}, {3, 1}};
  const std::vector<int32_t> category = {7, 7, -1, 8};  // item 2 has none: never capped
  const ListRules one_each{.category = category, .max_per_category = 1};
  EXPECT_EQ(Items(ApplyListRules(candidates, 3, one_each, {})), (std::vector<int32_t>{0, 2, 3}));
  // Fewer than k when the caps leave too few: the caller asks again with more candidates.
  EXPECT_EQ(ApplyListRules(candidates, 4, one_each, {}).size(), 3u);
  // Scores are the model's, unchanged.
  EXPECT_EQ(ApplyListRules(candidates, 1, one_each, {})[0], (ScoredItem{0, 4}));
  EXPECT_EQ(CandidatePoolSize(one_each, 10, 5000), 100u);
  EXPECT_EQ(CandidatePoolSize(one_each, 20, 150), 150u);
  EXPECT_EQ(CandidatePoolSize({}, 20, 5000), 20u);
}

TEST(ListRules, MmrTradesScoreForItemsUnlikeThosePicked) {
  const CsrMatrix m = ItemUsers();
  // Relevance scaled over the candidates: item 0 → 1, item 1 → 0.8, item 2 → 0.
  const std::vector<ScoredItem> candidates = {{0, 1.0f}, {1, 0.9f}, {2, 0.5f}};
  // After item 0: item 1 is worth 0.8λ − (1 − λ)·1, item 2 is worth 0; the turn is at λ = 5/9.
  EXPECT_EQ(Items(ApplyListRules(candidates, 3, {.mmr_lambda = 0.6}, m)),
            (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(Items(ApplyListRules(candidates, 3, {.mmr_lambda = 0.5}, m)),
            (std::vector<int32_t>{0, 2, 1}));
  EXPECT_EQ(Items(ApplyListRules(candidates, 3, {.mmr_lambda = 1}, m)),
            (std::vector<int32_t>{0, 1, 2}));
  // λ = 0: the score only chooses the first pick (ties go to the earlier candidate).
  EXPECT_EQ(Items(ApplyListRules(candidates, 2, {.mmr_lambda = 0}, m)),
            (std::vector<int32_t>{0, 2}));
}

TEST(ListRules, RulesThatCannotHoldAreNamed) {
  ExpectError([] { ListRules{.mmr_lambda = 1.5}.Check(); }, ErrorCode::kInvalidArgument,
              "MMR lambda is 1.5; expected a number from 0 (most diverse) to 1 (the model's "
              "order)");
  ExpectError([] { ListRules{.mmr_lambda = std::nan("")}.Check(); }, ErrorCode::kInvalidArgument,
              "MMR lambda is nan; expected a number from 0 (most diverse) to 1 (the model's "
              "order)");
  ExpectError([] { ListRules{.max_per_category = 2}.Check(); }, ErrorCode::kInvalidArgument,
              "at most 2 items per category needs the items' categories");
}

}  // namespace
}  // namespace prospect
