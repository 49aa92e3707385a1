// BPR: a checkerboard of user blocks stays in its block, training and held-out AUC on users of
// known tastes, one thread reproducible bit for bit, two threads within a tolerance of one, and a
// new user folded in from their history.
#include "prospect/models/recommend/bpr.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "prospect/common/error.hpp"
#include "support/expect_error.hpp"

namespace prospect {
namespace {

// Users of block b (of 4) choose 6 of the block's 12 items, a different 6 per user.
CsrMatrix BprCheckerboard() {
  std::vector<CsrMatrix::Triplet> entries;
  for (size_t u = 0; u < 160; ++u) {
    const size_t block = u % 4;
    for (size_t k = 0; k < 6; ++k) entries.push_back({u, block * 12 + (u / 4 + 5 * k) % 12, 1.0});
  }
  return CsrMatrix::FromTriplets(160, 48, entries);
}

// 600 users × 120 items in 6 taste groups of 20 items, item popularity falling within each group;
// a user takes 14 items, about 85 % from their group. One item per user is held out.
struct BprTastes {
  CsrMatrix train;
  std::vector<int32_t> held_out;  ///< per user
};

BprTastes MakeBprTastes() {
  std::mt19937_64 rng(17);
  std::vector<CsrMatrix::Triplet> entries;
  BprTastes out;
  for (size_t u = 0; u < 600; ++u) {
    const size_t group = u % 6;
    std::set<size_t> items;
    while (items.size() < 14) {
      // Within a group, item r is picked with weight ∝ 1 / (r + 3).
      std::discrete_distribution<size_t> rank({1 / 3.,  1 / 4.,  1 / 5.,  1 / 6.,  1 / 7.,
                                               1 / 8.,  1 / 9.,  1 / 10., 1 / 11., 1 / 12.,
                                               1 / 13., 1 / 14., 1 / 15., 1 / 16., 1 / 17.,
                                               1 / 18., 1 / 19., 1 / 20., 1 / 21., 1 / 22.});
      const size_t g = rng() % 100 < 85 ? group : rng() % 6;
      items.insert(g * 20 + rank(rng));
    }
    std::vector<size_t> chosen(items.begin(), items.end());
    const size_t held = chosen[rng() % chosen.size()];
    out.held_out.push_back(static_cast<int32_t>(held));
    for (const size_t i : chosen) {
      if (i != held) entries.push_back({u, i, 1.0});
    }
  }
  out.train = CsrMatrix::FromTriplets(600, 120, entries);
  return out;
}

// Mean over users of the share of items outside the training history that score below the
// held-out item (ties count half): 0.5 is chance, 1 a perfect ranking.
double HeldOutAuc(const Recommender& model, const BprTastes& data) {
  double total = 0;
  for (size_t u = 0; u < data.train.rows(); ++u) {
    const std::vector<float> scores = model.Scores(HistoryOf(data.train, u));
    const auto seen = data.train.RowIndices(u);
    const float held = scores[static_cast<size_t>(data.held_out[u])];
    double below = 0, others = 0;
    for (size_t i = 0; i < scores.size(); ++i) {
      const auto item = static_cast<int32_t>(i);
      if (item == data.held_out[u] || std::binary_search(seen.begin(), seen.end(), item)) continue;
      below += scores[i] < held ? 1.0 : scores[i] == held ? 0.5 : 0.0;
      ++others;
    }
    total += below / others;
  }
  return total / static_cast<double>(data.train.rows());
}

Bpr SmallBpr(int64_t iterations = 40) {
  return Bpr(nlohmann::json{{"factors", 16}, {"iterations", iterations}});
}

TEST(Bpr, ACheckerboardOfBlocksStaysInItsBlock) {
  const CsrMatrix x = BprCheckerboard();
  // λ above the default: on 160 users, steps this large with little regularisation also learn
  // which of the block's items each user left out (they are that user's negatives).
  Bpr bpr(nlohmann::json{{"factors", 16}, {"iterations", 40}, {"regularization", 0.05}});
  bpr.Fit(x, Context(1, 4));
  for (size_t u = 0; u < x.rows(); ++u) {
    for (const ScoredItem& r : bpr.Recommend(HistoryOf(x, u), 6))
      EXPECT_EQ(static_cast<size_t>(r.item) / 12, u % 4) << "user " << u;
  }
  // Similar items come from the item's block.
  for (const ScoredItem& r : bpr.SimilarItems(13, 5)) EXPECT_EQ(r.item / 12, 1) << r.item;
}

TEST(Bpr, LearnsTastesTrainingAucRisesAndHeldOutItemsRankHigh) {
  const BprTastes data = MakeBprTastes();
  Bpr bpr = SmallBpr();
  bpr.Fit(data.train, Context(1, 8));
  const std::vector<double>& auc = bpr.training_auc_history();
  ASSERT_EQ(auc.size(), 40u);
  EXPECT_LT(auc.front(), 0.7);  // factors start near 0: near chance
  EXPECT_GT(auc.back(), 0.9);
  EXPECT_GT(auc.back(), auc[auc.size() / 2]);
  EXPECT_GT(auc[auc.size() / 2], auc[auc.size() / 4]);
  EXPECT_GT(HeldOutAuc(bpr, data), 0.85);
}

TEST(Bpr, OneThreadIsReproducibleBitForBitAndTheSeedMatters) {
  const BprTastes data = MakeBprTastes();
  Bpr first = SmallBpr(10), second = SmallBpr(10), other_seed = SmallBpr(10);
  first.Fit(data.train, Context(1, 21));
  second.Fit(data.train, Context(1, 21));
  other_seed.Fit(data.train, Context(1, 22));
  EXPECT_EQ(first.user_factors(), second.user_factors());
  EXPECT_EQ(first.item_factors(), second.item_factors());
  EXPECT_EQ(first.training_auc_history(), second.training_auc_history());
  EXPECT_EQ(first.Save(), second.Save());
  EXPECT_NE(first.item_factors(), other_seed.item_factors());
}

// Two threads update shared rows without locks, so their model is not one thread's bit for bit;
// the documented promise (bpr.hpp) is the same ranking quality within 0.02 held-out AUC.
TEST(Bpr, TwoThreadsRankWithinToleranceOfOne) {
  const BprTastes data = MakeBprTastes();
  Bpr one = SmallBpr(), two = SmallBpr();
  one.Fit(data.train, Context(1, 5));
  two.Fit(data.train, Context(2, 5));
  const double auc_one = HeldOutAuc(one, data), auc_two = HeldOutAuc(two, data);
  EXPECT_GT(auc_one, 0.85);
  EXPECT_NEAR(auc_two, auc_one, 0.02);
  EXPECT_NEAR(two.training_auc_history().back(), one.training_auc_history().back(), 0.02);
}

TEST(Bpr, ANewUserIsFoldedInFromTheirHistory) {
  const BprTastes data = MakeBprTastes();
  Bpr bpr = SmallBpr();
  bpr.Fit(data.train, Context(1, 8));
  // The same history as a training user: mostly the same top 10, and the same group's items.
  double overlap = 0;
  for (size_t u = 0; u < 60; ++u) {
    const UserHistory trained = HistoryOf(data.train, u);
    const UserHistory fresh{-1, trained.items, {}};
    std::set<int32_t> known;
    for (const ScoredItem& r : bpr.Recommend(trained, 10)) known.insert(r.item);
    const std::vector<ScoredItem> folded = bpr.Recommend(fresh, 10);
    ASSERT_EQ(folded.size(), 10u);
    for (const ScoredItem& r : folded) overlap += known.contains(r.item) ? 0.1 : 0.0;
    EXPECT_EQ(bpr.Recommend(fresh, 10), folded);  // deterministic
  }
  EXPECT_GT(overlap / 60, 0.6);
  // A new user with three items of group 2 gets group 2's items.
  const std::vector<int32_t> items = {40, 41, 45};
  for (const ScoredItem& r : bpr.Recommend({-1, items, {}}, 5)) EXPECT_EQ(r.item / 20, 2) << r.item;
}

TEST(Bpr, LoadRefusesFactorsOfTheWrongSize) {
  Bpr bpr = SmallBpr(2);
  bpr.Fit(BprCheckerboard(), Context(1, 1));
  ModelWriter writer("recommend/bpr", bpr.Params());
  writer.AddBlock("recommend_meta",
                  R"({"recommend_format": 1, "num_users": 160, "num_items": 48})");
  writer.AddArray<float>("user_factors", bpr.user_factors());
  writer.AddArray<float>("item_factors", std::span(bpr.item_factors()).first(47 * 17));
  ExpectError([&] { Recommender::Load(writer.Finish()); }, ErrorCode::kInvalidData,
              "model file: bpr holds 2720 user and 799 item factor values for 160 users, 48 items "
              "and 16 factors plus a bias");
}

TEST(Bpr, AStepTooLargeToConvergeIsNamedNotRankedByNaN) {
  Bpr bpr(nlohmann::json{{"factors", 16}, {"iterations", 50}, {"learning_rate", 10}});
  ExpectErrorStartingWith([&] { bpr.Fit(MakeBprTastes().train, Context(1, 1)); },
                          "bpr: the factors overflowed in epoch ", "");
}

}  // namespace
}  // namespace prospect
