// Recommenders against independent values: EASE's weights and item-kNN's similarities against
// NumPy (tests/fixtures/recommend/make_recommend_fixture.py → recommend_fixture.json), popularity
// and scoring by hand, a checkerboard of user blocks, and the filters of Recommend.
#include <gtest/gtest.h>

#include <cmath>

#include "prospect/common/error.hpp"
#include "prospect/models/recommend/ease.hpp"
#include "prospect/models/recommend/item_knn.hpp"
#include "prospect/models/recommend/popularity.hpp"
#include "support/expect_error.hpp"
#include "support/json_fixture.hpp"

namespace prospect {
namespace {

const nlohmann::json& Reference() {
  return testing::LoadJsonFixture("recommend/recommend_fixture.json");
}

CsrMatrix FromDense(const nlohmann::json& rows) {
  std::vector<CsrMatrix::Triplet> entries;
  for (size_t u = 0; u < rows.size(); ++u) {
    for (size_t i = 0; i < rows[u].size(); ++i) {
      const double v = rows[u][i].get<double>();
      if (v != 0) entries.push_back({u, i, v});
    }
  }
  return CsrMatrix::FromTriplets(rows.size(), rows[0].size(), entries);
}

// The similarity kept for (i, j), 0 when j is not among i's neighbours.
double SimilarityAt(const CsrMatrix& s, size_t i, size_t j) {
  const auto js = s.RowIndices(i);
  const auto vs = s.RowValues(i);
  for (size_t k = 0; k < js.size(); ++k) {
    if (static_cast<size_t>(js[k]) == j) return vs[k];
  }
  return 0;
}

TEST(Ease, WeightsMatchNumPysClosedForm) {
  const CsrMatrix x = FromDense(Reference()["x"]);
  Ease ease(nlohmann::json{{"lambda", Reference()["ease"]["lambda"]}});
  ease.Fit(x, Context());
  const auto& b = Reference()["ease"]["b"];
  const size_t n = x.cols();
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j)
      EXPECT_NEAR(ease.weights()[i * n + j], b[i][j].get<double>(), 1e-6) << i << "," << j;
  }
  // A user's scores are their row times B.
  const std::vector<float> scores = ease.Scores(HistoryOf(x, 3));
  for (size_t j = 0; j < n; ++j) {
    double expected = 0;
    for (size_t i = 0; i < n; ++i)
      expected += Reference()["x"][3][i].get<double>() * b[i][j].get<double>();
    EXPECT_NEAR(scores[j], expected, 1e-5) << j;
  }
}

TEST(ItemKnn, SimilaritiesMatchNumPyForEveryWeighting) {
  const CsrMatrix x = FromDense(Reference()["x"]);
  const auto& ref = Reference()["item_knn"];
  for (const char* weighting : {"cosine", "tfidf", "bm25"}) {
    SCOPED_TRACE(weighting);
    ItemKnn knn(nlohmann::json{{"weighting", weighting},
                               {"neighbours", 1000},
                               {"shrinkage", ref["shrinkage"]},
                               {"bm25_k1", ref["bm25_k1"]},
                               {"bm25_b", ref["bm25_b"]}});
    knn.Fit(x, Context());
    for (size_t i = 0; i < x.cols(); ++i) {
      for (size_t j = 0; j < x.cols(); ++j) {
        // Only positive similarities are kept as neighbours.
        const double expected = std::max(0.0, ref[weighting][i][j].get<double>());
        EXPECT_NEAR(SimilarityAt(knn.similarity(), i, j), expected, 1e-5 * (1 + expected))
            << i << "," << j;
      }
    }
  }
}

// 3 users × 4 items, by hand:
//   user 0: items 0, 1     user 1: items 0, 1, 2     user 2: items 2, 3 (weight 2 on 3)
CsrMatrix Tiny() {
  return CsrMatrix::FromTriplets(
      3, 4,
      std::vector<CsrMatrix::Triplet>{
          {0, 0, 1}, {0, 1, 1}, {1, 0, 1}, {1, 1, 1}, {1, 2, 1}, {2, 2, 1}, {2, 3, 2}});
}

TEST(ItemKnn, KeepsTheTopNeighboursAndScoresByTheHistory) {
  ItemKnn knn(nlohmann::json{{"neighbours", 1}});
  knn.Fit(Tiny(), Context());
  // Cosine: item 0 = (1,1,0), item 1 = (1,1,0), item 2 = (0,1,1), item 3 = (0,0,2).
  // sim(0,1) = 2 / (√2 √2) = 1; sim(0,2) = 1 / (√2 √2) = 0.5; sim(2,3) = 2 / (√2 · 2) = 0.7071.
  EXPECT_EQ(knn.SimilarItems(0, 5), (std::vector<ScoredItem>{{1, 1.0f}}));
  EXPECT_EQ(knn.SimilarItems(3, 5), (std::vector<ScoredItem>{{2, static_cast<float>(M_SQRT1_2)}}));
  // Item 2's best neighbour: item 3 (0.7071) over items 0 and 1 (0.5 each).
  EXPECT_EQ(knn.SimilarItems(2, 5).at(0).item, 3);

  ItemKnn all(nlohmann::json{{"neighbours", 10}});
  all.Fit(Tiny(), Context());
  // A new user who has item 2 with weight 2: score_j = 2 · sim(2, j).
  const std::vector<int32_t> items = {2};
  const std::vector<double> weights = {2};
  const std::vector<float> s = all.Scores({-1, items, weights});
  EXPECT_NEAR(s[0], 1.0, 1e-6);
  EXPECT_NEAR(s[1], 1.0, 1e-6);
  EXPECT_NEAR(s[2], 0.0, 1e-6);
  EXPECT_NEAR(s[3], 2 * M_SQRT1_2, 1e-6);
  // Recommend leaves out the history, breaks the tie of items 0 and 1 by index.
  EXPECT_EQ(all.Recommend({-1, items, weights}, 2),
            (std::vector<ScoredItem>{{3, s[3]}, {0, s[0]}}));
}

