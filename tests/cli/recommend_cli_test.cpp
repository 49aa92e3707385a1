// `prospect recommend evaluate` on MovieLens ratings (ratings >= 3.5 as positives): one JSON
// document with the split, the matrices' counts and each model's metrics; item-kNN ranks the
// held-out movies better than popularity; bad flags are named.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/cli_expect.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using testing::ExpectCliFailure;
using testing::RunCli;
using testing::TempDir;

TEST(CliRecommend, EvaluateOnMovieLensBeatsPopularityAndReportsTheSplit) {
  TempDir dir;
  const std::string ws = "--workspace " + dir.File("w") + " ";
  ASSERT_NO_FATAL_FAILURE(testing::InitWorkspaceAndIngest(
      dir, ws, "ratings", testing::SharedData("movielens_latest_small/ratings.csv")));
  const std::string base =
      ws +
      "--json recommend evaluate --table ratings --user userId --item movieId --weight rating "
      "--min-rating 3.5 --models popularity,item_knn --split random";
  const auto r = RunCli(base);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  const auto& split = doc["data"]["split"];
  EXPECT_EQ(split["method"], "random_per_user");
  EXPECT_EQ(split["seed"], 42);
  // 100,836 ratings, every one on one side; 610 users.
  EXPECT_EQ(split["train_rows"].get<size_t>() + split["test_rows"].get<size_t>(), 100836u);
  EXPECT_EQ(split["users"], 610);
  ASSERT_EQ(doc["models"].size(), 2u);
  const auto& popularity = doc["models"][0]["metrics"];
  const auto& knn = doc["models"][1]["metrics"];
  EXPECT_EQ(doc["models"][1]["params"]["neighbours"], 100);
  for (const auto* m : {&popularity, &knn}) {
    for (const char* name : {"ndcg", "recall", "map", "precision", "hit_rate", "coverage"}) {
      EXPECT_GE((*m)[name].get<double>(), 0) << name;
      EXPECT_LE((*m)[name].get<double>(), 1) << name;
    }
    EXPECT_EQ((*m)["users_evaluated"], doc["data"]["test"]["users"]);
  }
  EXPECT_GT(knn["ndcg"].get<double>(), 1.2 * popularity["ndcg"].get<double>());
  EXPECT_GT(knn["coverage"].get<double>(), popularity["coverage"].get<double>());
  // The same seed gives the same numbers.
  const auto again = RunCli(base);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out)["models"][1]["metrics"], knn);
}

TEST(CliRecommend, BadFlagsAreNamed) {
  TempDir dir;
  const std::string csv = dir.Write("r.csv", "u,i,r\n1,a,5\n1,b,4\n2,a,3\n2,c,5\n");
  const std::string ws = "--workspace " + dir.File("w") + " ";
  ASSERT_NO_FATAL_FAILURE(testing::InitWorkspaceAndIngest(dir, ws, "r", csv));
  const std::string base = ws + "recommend evaluate --table r --user u --item i ";
  ExpectCliFailure(RunCli(base + "--models popularity,eas"),
                   "error: Unknown recommender \"eas\". Did you mean \"ease\"? Valid "
                   "recommenders: popularity, item_knn, als, bpr, ease.\n");
  ExpectCliFailure(RunCli(base + "--models popularity --param ease.lambda=2"),
                   "error: --param \"ease.lambda=2\": model \"ease\" is not in --models "
                   "(popularity)\n");
  ExpectCliFailure(RunCli(base + "--min-rating 3"),
                   "error: --min-rating needs --weight, the rating column\n");
  ExpectCliFailure(RunCli(base + "--split time"), "error: --split time needs --time COL\n");
}

}  // namespace
}  // namespace prospect
