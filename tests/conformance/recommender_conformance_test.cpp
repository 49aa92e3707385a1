// One conformance suite over every recommender in RecommenderRegistry(): the contract of
// models/recommend/recommender.hpp, asserted the same way for each algorithm. A new recommender
// joins it by registering.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/models/classify/classifier.hpp"
#include "prospect/models/recommend/recommender.hpp"
#include "support/expect_error.hpp"

namespace prospect {
namespace {

// 300 users × 60 items, about 10 interactions each with counts 1-3, seeded.
CsrMatrix Interactions(uint64_t seed = 7) {
  std::mt19937_64 rng(seed);
  std::vector<CsrMatrix::Triplet> entries;
  for (size_t u = 0; u < 300; ++u) {
    for (int k = 0; k < 10; ++k)
      entries.push_back({u, static_cast<size_t>(rng() % 60), static_cast<double>(1 + rng() % 3)});
  }
  return CsrMatrix::FromTriplets(300, 60, entries);
}

// Attributes of the 60 items for the models that use content: 2 or 3 of 12 terms each, unit rows.
CsrMatrix ItemFeatures() {
  std::mt19937_64 rng(3);
  std::vector<CsrMatrix::Triplet> entries;
  for (size_t i = 0; i < 60; ++i) {
    const size_t terms = 2 + i % 2;
    for (size_t k = 0; k < terms; ++k)
      entries.push_back({i, (i + 5 * k) % 12, 1 / std::sqrt(static_cast<double>(terms))});
  }
  return CsrMatrix::FromTriplets(60, 12, entries);
}

class RecommenderConformance : public ::testing::TestWithParam<std::string> {
 protected:
  // Every model gets the item attributes: those that do not learn from content ignore them.
  std::unique_ptr<Recommender> Make() const {
    auto model = RecommenderRegistry().Create(GetParam());
    model->SetItemFeatures(ItemFeatures());
    return model;
  }
  std::unique_ptr<Recommender> Fitted(const Context& ctx = Context()) const {
    auto model = Make();
    model->Fit(Interactions(), ctx);
    return model;
  }
};

TEST_P(RecommenderConformance, SaveLoadScoresIdentically) {
  const auto model = Fitted();
  const std::string bytes = model->Save();
  const auto loaded = Recommender::Load(bytes);
  EXPECT_EQ(loaded->Type(), GetParam());
  EXPECT_EQ(loaded->Params(), model->Params());
  EXPECT_EQ(loaded->Save(), bytes);
  const CsrMatrix x = Interactions();
  for (size_t u = 0; u < x.rows(); u += 37)
    EXPECT_EQ(loaded->Scores(HistoryOf(x, u)), model->Scores(HistoryOf(x, u))) << u;
  // Every truncation of the file is invalid data, never a crash.
  for (size_t cut = 0; cut < bytes.size(); cut += std::max<size_t>(1, bytes.size() / 50)) {
    try {
      Recommender::Load(bytes.substr(0, cut));
      ADD_FAILURE() << "a file cut at " << cut << " of " << bytes.size() << " bytes loaded";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidData) << cut;
    }
  }
}

TEST_P(RecommenderConformance, UseBeforeFitIsOneError) {
  const auto model = Make();
  const std::string message = GetParam() + ": the model is not trained yet; call Fit first";
  ExpectError([&] { model->Scores({}); }, ErrorCode::kFailedPrecondition, message);
  ExpectError([&] { model->Recommend({}, 3); }, ErrorCode::kFailedPrecondition, message);
  ExpectError([&] { model->SimilarItems(0, 3); }, ErrorCode::kFailedPrecondition, message);
  ExpectError([&] { model->Save(); }, ErrorCode::kFailedPrecondition, message);
}

TEST_P(RecommenderConformance, EmptyOrBadInteractionsAreInvalidData) {
  const auto model = Make();
  ExpectError([&] { model->Fit(CsrMatrix::FromTriplets(0, 5, {}), Context()); },
              ErrorCode::kInvalidData, GetParam() + ": no training rows");
  ExpectError([&] { model->Fit(CsrMatrix::FromTriplets(4, 5, {}), Context()); },
              ErrorCode::kInvalidData,
              GetParam() + ": the interaction matrix holds no interactions");
  const std::vector<CsrMatrix::Triplet> negative = {{0, 1, 1.0}, {2, 3, -2.0}};
  ExpectError([&] { model->Fit(CsrMatrix::FromTriplets(4, 5, negative), Context()); },
              ErrorCode::kInvalidData,
              GetParam() +
                  ": user 2 has weight -2 for item 3; interaction weights must be positive and "
                  "finite");
  EXPECT_FALSE(model->fitted());
}

TEST_P(RecommenderConformance, UnknownItemsAndUsersAreNamed) {
  const auto model = Fitted();
  const std::vector<int32_t> items = {3, 60};
  ExpectError(
      [&] {
        model->Scores({-1, items, {}});
      },
      ErrorCode::kInvalidArgument, GetParam() + ": item index 60 is outside the 60 trained items");
  ExpectError(
      [&] {
        model->Scores({300, {}, {}});
      },
      ErrorCode::kInvalidArgument, GetParam() + ": user index 300 is past the 300 trained users");
  // A user with no history still gets k items.
  EXPECT_EQ(model->Recommend({-1, {}, {}}, 5).size(), 5u);
}

TEST_P(RecommenderConformance, OneThreadAndOneSeedGiveTheSameModel) {
  EXPECT_EQ(Fitted(Context(1, 5))->Save(), Fitted(Context(1, 5))->Save());
}

TEST_P(RecommenderConformance, OneAndTwoThreadsGiveTheSameModel) {
  if (!RecommenderRegistry().Find(GetParam()).traits.same_across_threads) {
    // Lock-free SGD (BPR): the model's own tests bound how far thread counts differ in quality;
    // here two threads must still give a whole model.
    const auto two = Fitted(Context(2, 5));
    EXPECT_EQ(Recommender::Load(two->Save())->Save(), two->Save());
    return;
  }
  EXPECT_EQ(Fitted(Context(1, 5))->Save(), Fitted(Context(2, 5))->Save());
}

TEST_P(RecommenderConformance, RecommendIsRankedFilteredAndDeterministic) {
  const auto model = Fitted();
  const CsrMatrix x = Interactions();
  const UserHistory user = HistoryOf(x, 11);
  const std::vector<ScoredItem> top = model->Recommend(user, 10);
  ASSERT_EQ(top.size(), 10u);
  for (size_t i = 1; i < top.size(); ++i) {
    EXPECT_TRUE(top[i - 1].score > top[i].score ||
                (top[i - 1].score == top[i].score && top[i - 1].item < top[i].item));
  }
  for (const ScoredItem& r : top) {
    for (const int32_t seen : user.items) EXPECT_NE(r.item, seen);
  }
  EXPECT_EQ(model->Recommend(user, 10), top);
}

TEST_P(RecommenderConformance, RegistryDescribesEveryParameter) {
  const auto& entry = RecommenderRegistry().Find(GetParam());
  EXPECT_FALSE(entry.description.empty());
  const nlohmann::json params = Make()->Params();
  EXPECT_EQ(params.size(), entry.factory.params.size());
  for (const ParamDoc& p : entry.factory.params) EXPECT_TRUE(params.contains(p.name)) << p.name;
}

INSTANTIATE_TEST_SUITE_P(Registry, RecommenderConformance,
                         ::testing::ValuesIn(RecommenderRegistry().Names()),
                         [](const auto& info) { return info.param; });

TEST(RecommenderKinds, LoadRefusesAClassifierFileAndAClassifierRefusesARecommender) {
  auto popularity = RecommenderRegistry().Create("popularity");
  popularity->Fit(Interactions(), Context());
  ExpectError([&] { Classifier::Load(popularity->Save()); }, ErrorCode::kInvalidData,
              "model file holds an unknown model type \"recommend/popularity\"");
}

TEST(RecommenderKinds, UnknownNamesSuggestTheClosest) {
  ExpectError([] { RecommenderRegistry().Create("eas"); }, ErrorCode::kInvalidArgument,
              "Unknown recommender \"eas\". Did you mean \"ease\"? Valid recommenders: " +
                  Join(RecommenderRegistry().Names(), ", ") + ".");
}

}  // namespace
}  // namespace prospect
