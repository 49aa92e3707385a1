// Search spaces, grid and random search, and TPE: TPE must beat random search on a 2-D bowl at the
// same budget, averaged over seeds.
#include "prospect/evaluate/search.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "prospect/common/error.hpp"
#include "support/expect_error.hpp"

namespace prospect {
namespace {

SearchSpace Bowl() {
  SearchSpace space;
  space.AddFloat("x", -5, 5).AddFloat("y", -5, 5);
  return space;
}

double BowlLoss(const nlohmann::json& a) {
  const double x = a["x"].get<double>() - 1.3, y = a["y"].get<double>() + 0.7;
  return x * x + y * y;
}

double BestAfter(Searcher& searcher, size_t budget, double (*loss)(const nlohmann::json&)) {
  for (size_t i = 0; i < budget; ++i) {
    const auto a = searcher.Suggest();
    searcher.space().Validate(a);
    searcher.Observe(a, loss(a));
  }
  return searcher.best()->loss;
}

TEST(TpeSearch, BeatsRandomSearchOnAQuadraticBowlOnAverage) {
  constexpr size_t kSeeds = 10, kBudget = 60;
  double tpe_sum = 0, random_sum = 0;
  size_t tpe_wins = 0;
  for (uint64_t seed = 0; seed < kSeeds; ++seed) {
    TpeSearch tpe(Bowl(), seed);
    RandomSearch random(Bowl(), seed);
    const double t = BestAfter(tpe, kBudget, BowlLoss), r = BestAfter(random, kBudget, BowlLoss);
    tpe_sum += t;
    random_sum += r;
    tpe_wins += t < r;
  }
  ::testing::Test::RecordProperty("tpe_mean_best", std::to_string(tpe_sum / kSeeds));
  ::testing::Test::RecordProperty("random_mean_best", std::to_string(random_sum / kSeeds));
  ::testing::Test::RecordProperty("tpe_wins", std::to_string(tpe_wins));
  // Measured: TPE's mean best is several times smaller than random search's.
  EXPECT_LT(tpe_sum / kSeeds, 0.5 * random_sum / kSeeds);
  EXPECT_GE(tpe_wins, 7u);
}

double MixedLoss(const nlohmann::json& a) {
  // log-scaled learning rate best near 0.01, depth best at 6, "b" the right choice.
  const double lr = std::log10(a["lr"].get<double>()) + 2.0;
  const double depth = static_cast<double>(a["depth"].get<int64_t>()) - 6.0;
  return lr * lr + 0.1 * depth * depth + (a["kind"] == "b" ? 0.0 : 1.0);
}

TEST(TpeSearch, HandlesLogIntAndChoiceParametersAndBeatsRandom) {
  SearchSpace space;
  space.AddFloat("lr", 1e-5, 1.0, true)
      .AddInt("depth", 1, 16)
      .AddChoice("kind", {"a", "b", "c", "d"});
  double tpe_sum = 0, random_sum = 0;
  for (uint64_t seed = 0; seed < 8; ++seed) {
    TpeSearch tpe(space, seed);
    RandomSearch random(space, seed);
    tpe_sum += BestAfter(tpe, 50, MixedLoss);
    random_sum += BestAfter(random, 50, MixedLoss);
    for (const auto& t : tpe.trials()) {
      EXPECT_TRUE(t.params["depth"].is_number_integer());
      EXPECT_GE(t.params["lr"].get<double>(), 1e-5);
      EXPECT_LE(t.params["lr"].get<double>(), 1.0);
    }
  }
  EXPECT_LT(tpe_sum, random_sum);
}

TEST(TpeSearch, SameSeedSameSuggestions) {
  TpeSearch a(Bowl(), 3), b(Bowl(), 3);
  for (int i = 0; i < 20; ++i) {
    const auto sa = a.Suggest(), sb = b.Suggest();
    ASSERT_EQ(sa, sb);
    a.Observe(sa, BowlLoss(sa));
    b.Observe(sb, BowlLoss(sb));
  }
}

TEST(TpeSearch, FailedTrialsCountAsWorst) {
  // Failed fits (NaN, inf) near x = 0.9 and finite losses near x = 0.2. Counted as worst, the
  // failures form the "bad" group and suggestions go to the finite region; read as their raw
  // value, NaN and -inf would sort into the "good" group and pull suggestions to 0.9.
  SearchSpace space;
  space.AddFloat("x", 0, 1);
  TpeSearch tpe(space, 3);
  const double failures[] = {NAN, INFINITY, -INFINITY};
  for (int i = 0; i < 12; ++i) tpe.Observe({{"x", 0.88 + 0.002 * i}}, failures[i % 3]);
  for (int i = 0; i < 12; ++i) tpe.Observe({{"x", 0.15 + 0.01 * i}}, 1.0 + 0.01 * i);
  ASSERT_NE(tpe.best(), nullptr);
  EXPECT_DOUBLE_EQ(tpe.best()->params["x"].get<double>(), 0.15);  // never a failed trial
  EXPECT_DOUBLE_EQ(tpe.best()->loss, 1.0);
  double mean = 0;
  for (int i = 0; i < 20; ++i) mean += tpe.Suggest()["x"].get<double>() / 20;
  EXPECT_LT(mean, 0.5);
}

TEST(GridAssignments, EnumeratesEveryCombinationLastParameterFastest) {
  SearchSpace space;
  space.AddInt("depth", 2, 4)
      .AddChoice("criterion", {"gini", "entropy"})
      .AddFloat("eta", 0.01, 1.0, true);
  const auto grid = GridAssignments(space, 3);
  ASSERT_EQ(grid.size(), 3u * 2u * 3u);
  EXPECT_EQ(grid[0], (nlohmann::json{{"depth", 2}, {"criterion", "gini"}, {"eta", 0.01}}));
  EXPECT_NEAR(grid[1]["eta"].get<double>(), 0.1, 1e-12);  // log-spaced
  EXPECT_EQ(grid[2]["eta"].get<double>(), 1.0);
  EXPECT_EQ(grid[3]["criterion"], "entropy");
  EXPECT_EQ(grid.back()["depth"], 4);
  std::set<std::string> distinct;
  for (const auto& g : grid) distinct.insert(g.dump());
  EXPECT_EQ(distinct.size(), grid.size());
}

TEST(GridAssignments, CapsTheGridSizeWithAClearError) {
  SearchSpace space;
  space.AddFloat("a", 0, 1).AddFloat("b", 0, 1).AddFloat("c", 0, 1);
  ExpectError([&] { (void)GridAssignments(space, 10, 500); }, ErrorCode::kOutOfRange,
              "grid search: the grid has more than 500 points (parameter \"c\" multiplies it by "
              "10); use fewer "
              "points per range, fewer choices, or random / bayes search");
  GridSearch grid(space, 2);
  EXPECT_EQ(grid.size(), 8u);
  for (int i = 0; i < 8; ++i) grid.Suggest();
  EXPECT_TRUE(grid.Exhausted());
  EXPECT_THROW(grid.Suggest(), Error);
}

TEST(SearchSpace, RoundTripsJsonAndRejectsBadSpecs) {
  const auto json = nlohmann::json::parse(R"({
    "max_depth": {"type": "int", "low": 2, "high": 10},
    "eta": {"type": "float", "low": 0.001, "high": 0.3, "log": true},
    "criterion": {"type": "choice", "choices": ["gini", "entropy"]}})");
  const SearchSpace space = SearchSpace::FromJson(json);
  ASSERT_EQ(space.params().size(), 3u);
  EXPECT_EQ(SearchSpace::FromJson(space.ToJson()).ToJson(), space.ToJson());
  Rng rng(5);
  for (int i = 0; i < 100; ++i) space.Validate(space.Sample(rng));
  EXPECT_THROW(SearchSpace::FromJson(
                   nlohmann::json::parse(R"({"a": {"type": "float", "low": 2, "high": 1}})")),
               Error);
  EXPECT_THROW(SearchSpace::FromJson(nlohmann::json::parse(
                   R"({"a": {"type": "float", "low": 0, "high": 1, "log": true}})")),
               Error);
  EXPECT_THROW(
      SearchSpace::FromJson(nlohmann::json::parse(R"({"a": {"type": "choice", "choices": []}})")),
      Error);
  EXPECT_THROW(SearchSpace::FromJson(nlohmann::json::parse(R"({"a": {"type": "normal"}})")), Error);
  ExpectError(
      [&] {
        space.Validate({{"max_dept", 3}, {"eta", 0.1}, {"criterion", "gini"}});
      },
      ErrorCode::kInvalidArgument,
      "search: parameter \"max_dept\" is not in the search space. Did you mean "
      "\"max_depth\"? Parameters: "
      "criterion, eta, max_depth.");
  EXPECT_THROW(space.Validate({{"max_depth", 11}, {"eta", 0.1}, {"criterion", "gini"}}), Error);
}

TEST(MakeSearcher, KnowsGridRandomBayes) {
  EXPECT_NE(dynamic_cast<TpeSearch*>(MakeSearcher("bayes", Bowl(), 1).get()), nullptr);
  EXPECT_NE(dynamic_cast<RandomSearch*>(MakeSearcher("random", Bowl(), 1).get()), nullptr);
  ExpectError([] { (void)MakeSearcher("bayse", Bowl(), 1); }, ErrorCode::kInvalidArgument,
              "Unknown search method \"bayse\". Did you mean \"bayes\"? Valid methods: grid, "
              "random, bayes.");
}

}  // namespace
}  // namespace prospect
