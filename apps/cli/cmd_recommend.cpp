// prospect recommend evaluate — recommenders compared on one split of an interaction table.
#include <iostream>

#include "cli.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/numbers.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/models/recommend/evaluation.hpp"
#include "prospect/models/recommend/recommender.hpp"

namespace prospect::cli {
namespace {

struct EvaluateFlags {
  std::string table, user, item, weight, time, type_column;
  double min_rating = std::nan("");
  std::vector<std::string> type_weights;  // TYPE=WEIGHT
  std::string models = "popularity,item_knn,als";
  std::vector<std::string> params;  // MODEL.NAME=VALUE
  std::string split = "time";
  double test_fraction = 0.2;
  size_t k = 10;
};

InteractionSpec SpecOf(const EvaluateFlags& f) {
  InteractionSpec spec;
  spec.user_column = f.user;
  spec.item_column = f.item;
  spec.value_column = f.weight;
  spec.min_value = f.min_rating;
  if (!std::isnan(f.min_rating) && f.weight.empty())
    Fail(ErrorCode::kInvalidArgument, "--min-rating needs --weight, the rating column");
  spec.type_column = f.type_column;
  for (const std::string& tw : f.type_weights) {
    const size_t eq = tw.find('=');
    double w = 0;
    if (eq == std::string::npos || eq == 0 || !ParseDouble(tw.substr(eq + 1), &w)) {
      Fail(ErrorCode::kInvalidArgument,
           "--type-weight {}: expected TYPE=WEIGHT, for example --type-weight purchase=5",
           QuoteForMessage(tw));
    }
    spec.type_weights[tw.substr(0, eq)] = w;
  }
  if (!spec.type_weights.empty() && spec.type_column.empty())
    Fail(ErrorCode::kInvalidArgument, "--type-weight needs --type, the event type column");
  return spec;
}

// --models and --param MODEL.NAME=VALUE as runs.
std::vector<RecommenderRun> RunsOf(const EvaluateFlags& f) {
  std::vector<RecommenderRun> runs;
  for (const std::string& name : Split(f.models, ',')) {
    RecommenderRegistry().Find(name);  // an unknown name fails here, listing the valid ones
    runs.push_back({name});
  }
  for (const std::string& p : f.params) {
    const size_t dot = p.find('.');
    const size_t eq = p.find('=');
    if (dot == std::string::npos || eq == std::string::npos || dot > eq) {
      Fail(ErrorCode::kInvalidArgument,
           "--param {}: expected MODEL.NAME=VALUE, for example --param ease.lambda=200",
           QuoteForMessage(p));
    }
    const std::string model = p.substr(0, dot);
    bool found = false;
    for (RecommenderRun& run : runs) {
      if (run.model == model) {
        run.params[p.substr(dot + 1, eq - dot - 1)] = p.substr(eq + 1);
        found = true;
      }
    }
    if (!found) {
      Fail(ErrorCode::kInvalidArgument, "--param {}: model {} is not in --models ({})",
           QuoteForMessage(p), QuoteForMessage(model), f.models);
    }
  }
  return runs;
}

InteractionSplit SplitOf(const Table& t, const EvaluateFlags& f, const Context& ctx) {
  if (f.split == "time") {
    if (f.time.empty()) Fail(ErrorCode::kInvalidArgument, "--split time needs --time COL");
    return SplitByTimeFraction(t, f.time, 1 - f.test_fraction);
  }
  if (f.split == "last") {
    if (f.time.empty()) Fail(ErrorCode::kInvalidArgument, "--split last needs --time COL");
    return SplitLeaveLastOut(t, f.user, f.time);
  }
  if (f.split == "random") return SplitRandomPerUser(t, f.user, f.test_fraction, ctx.seed());
  Fail(ErrorCode::kInvalidArgument, "--split {}: expected time, last or random",
       QuoteForMessage(f.split));
}

std::string Fixed(double v) { return fmt::format("{:.4f}", v); }

void RunEvaluate(const Cli& cli, const EvaluateFlags& f) {
  Context ctx = cli.MakeContext();
  const std::vector<RecommenderRun> runs = RunsOf(f);
  const InteractionSpec spec = SpecOf(f);
  const Table table = cli.OpenWorkspace().store().LoadTable(f.table, ctx);
  const InteractionSplit split = SplitOf(table, f, ctx);
  const RecommenderEvaluation e = EvaluateRecommenders(table, spec, split, runs, f.k, ctx);
  if (cli.options.json) {
    cli.PrintJson(e.ToJson());
    return;
  }
  const nlohmann::json& d = e.data;
  std::cout << fmt::format(
      "Split: {} ({}); train {} users x {} items, {} interactions; test {} users, {} "
      "interactions ({} held-out rows with a user and {} with an item training never saw, {} "
      "repeats of training items, left out)\n",
      split.method, split.summary.dump(), d["train"]["users"].get<size_t>(),
      d["train"]["items"].get<size_t>(), d["train"]["interactions"].get<size_t>(),
      d["test"]["users"].get<size_t>(), d["test"]["interactions"].get<size_t>(),
      d["test"]["rows_unknown_user"].get<size_t>(), d["test"]["rows_unknown_item"].get<size_t>(),
      d["test"]["repeats_of_training_items"].get<size_t>());
  std::vector<std::vector<std::string>> rows;
  for (const RecommenderResult& r : e.results) {
    const RankingMetrics& m = r.metrics;
    rows.push_back({r.model, Fixed(m.ndcg), Fixed(m.recall), Fixed(m.map), Fixed(m.precision),
                    Fixed(m.hit_rate), Fixed(m.coverage), fmt::format("{:.2f}", m.novelty),
                    fmt::format("{:.2f}", r.fit_seconds)});
  }
  const std::string at = "@" + std::to_string(f.k);
  cli.PrintTable({"model", "NDCG" + at, "recall" + at, "MAP" + at, "precision" + at,
                  "hit rate" + at, "coverage", "novelty", "fit s"},
                 rows);
  std::cout << "Full ranking over every item, each user's training items excluded; definitions: "
               "docs/user/recommend-evaluation.md\n";
}

}  // namespace

void AddRecommendCommand(CLI::App& app, Cli& cli) {
  CLI::App* rec = app.add_subcommand(
      "recommend", "Personalised recommendations: compare recommenders on held-out interactions");
  rec->require_subcommand(1);

  auto f = std::make_shared<EvaluateFlags>();
  CLI::App* evaluate = AddCommand(
      *rec, "evaluate",
      "Fit each recommender on the train part of a split and rank every item for each held-out "
      "user: NDCG, recall, MAP, precision and hit rate at k, coverage and novelty, one table",
      R"(  prospect recommend evaluate --table ratings --user userId --item movieId --weight rating --min-rating 3.5 --time timestamp --split time
  prospect recommend evaluate --table ratings --user userId --item movieId --weight rating --min-rating 3.5 --split random --models popularity,ease --param ease.lambda=200
  prospect recommend evaluate --table events --user customer_id --item item_id --type type --type-weight view=1 --type-weight purchase=5 --time timestamp --split last --json
)",
      [&cli, f] { RunEvaluate(cli, *f); });
  evaluate->add_option("--table", f->table, "interaction table: one row per user-item event")
      ->required();
  evaluate->add_option("--user", f->user, "user id column")->required();
  evaluate->add_option("--item", f->item, "item id column")->required();
  evaluate->add_option("--weight", f->weight,
                       "weight column (a count, a quantity or a rating); default: each row is 1");
  evaluate->add_option("--min-rating", f->min_rating,
                       "explicit ratings: rows with --weight below this are dropped, the rest "
                       "count 1 (e.g. 3.5)");
  evaluate->add_option("--type", f->type_column, "event type column, with --type-weight");
  evaluate->add_option("--type-weight", f->type_weights,
                       "TYPE=WEIGHT (repeatable), e.g. purchase=5; types not given are dropped");
  evaluate->add_option("--time", f->time, "time column (timestamp, date or int64 Unix seconds)");
  evaluate->add_option("--models", f->models,
                       "comma-separated recommenders (default popularity,item_knn,als; ease fits "
                       "in about a minute on 6,000 items); "
                       "valid: " +
                           Join(RecommenderRegistry().Names(), ", "));
  evaluate->add_option("--param", f->params,
                       "MODEL.NAME=VALUE (repeatable), e.g. item_knn.neighbours=200");
  evaluate->add_option("--split", f->split,
                       "time: the latest --test-fraction of rows by time; last: each user's "
                       "latest row; random: a seeded --test-fraction of each user's rows "
                       "(default time)");
  evaluate->add_option("--test-fraction", f->test_fraction,
                       "held-out share for --split time and random (default 0.2)");
  evaluate->add_option("--k", f->k, "list length (default 10)");
}

}  // namespace prospect::cli
