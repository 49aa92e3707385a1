// Stored recommenders by id: train → store → load scores the same; a user training never saw
// gets popular items (never an index error); reasons name the user's own items; allow and deny
// lists; an update adds users and items without a refit and lands as the next version; the
// explanations add up to the score they explain.
#include "prospect/models/recommend/package.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <set>

#include "prospect/common/error.hpp"
#include "prospect/models/recommend/als.hpp"
#include "support/expect_error.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

// Two blocks: users u0..u39, user u in block u % 2 chooses 5 of the 10 items of its block at
// random (block 0: i0..i9, block 1: i10..i19). Every block-0 user chooses i0 (the most popular).
Table Checkerboard(size_t users = 40) {
  std::mt19937_64 rng(11);
  std::vector<std::string> u, i;
  for (size_t user = 0; user < users; ++user) {
    const size_t block = user % 2;
    std::vector<size_t> offsets = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    std::shuffle(offsets.begin(), offsets.end(), rng);
    if (block == 1) offsets.insert(offsets.begin(), 0);
    for (size_t k = 0; k < 5; ++k) {
      const size_t item = block * 10 + (k == 0 && block == 0 ? 0 : offsets[k]);
      u.push_back(fmt::format("u{}", user));  // ("u" + to_string trips g++ 12's -Wrestrict)
      i.push_back(fmt::format("i{}", item));
    }
  }
  return Table(Schema({{"customer_id", DataType::kString}, {"item_id", DataType::kString}}),
               {Column::FromStringVector(u), Column::FromStringVector(i)});
}

size_t BlockOf(const std::string& item) { return std::stoul(item.substr(1)) >= 10 ? 1 : 0; }

class RecommenderPackageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = Store::Open(dir_.File("store.db"));
    store_->WriteTable("events", Checkerboard(), {}, ctx_);
  }
  // ALS gets one factor per block: 64 on 20 items would fit each user's own items only.
  RecommenderPackage Train(const std::string& model, nlohmann::json params = {}) {
    RecommendTrainRequest request;
    request.model = model;
    if (model == "als") request.params = {{"factors", 2}};
    if (!params.is_null()) request.params = params;
    const RecommendTrainResult r = TrainRecommender(*store_, request, ctx_);
    EXPECT_EQ(r.name, "events_" + model);
    return LoadRecommender(*store_, r.name);
  }

  testing::TempDir dir_;
  Context ctx_;
  std::unique_ptr<Store> store_;
};

TEST_F(RecommenderPackageTest, TrainedUsersGetTheirOwnBlockWithReasonsFromTheirHistory) {
  for (const std::string model : {"item_knn", "als", "ease"}) {
    const RecommenderPackage p = Train(model);
    EXPECT_EQ(p.version, 1);
    EXPECT_EQ(p.meta["users"], 40);
    EXPECT_EQ(p.meta["items"], 20);
    for (const std::string user : {"u3", "u8"}) {
      const size_t block = std::stoul(user.substr(1)) % 2;
      const auto top = p.Top(user, 3, {}, /*with_reasons=*/true);
      ASSERT_EQ(top.size(), 3u) << model;
      const auto history = p.interactions.matrix.RowIndices(*p.FindUser(user));
      for (const Recommendation& r : top) {
        EXPECT_EQ(BlockOf(r.item), block) << model << " " << user << " got " << r.item;
        // The reason names an item the user has, of the same block.
        ASSERT_TRUE(r.reason.starts_with("because you chose i")) << model << ": " << r.reason;
        const std::string because = r.reason.substr(std::string("because you chose ").size());
        const int32_t index = *p.FindItem(because);
        EXPECT_TRUE(std::find(history.begin(), history.end(), index) != history.end());
        EXPECT_EQ(BlockOf(because), block);
      }
    }
  }
}

TEST_F(RecommenderPackageTest, StoredAndLoadedPackagesScoreAlike) {
  const RecommenderPackage p = Train("als");
  const RecommenderPackage again = RecommenderPackage::Load(p.Save());
  EXPECT_EQ(again.interactions.row_ids, p.interactions.row_ids);
  EXPECT_EQ(again.interactions.col_ids, p.interactions.col_ids);
  EXPECT_EQ(again.interactions.matrix.values().size(), p.interactions.matrix.nnz());
  for (const std::string user : {"u0", "u1", "u39"}) {
    const auto a = p.Top(user, 5), b = again.Top(user, 5);
    ASSERT_EQ(a.size(), b.size());
    for (size_t k = 0; k < a.size(); ++k) {
      EXPECT_EQ(a[k].item, b[k].item);
      EXPECT_EQ(a[k].score, b[k].score);
    }
  }
  const std::string bytes = p.Save();
  for (size_t cut = 0; cut < bytes.size(); cut += bytes.size() / 17) {
    try {
      RecommenderPackage::Load(bytes.substr(0, cut));
      ADD_FAILURE() << "a file cut at " << cut << " loaded";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidData) << cut;
    }
  }
}