TEST(Popularity, CountsUsersOrWeightAndRecommendsTheSameToEveryone) {
  Popularity users;
  users.Fit(Tiny(), Context());
  EXPECT_EQ(users.item_scores(), (std::vector<float>{2, 2, 2, 1}));
  Popularity weight(nlohmann::json{{"count", "weight"}});
  weight.Fit(Tiny(), Context());
  EXPECT_EQ(weight.item_scores(), (std::vector<float>{2, 2, 2, 2}));
  // User 0 has items 0 and 1: the rest by count, ties by index.
  EXPECT_EQ(users.Recommend(HistoryOf(Tiny(), 0), 5),
            (std::vector<ScoredItem>{{2, 2.0f}, {3, 1.0f}}));
  ExpectError([&] { users.SimilarItems(0, 3); }, ErrorCode::kInvalidArgument,
              "popularity ranks items by how many users chose them; it has no item similarity. "
              "Use item_knn or ease for similar items");
}

TEST(Recommend, FiltersAllowDenyAndHistory) {
  Popularity p;
  p.Fit(Tiny(), Context());
  const CsrMatrix x = Tiny();
  const UserHistory user0 = HistoryOf(x, 0);  // spans into x
  const std::vector<int32_t> deny = {2};
  RecommendFilter denied;
  denied.deny = deny;
  EXPECT_EQ(p.Recommend(user0, 5, denied), (std::vector<ScoredItem>{{3, 1.0f}}));
  const std::vector<int32_t> allow = {0, 3};
  RecommendFilter allowed;
  allowed.allow = allow;
  EXPECT_EQ(p.Recommend(user0, 5, allowed), (std::vector<ScoredItem>{{3, 1.0f}}));
  allowed.exclude_history = false;
  EXPECT_EQ(p.Recommend(user0, 5, allowed), (std::vector<ScoredItem>{{0, 2.0f}, {3, 1.0f}}));
  EXPECT_TRUE(p.Recommend(user0, 0).empty());
}

// Users of block b (of 3) choose only items of block b: every recommender that learns from
// co-occurrence recommends each user items of their own block.
TEST(Recommend, ACheckerboardOfBlocksStaysInItsBlock) {
  constexpr size_t kBlocks = 3, kUsersPerBlock = 20, kItemsPerBlock = 8;
  std::vector<CsrMatrix::Triplet> entries;
  for (size_t u = 0; u < kBlocks * kUsersPerBlock; ++u) {
    const size_t block = u / kUsersPerBlock;
    // Each user takes 4 of the block's 8 items, a different 4 per user.
    for (size_t k = 0; k < 4; ++k)
      entries.push_back({u, block * kItemsPerBlock + (u + 3 * k) % kItemsPerBlock, 1.0});
  }
  const CsrMatrix x =
      CsrMatrix::FromTriplets(kBlocks * kUsersPerBlock, kBlocks * kItemsPerBlock, entries);
  for (const auto& entry : RecommenderRegistry().entries()) {
    if (entry.name == "popularity") continue;
    SCOPED_TRACE(entry.name);
    // ALS gets as many factors as there are blocks: 64 factors on 24 items fit each user's own
    // items and leave every other item near 0. BPR gets a larger λ: on 60 users its default
    // steps also learn which of the block's items each user left out (that user's negatives).
    auto model = entry.Create(entry.name == "als"   ? nlohmann::json{{"factors", 3}}
                              : entry.name == "bpr" ? nlohmann::json{{"regularization", 0.05}}
                                                    : nlohmann::json::object());
    // Content learns from attributes: each item's block is its one term.
    std::vector<CsrMatrix::Triplet> terms;
    for (size_t i = 0; i < kBlocks * kItemsPerBlock; ++i)
      terms.push_back({i, i / kItemsPerBlock, 1});
    model->SetItemFeatures(CsrMatrix::FromTriplets(kBlocks * kItemsPerBlock, kBlocks, terms));
    model->Fit(x, Context());
    for (size_t u = 0; u < x.rows(); ++u) {
      for (const ScoredItem& r : model->Recommend(HistoryOf(x, u), 4))
        EXPECT_EQ(static_cast<size_t>(r.item) / kItemsPerBlock, u / kUsersPerBlock) << u;
    }
  }
}

}  // namespace
}  // namespace prospect
