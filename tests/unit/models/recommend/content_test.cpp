// Content-based recommendation: TF-IDF rows computed by hand, a profile from the history that
// reaches an item nobody chose, explanations adding up to the score, the hybrid keeping its base
// model's ranking where content is silent, the cold-item evaluation beating a random order, and
// new users ranked by their group's favourites.
#include "prospect/models/recommend/content.hpp"

#include <gtest/gtest.h>

#include <numeric>

#include "prospect/common/error.hpp"
#include "prospect/models/recommend/evaluation.hpp"
#include "prospect/models/recommend/hybrid.hpp"
#include "prospect/models/recommend/item_content.hpp"
#include "prospect/models/recommend/popularity.hpp"
#include "support/expect_error.hpp"

namespace prospect {
namespace {

Table Catalogue() {
  return Table(Schema({{"sku", DataType::kString}, {"genres", DataType::kString}}),
               {Column::FromStringVector({"a", "b", "c", "zz"}),
                Column::FromStringVector({"Action|Comedy", "ACTION", "", "Drama"}, {1, 1, 0, 1})});
}

TEST(ItemContent, TfIdfRowsMatchTheHandComputation) {
  EXPECT_EQ(ContentWords("Sci-Fi, 2001: A Space Odyssey!"),
            (std::vector<std::string>{"sci", "fi", "2001", "a", "space", "odyssey"}));
  ItemAttributes attributes;
  attributes.sources = {ItemContentSource::Parse("catalogue:sku:genres")};
  attributes.tables = {Catalogue()};
  // d is not in the catalogue; zz is not among the items asked for.
  const std::vector<std::string> items = {"a", "b", "c", "d"};
  const ItemContent content = attributes.Features(items);
  EXPECT_EQ(content.terms, (std::vector<std::string>{"genres:action", "genres:comedy"}));
  // Two described items: idf(action) = ln(3/3) + 1 = 1, idf(comedy) = ln(3/2) + 1.
  const double comedy = std::log(1.5) + 1;
  const double norm = std::sqrt(1 + comedy * comedy);
  const std::vector<double> dense = content.features.ToDense().values();
  ASSERT_EQ(dense.size(), 8u);
  EXPECT_NEAR(dense[0], 1 / norm, 1e-12);
  EXPECT_NEAR(dense[1], comedy / norm, 1e-12);
  EXPECT_EQ(dense[2], 1.0);  // b: action only
  EXPECT_EQ(dense[3], 0.0);
  for (size_t k = 4; k < 8; ++k) EXPECT_EQ(dense[k], 0.0) << k;  // c (null) and d: no terms
  EXPECT_EQ(attributes.CatalogueIds(), (std::vector<std::string>{"a", "b", "c", "zz"}));
  ExpectError([] { ItemContentSource::Parse("movies:genres"); }, ErrorCode::kInvalidArgument,
              "--content \"movies:genres\": expected TABLE:ID_COLUMN:COL1,COL2, for example "
              "movies:movieId:genres,title");
}

// Items 0-3 are "red", 4-7 "blue"; item 7 has no interactions at all.
CsrMatrix Colours() {
  std::vector<CsrMatrix::Triplet> t;
  for (size_t i = 0; i < 8; ++i) t.push_back({i, i < 4 ? size_t{0} : size_t{1}, 1.0});
  return CsrMatrix::FromTriplets(8, 2, t);
}

TEST(ContentBased, ANewItemReachesUsersOfItsKind) {
  // User 0 chose red items 0 and 1; user 1 chose blue items 4 and 5 (item 7: nobody).
  const CsrMatrix x = CsrMatrix::FromTriplets(
      2, 8, std::vector<CsrMatrix::Triplet>{{0, 0, 1}, {0, 1, 1}, {1, 4, 1}, {1, 5, 2}});
  ContentBased model(nlohmann::json::object());
  ExpectError([&] { model.Fit(x, Context()); }, ErrorCode::kInvalidArgument,
              "content: no item attributes; give the tables and columns that describe items (on "
              "the command line: --content TABLE:ID_COLUMN:COL1,COL2)");
  model.SetItemFeatures(Colours());
  model.Fit(x, Context());
  const auto blue = model.Recommend(HistoryOf(x, 1), 2);
  ASSERT_EQ(blue.size(), 2u);
  EXPECT_EQ(blue[0].item, 6);  // blue, ties to the lower index
  EXPECT_EQ(blue[1].item, 7);  // blue and never chosen
  EXPECT_FLOAT_EQ(blue[1].score, 1.0f);
  const auto parts = model.Explain(HistoryOf(x, 1), 7);
  EXPECT_NEAR(parts[0] + parts[1], 1.0, 1e-6);
  EXPECT_NEAR(parts[1], 2 * parts[0], 1e-6);  // item 5 weighs 2
  const auto similar = model.SimilarItems(7, 3);
  EXPECT_EQ(similar[0].item, 4);
}

TEST(Hybrid, BlendsScaledScoresAndReachesItemsOnlyContentKnows) {
  const CsrMatrix x = CsrMatrix::FromTriplets(
      3, 8, std::vector<CsrMatrix::Triplet>{{0, 4, 1}, {0, 5, 1}, {1, 4, 1}, {1, 6, 1}, {2, 0, 1}});
  Hybrid hybrid({{"base", "item_knn"}, {"content_weight", 0.5}});
  hybrid.SetItemFeatures(Colours());
  hybrid.Fit(x, Context());
  // User 0 (items 4, 5): item-kNN gives 6 (shared with user 1); content gives every blue item.
  const std::vector<float> scores = hybrid.Scores(HistoryOf(x, 0));
  EXPECT_NEAR(scores[6], 0.5 * 1 + 0.5 * 1, 1e-6);  // the best of both sides
  EXPECT_NEAR(scores[7], 0.5 * 1, 1e-6);            // content only: a new item
  EXPECT_EQ(scores[1], 0.0f);                       // red: neither side
  const std::vector<double> parts = hybrid.Explain(HistoryOf(x, 0), 7);
  EXPECT_NEAR(std::accumulate(parts.begin(), parts.end(), 0.0), scores[7], 1e-6);
  const auto loaded = Recommender::Load(hybrid.Save());
  EXPECT_EQ(loaded->Scores(HistoryOf(x, 0)), scores);
}

TEST(ColdItems, ContentRanksHiddenItemsFarAboveARandomOrder) {
  // 60 users in 2 tastes; 40 items of 2 kinds, described by their kind. A user of taste t
  // chooses 8 items of kind t.
  std::vector<std::string> users, items, kinds_ids, kinds;
  for (size_t i = 0; i < 40; ++i) {
    kinds_ids.push_back(fmt::format("i{}", i));
    kinds.push_back(i % 2 ? "odd" : "even");
  }
  for (size_t u = 0; u < 60; ++u) {
    for (size_t k = 0; k < 8; ++k) {
      users.push_back(fmt::format("u{}", u));
      items.push_back(fmt::format("i{}", (u % 2) + 2 * ((u * 7 + k * 3) % 20)));
    }
  }
  const Table events(Schema({{"user", DataType::kString}, {"item", DataType::kString}}),
                     {Column::FromStringVector(users), Column::FromStringVector(items)});
  ItemAttributes attributes;
  attributes.sources = {ItemContentSource::Parse("items:id:kind")};
  attributes.tables = {
      Table(Schema({{"id", DataType::kString}, {"kind", DataType::kString}}),
            {Column::FromStringVector(kinds_ids), Column::FromStringVector(kinds)})};
  const InteractionSpec spec{.user_column = "user", .item_column = "item"};
  const RecommenderEvaluation e = EvaluateColdItems(events, spec, attributes, 0.25,
                                                    {{"content"}, {"popularity"}}, 3, Context());
  EXPECT_EQ(e.data["split"]["hidden_items"], 10);
  const double random = e.data["random_recall"];
  EXPECT_DOUBLE_EQ(random, 0.3);
  EXPECT_GT(e.results[0].metrics.recall, 1.5 * random);
  ExpectError([&] { EvaluateColdItems(events, spec, attributes, 1.0, {}, 3, Context()); },
              ErrorCode::kInvalidArgument, "cold items: the hidden fraction is 1; expected (0, 1)");
}

TEST(GroupPopularity, RanksByTheGroupThenOverall) {
  // Users 0, 1 in group 0 chose item 2; users 2, 3, 4 (group 1, and no group) chose item 0.
  const CsrMatrix x = CsrMatrix::FromTriplets(
      5, 4,
      std::vector<CsrMatrix::Triplet>{
          {0, 2, 1}, {1, 2, 1}, {1, 3, 1}, {2, 0, 1}, {3, 0, 1}, {4, 0, 1}, {4, 1, 1}});
  const std::vector<int32_t> group = {0, 0, 1, 1, -1};
  const GroupPopularity popular(x, group, 3);
  auto items = [](const std::vector<ScoredItem>& top) {
    std::vector<int32_t> out;
    for (const ScoredItem& s : top) out.push_back(s.item);
    return out;
  };
  EXPECT_EQ(items(popular.Top(0, 3)), (std::vector<int32_t>{2, 3, 0}));  // then overall: 0
  EXPECT_EQ(popular.Top(0, 1)[0].score, 2.0f);
  EXPECT_EQ(items(popular.Top(-1, 2)), (std::vector<int32_t>{0, 2}));
  EXPECT_EQ(items(popular.Top(2, 2)), (std::vector<int32_t>{0, 2}));  // a group nobody chose in
  const std::vector<uint8_t> excluded = {0, 0, 1, 0};
  EXPECT_EQ(items(popular.Top(0, 1, excluded)), (std::vector<int32_t>{3}));
}

TEST(ColdUsers, TheirGroupsFavouritesBeatOverallPopularity) {
  // Two groups of 40 users with different favourites: group a chooses from items 0-9, group b
  // from 10-19, each user 4 items with the lower ones likelier; b is larger overall.
  std::vector<std::string> users, items;
  std::unordered_map<std::string, std::string> group_of;
  for (size_t u = 0; u < 100; ++u) {
    const bool b = u >= 40;
    const std::string id = fmt::format("u{}", u);
    static const std::string kGroups[] = {"a", "b"};  // (a const char* trips g++ 12's -Wrestrict)
    group_of[id] = kGroups[b ? 1 : 0];
    for (size_t k = 0; k < 4; ++k) {
      users.push_back(id);
      items.push_back(fmt::format("i{}", (b ? 10 : 0) + (u * 3 + k * k) % (4 + 2 * k)));
    }
  }
  const Table events(Schema({{"user", DataType::kString}, {"item", DataType::kString}}),
                     {Column::FromStringVector(users), Column::FromStringVector(items)});
  const InteractionSpec spec{.user_column = "user", .item_column = "item"};
  const RecommenderEvaluation e = EvaluateColdUsers(events, spec, group_of, 0.2, 5, Context());
  EXPECT_EQ(e.data["split"]["hidden_users"], 20);
  EXPECT_EQ(e.data["split"]["groups"], 2);
  ASSERT_EQ(e.results.size(), 2u);
  EXPECT_EQ(e.results[0].model, "popularity");
  EXPECT_EQ(e.results[1].model, "group_popularity");
  EXPECT_GT(e.results[1].metrics.ndcg, 1.5 * e.results[0].metrics.ndcg);
  ExpectError([&] { EvaluateColdUsers(events, spec, group_of, 0, 5, Context()); },
              ErrorCode::kInvalidArgument, "cold users: the hidden fraction is 0; expected (0, 1)");
}

}  // namespace
}  // namespace prospect