TEST_F(RecommenderPackageTest, UnknownUsersGetPopularItemsAndUnknownItemsAreNamed) {
  const RecommenderPackage p = Train("als");
  const auto top = p.Top("nobody", 2);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].item, "i0");  // every block-0 user chose it
  EXPECT_EQ(top[0].score, 20.0f);
  EXPECT_EQ(top[0].reason, "popular: no history for this user");
  RecommendRules rules;
  rules.deny = {"i0", "not-an-item"};
  EXPECT_NE(p.Top("nobody", 1, rules)[0].item, "i0");
  ExpectError([&] { p.Similar("i404", 3); }, ErrorCode::kNotFound,
              "recommender events_als: item \"i404\" is not among its 20 items");
  ExpectErrorStartingWith([&] { LoadRecommender(*store_, "events_alz"); },
                          "no recommender \"events_alz\".", "Did you mean \"events_als\"");
}

TEST_F(RecommenderPackageTest, NewUsersGetTheirGroupsFavourites) {
  // Every user's block as a group, and a newcomer (no events) in block 1.
  std::vector<std::string> ids, groups;
  for (size_t u = 0; u < 40; ++u) {
    ids.push_back(fmt::format("u{}", u));
    groups.push_back(u % 2 ? "odd" : "even");
  }
  ids.push_back("newcomer");
  groups.push_back("odd");
  store_->WriteTable(
      "segments",
      Table(Schema({{"customer_id", DataType::kString}, {"segment_name", DataType::kString}}),
            {Column::FromStringVector(ids), Column::FromStringVector(groups)}),
      {}, ctx_);
  RecommendTrainRequest request;
  request.model = "item_knn";
  request.groups = "segments:customer_id:segment_name";
  TrainRecommender(*store_, request, ctx_);
  const RecommenderPackage p = LoadRecommender(*store_, "events_item_knn");
  EXPECT_EQ(p.group_of.size(), 41u);
  const auto top = p.Top("newcomer", 5);
  ASSERT_EQ(top.size(), 5u);
  for (const Recommendation& r : top) {
    EXPECT_EQ(BlockOf(r.item), 1u) << r.item;
    EXPECT_EQ(r.reason, "popular in odd: no history for this user");
  }
  EXPECT_EQ(p.Top("stranger", 1)[0].item, "i0");  // no group: overall favourite
  EXPECT_EQ(RecommenderPackage::Load(p.Save()).Save(), p.Save());
  ExpectErrorStartingWith(
      [&] {
        request.groups = "segments:customer_id";
        TrainRecommender(*store_, request, ctx_);
      },
      "--groups \"segments:customer_id\": expected TABLE:ID_COLUMN:COLUMN", "");
}

TEST_F(RecommenderPackageTest, AllowDenyAndHistoryRules) {
  const RecommenderPackage p = Train("item_knn");
  RecommendRules rules;
  rules.allow = {"i11", "i12", "i2"};
  for (const Recommendation& r : p.Top("u0", 10, rules))
    EXPECT_TRUE(r.item == "i11" || r.item == "i12" || r.item == "i2") << r.item;
  rules = {};
  rules.exclude_history = false;
  const auto with_history = p.Top("u0", 20, rules);
  const auto history = p.interactions.matrix.RowIndices(*p.FindUser("u0"));
  size_t owned = 0;
  for (const Recommendation& r : with_history) {
    const int32_t i = *p.FindItem(r.item);
    owned += std::find(history.begin(), history.end(), i) != history.end();
  }
  EXPECT_EQ(owned, history.size());
  for (const Recommendation& r : p.Top("u0", 20)) {
    const int32_t i = *p.FindItem(r.item);
    EXPECT_TRUE(std::find(history.begin(), history.end(), i) == history.end()) << r.item;
  }
}

TEST_F(RecommenderPackageTest, CategoryRulesHoldForTrainedAndNewUsers) {
  const RecommenderPackage p = Train("item_knn");
  // Block 0's items in two categories (i0..i4 low, i5..i9 high), block 1's in one (other).
  RecommendRules rules;
  for (size_t i = 0; i < 20; ++i)
    rules.category_of[fmt::format("i{}", i)] = i >= 10 ? "other" : i < 5 ? "low" : "high";
  rules.categories = {"high", "unheard-of"};
  for (const std::string user : {"u0", "u1", "stranger"}) {
    const auto top = p.Top(user, 10, rules);
    EXPECT_FALSE(top.empty()) << user;
    for (const Recommendation& r : top) EXPECT_EQ(rules.category_of[r.item], "high") << r.item;
  }
  rules.categories = {};
  rules.max_per_category = 1;
  for (const std::string user : {"u0", "stranger"}) {
    const auto top = p.Top(user, 10, rules);
    ASSERT_EQ(top.size(), 3u) << user;  // one per category: the caps leave no more
    std::set<std::string> seen;
    for (const Recommendation& r : top) EXPECT_TRUE(seen.insert(rules.category_of[r.item]).second);
  }
  // MMR at λ = 1 is the model's own list; lower λ keeps the same first pick.
  const auto plain = p.Top("u0", 8);
  rules.max_per_category = 0;
  rules.mmr_lambda = 1;
  EXPECT_EQ(p.Top("u0", 8, rules).size(), plain.size());
  for (size_t r = 0; r < plain.size(); ++r) EXPECT_EQ(p.Top("u0", 8, rules)[r].item, plain[r].item);
  rules.mmr_lambda = 0.2;
  const auto diverse = p.Top("u0", 8, rules);
  ASSERT_EQ(diverse.size(), 8u);
  EXPECT_EQ(diverse[0].item, plain[0].item);
  // Rules by category need the categories.
  RecommendRules blind;
  blind.max_per_category = 2;
  ExpectError([&] { p.Top("u0", 5, blind); }, ErrorCode::kInvalidArgument,
              "rules by category need each item's category (--categories "
              "TABLE:ID_COLUMN:COLUMN)");
}

