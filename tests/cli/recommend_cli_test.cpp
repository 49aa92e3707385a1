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
  // The same seed gives the same numbers; MMR at λ = 1 is the model's own order, and at 0.5 its
  // lists are more diverse.
  const auto again = RunCli(base + " --mmr-lambda 1,0.5");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  const auto runs = nlohmann::json::parse(again.out)["models"];
  ASSERT_EQ(runs.size(), 4u);
  EXPECT_EQ(runs[2]["model"], "item_knn");
  EXPECT_EQ(runs[2]["mmr_lambda"], 1.0);
  EXPECT_EQ(runs[2]["metrics"], knn);
  EXPECT_EQ(runs[2]["diversity"], doc["models"][1]["diversity"]);
  EXPECT_EQ(runs[3]["mmr_lambda"], 0.5);
  EXPECT_GT(runs[3]["diversity"].get<double>(), runs[2]["diversity"].get<double>());
  EXPECT_NE(runs[3]["metrics"], knn);
}

TEST(CliRecommend, BadFlagsAreNamed) {
  TempDir dir;
  const std::string csv = dir.Write("r.csv", "u,i,r\n1,a,5\n1,b,4\n2,a,3\n2,c,5\n");
  const std::string ws = "--workspace " + dir.File("w") + " ";
  ASSERT_NO_FATAL_FAILURE(testing::InitWorkspaceAndIngest(dir, ws, "r", csv));
  const std::string base = ws + "recommend evaluate --table r --user u --item i ";
  ExpectCliFailure(RunCli(base + "--models popularity,eas"),
                   "error: Unknown recommender \"eas\". Did you mean \"ease\"? Valid "
                   "recommenders: popularity, item_knn, als, bpr, ease, ");
  ExpectCliFailure(RunCli(base + "--models popularity --param ease.lambda=2"),
                   "error: --param \"ease.lambda=2\": model \"ease\" is not in --models "
                   "(popularity)\n");
  ExpectCliFailure(RunCli(base + "--time r --cutoff 2011-13-45"),
                   "--cutoff \"2011-13-45\": expected a date like 2011-11-09");
  ExpectCliFailure(RunCli(base + "--min-rating 3"),
                   "error: --min-rating needs --weight, the rating column\n");
  ExpectCliFailure(RunCli(base + "--split time"), "error: --split time needs --time COL\n");
}

// train → top (one user, a users file to CSV, an unknown user) → similar → update → list, each
// as the contract writes it, on a small events table with the default column names.
TEST(CliRecommend, TrainTopSimilarUpdateByIdWithDefaultColumns) {
  TempDir dir;
  const std::string events = dir.Write("events.csv",
                                       "customer_id,item_id\n"
                                       "c1,shoes\nc1,socks\nc2,shoes\nc2,socks\nc2,laces\n"
                                       "c3,shoes\nc3,laces\nc4,hat\nc4,scarf\nc5,hat\n");
  const std::string ws = "--workspace " + dir.File("w") + " ";
  ASSERT_NO_FATAL_FAILURE(testing::InitWorkspaceAndIngest(dir, ws, "events", events));
  auto r = RunCli(ws + "--json recommend train --model item_knn");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["name"], "events_item_knn");
  EXPECT_EQ(doc["version"], 1);
  EXPECT_EQ(doc["users"], 5);
  EXPECT_EQ(doc["items"], 5);
  EXPECT_EQ(doc["nnz"], 10);

  // c1 has shoes and socks; laces co-occur with shoes (c2, c3): "because you chose shoes".
  r = RunCli(ws + "--json recommend top events_item_knn --user c1 --k 2 --explain");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  doc = nlohmann::json::parse(r.out);
  const auto& c1 = doc["users"][0];
  EXPECT_EQ(c1["known_user"], true);
  ASSERT_EQ(c1["items"].size(), 2u);
  EXPECT_EQ(c1["items"][0]["item"], "laces");
  EXPECT_EQ(c1["items"][0]["reason"], "because you chose shoes");
  EXPECT_EQ(c1["items"][1]["score"], 0);  // hat and scarf never meet c1's items
  EXPECT_EQ(c1["items"][1]["reason"], "the model's score");

  const std::string users = dir.Write("users.csv", "id\nc4\nnewcomer\n");
  r = RunCli(ws + "recommend top events_item_knn --users " + users + " --k 2 --out " +
             dir.File("picks.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(testing::ReadFileText(dir.File("picks.csv")),
            "user,rank,item,score\nc4,1,shoes,0.0\nc4,2,socks,0.0\nnewcomer,1,shoes,3.0\n"
            "newcomer,2,socks,2.0\n");  // c4's hat and scarf meet no other item: all score 0

  r = RunCli(ws + "--json recommend similar events_item_knn --item hat --k 3");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc["similar"].size(), 1u);
  EXPECT_EQ(doc["similar"][0]["item"], "scarf");

  const std::string more = dir.Write("more.csv", "customer_id,item_id\nc5,scarf\nc6,hat\n");
  r = RunCli(ws + "ingest new_events " + more);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunCli(ws + "--json recommend update events_item_knn --table new_events");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["version"], 2);
  EXPECT_EQ(doc["users"], 6);
  EXPECT_EQ(doc["updates"][0]["changed_users"], 2);
  EXPECT_EQ(doc["updates"][0]["new_users"], 1);
  // c6 is known now: their hat brings the scarf.
  r = RunCli(ws + "--json recommend top events_item_knn --user c6 --k 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["users"][0]["known_user"], true);
  EXPECT_EQ(doc["users"][0]["items"][0]["item"], "scarf");

  r = RunCli(ws + "--json recommend list");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc["recommenders"].size(), 1u);
  EXPECT_EQ(doc["recommenders"][0]["version"], 2);

  ExpectCliFailure(RunCli(ws + "recommend top events_item_knn --k 3"),
                   "give --user ID or --users FILE");
  ExpectCliFailure(RunCli(ws + "recommend similar events_item_knn --item boots"),
                   "item \"boots\" is not among its 5 items");
  ExpectCliFailure(RunCli(ws + "recommend top events_item_kn --user c1"),
                   "Did you mean \"events_item_knn\"");
  ExpectCliFailure(RunCli(ws + "recommend train --model item_knn --param neighbors=5"),
                   "neighbors");
}

}  // namespace
}  // namespace prospect
