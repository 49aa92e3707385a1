// Approximate top-k over item vectors: recall against the exact scan, exclusions honoured, exact
// scores, the same answers on every run, and ALS's Recommend through the index.
#include "prospect/models/recommend/ann.hpp"

#include <gtest/gtest.h>

#include <random>

#include "prospect/common/error.hpp"
#include "prospect/evaluate/ranking.hpp"
#include "prospect/models/recommend/als.hpp"
#include "support/expect_error.hpp"

namespace prospect {
namespace {

// 3,000 vectors of 16 Gaussian values with norms spread over 0.5-2 (so the inner product is
// not the cosine), and 100 queries.
std::vector<float> Vectors(size_t count, size_t dim, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal;
  std::uniform_real_distribution<float> scale(0.5f, 2.0f);
  std::vector<float> out(count * dim);
  for (size_t i = 0; i < count; ++i) {
    const float s = scale(rng);
    for (size_t j = 0; j < dim; ++j) out[i * dim + j] = s * normal(rng);
  }
  return out;
}

std::vector<int32_t> ExactTop(const std::vector<float>& items, std::span<const float> q, size_t dim,
                              size_t k, std::span<const uint8_t> excluded = {}) {
  std::vector<float> scores(items.size() / dim);
  for (size_t i = 0; i < scores.size(); ++i) {
    float dot = 0;
    for (size_t j = 0; j < dim; ++j) dot += q[j] * items[i * dim + j];
    scores[i] = dot;
  }
  return TopK(scores, k, excluded);
}

TEST(ItemVectorIndex, RecallsTheExactTopTenAndHonoursExclusions) {
  constexpr size_t kDim = 16, kItems = 3000, kQueries = 100, kK = 10;
  const std::vector<float> items = Vectors(kItems, kDim, 1);
  const std::vector<float> queries = Vectors(kQueries, kDim, 2);
  // Isotropic random vectors are the hard case (learned factors cluster): a wider search.
  const AnnParams params{.ef_search = 200};
  const ItemVectorIndex index(items, kDim, params, Context());
  std::vector<uint8_t> excluded(kItems, 0);
  for (size_t i = 0; i < kItems; i += 3) excluded[i] = 1;
  double recall = 0, recall_excluding = 0;
  for (size_t q = 0; q < kQueries; ++q) {
    const std::span<const float> query(queries.data() + q * kDim, kDim);
    const std::vector<int32_t> exact = ExactTop(items, query, kDim, kK);
    const std::vector<ScoredItem> found = index.Search(query, kK);
    ASSERT_EQ(found.size(), kK);
    for (const ScoredItem& s : found) {
      recall += std::count(exact.begin(), exact.end(), s.item) / double(kK * kQueries);
      float dot = 0;
      for (size_t j = 0; j < kDim; ++j) dot += query[j] * items[s.item * kDim + j];
      EXPECT_EQ(s.score, dot);
    }
    const std::vector<int32_t> exact_left = ExactTop(items, query, kDim, kK, excluded);
    const std::vector<ScoredItem> left = index.Search(query, kK, excluded);
    ASSERT_EQ(left.size(), kK);
    for (const ScoredItem& s : left) {
      EXPECT_EQ(excluded[static_cast<size_t>(s.item)], 0) << s.item;
      recall_excluding +=
          std::count(exact_left.begin(), exact_left.end(), s.item) / double(kK * kQueries);
    }
  }
  EXPECT_GE(recall, 0.95);
  EXPECT_GE(recall_excluding, 0.95);
  // The same vectors and seed: the same graph and answers.
  const ItemVectorIndex again(items, kDim, params, Context());
  for (size_t q = 0; q < kQueries; q += 7) {
    const std::span<const float> query(queries.data() + q * kDim, kDim);
    EXPECT_EQ(again.Search(query, kK), index.Search(query, kK));
  }
  // Everything excluded but two items: those two, whatever the graph offers first.
  std::vector<uint8_t> all_but_two(kItems, 1);
  all_but_two[5] = all_but_two[2999] = 0;
  const auto two = index.Search(std::span<const float>(queries.data(), kDim), kK, all_but_two);
  ASSERT_EQ(two.size(), 2u);
  ExpectError([] { ItemVectorIndex(std::vector<float>(10), 3, AnnParams{}, Context()); },
              ErrorCode::kInvalidArgument, "ann: 10 values are not a whole number of 3-vectors");
}

TEST(ItemVectorIndex, AlsRecommendsThroughTheIndexLikeTheExactScan) {
  std::mt19937_64 rng(5);
  std::vector<CsrMatrix::Triplet> entries;
  for (size_t u = 0; u < 400; ++u) {
    for (int k = 0; k < 15; ++k)
      entries.push_back({u, (u % 4) * 100 + rng() % 100, 1.0});  // 4 tastes of 100 items
  }
  const CsrMatrix x = CsrMatrix::FromTriplets(400, 400, entries);
  Als als(nlohmann::json{{"factors", 8}});
  als.Fit(x, Context());
  std::vector<std::vector<ScoredItem>> exact;
  for (size_t u = 0; u < 400; u += 10) exact.push_back(als.Recommend(HistoryOf(x, u), 10));
  als.BuildIndex(AnnParams{}, Context());
  ASSERT_TRUE(als.has_index());
  double overlap = 0;
  for (size_t u = 0, n = 0; u < 400; u += 10, ++n) {
    const auto approx = als.Recommend(HistoryOf(x, u), 10);
    const auto history = x.RowIndices(u);
    for (const ScoredItem& s : approx) {
      EXPECT_TRUE(std::find(history.begin(), history.end(), s.item) == history.end());
      for (const ScoredItem& e : exact[n]) overlap += (e.item == s.item) / 400.0;
    }
  }
  EXPECT_GE(overlap, 0.95);
  als.Fit(x, Context());
  EXPECT_FALSE(als.has_index());
}

}  // namespace
}  // namespace prospect