TEST_F(RecommenderPackageTest, UpdateAddsUsersAndItemsAsTheNextVersion) {
  // A new user who chose three block-1 items, and a new item i99 chosen by six block-1 users.
  const Table added(
      Schema({{"customer_id", DataType::kString}, {"item_id", DataType::kString}}),
      {Column::FromStringVector({"new", "new", "new", "u1", "u3", "u5", "u7", "u9", "u11"}),
       Column::FromStringVector({"i11", "i14", "i17", "i99", "i99", "i99", "i99", "i99", "i99"})});
  store_->WriteTable("new_events", added, {}, ctx_);
  for (const std::string model : {"als", "item_knn", "ease", "popularity"}) {
    Train(model);
    const RecommendTrainResult r =
        UpdateRecommender(*store_, "events_" + model, "new_events", ctx_);
    EXPECT_EQ(r.version, 2) << model;
    const nlohmann::json& u = r.summary["updates"][0];
    EXPECT_EQ(u["new_users"], 1);
    EXPECT_EQ(u["new_items"], 1);
    EXPECT_EQ(u["changed_users"], 7);
    const RecommenderPackage p = LoadRecommender(*store_, "events_" + model);
    EXPECT_EQ(p.version, 2);
    EXPECT_EQ(p.interactions.row_ids.back(), "new");
    EXPECT_EQ(p.interactions.col_ids.back(), "i99");
    EXPECT_EQ(p.model->num_users(), 41u);
    EXPECT_EQ(p.model->num_items(), 21u);
    if (model == "popularity") continue;
    ASSERT_TRUE(p.FindUser("new"));
    for (const Recommendation& rec : p.Top("new", 3))
      EXPECT_EQ(rec.item == "i99" ? 1 : BlockOf(rec.item), 1u) << model << " " << rec.item;
    if (model == "ease") continue;  // EASE scores new items at the next train
    for (const Recommendation& rec : p.Similar("i99", 3))
      EXPECT_EQ(BlockOf(rec.item), 1u) << model << " " << rec.item;
  }
  ExpectErrorStartingWith([&] { UpdateRecommender(*store_, "events_als", "no_such_table", ctx_); },
                          "", "no_such_table");
  EXPECT_EQ(LoadRecommender(*store_, "events_als").version, 2);  // a failed update stores nothing
}

TEST_F(RecommenderPackageTest, ExplanationsAddUpToTheScore) {
  const RecommenderPackage p = Train("als", {{"factors", 8}});
  const auto history = HistoryOf(p.interactions.matrix, *p.FindUser("u4"));
  const UserHistory as_new{-1, history.items, history.weights};
  const std::vector<float> scores = p.model->Scores(as_new);
  for (int32_t item = 0; item < 20; ++item) {
    const std::vector<double> parts = p.model->Explain(history, item);
    ASSERT_EQ(parts.size(), history.items.size());
    const double sum = std::accumulate(parts.begin(), parts.end(), 0.0);
    EXPECT_NEAR(sum, scores[static_cast<size_t>(item)], 1e-4) << item;
  }
  const RecommenderPackage knn = Train("item_knn");
  const auto h = HistoryOf(knn.interactions.matrix, *knn.FindUser("u4"));
  const std::vector<float> knn_scores = knn.model->Scores(h);
  for (int32_t item = 0; item < 20; ++item) {
    const std::vector<double> parts = knn.model->Explain(h, item);
    EXPECT_NEAR(std::accumulate(parts.begin(), parts.end(), 0.0),
                knn_scores[static_cast<size_t>(item)], 1e-5);
  }
}

TEST_F(RecommenderPackageTest, TopTableHasOneRowPerPick) {
  const RecommenderPackage p = Train("item_knn");
  const std::vector<std::string> users = {"u0", "nobody", "u1"};
  const Table t = p.TopTable(users, 3, {}, true, ctx_);
  EXPECT_EQ(t.schema().Names(),
            (std::vector<std::string>{"user", "rank", "item", "score", "reason"}));
  ASSERT_EQ(t.num_rows(), 9u);
  EXPECT_EQ(t.column("user").FormatValue(3), "nobody");
  EXPECT_EQ(t.column("rank").FormatValue(5), "3");
  EXPECT_EQ(t.column("reason").FormatValue(3), "popular: no history for this user");
}

}  // namespace
}  // namespace prospect
