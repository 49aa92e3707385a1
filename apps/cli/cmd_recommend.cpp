// prospect recommend train | evaluate | top | similar | update | list — recommenders trained,
// compared and used by id.
#include <iostream>

#include "cli.hpp"
#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/numbers.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/io/csv.hpp"
#include "prospect/models/recommend/ann.hpp"
#include "prospect/models/recommend/evaluation.hpp"
#include "prospect/models/recommend/package.hpp"
#include "prospect/models/recommend/recommender.hpp"

namespace prospect::cli {
namespace {

// How a table becomes an interaction matrix: the flags train and evaluate share.
struct InteractionFlags {
  std::string table = "events", user = "customer_id", item = "item_id";
  std::string weight, time, type_column;
  double min_rating = std::nan("");
  std::vector<std::string> type_weights;  // TYPE=WEIGHT
  double half_life_days = 0;
  double window_days = 0;
  bool deduplicate = false;
  std::vector<std::string> content;  // TABLE:ID_COLUMN:COL1,COL2
};

std::vector<ItemContentSource> ContentOf(const InteractionFlags& f) {
  std::vector<ItemContentSource> out;
  for (const std::string& text : f.content) out.push_back(ItemContentSource::Parse(text));
  return out;
}

struct EvaluateFlags : InteractionFlags {
  std::string models = "popularity,item_knn,als";
  std::vector<std::string> params;  // MODEL.NAME=VALUE
  std::string split = "time";
  double test_fraction = 0.2;
  double cold_items = 0;
  double cold_users = 0;
  std::string groups;  // TABLE:ID_COLUMN:GROUP_COLUMN, with --cold-users
  std::string cutoff;  // YYYY-MM-DD, for --split time
  size_t k = 10;
  std::vector<double> mmr_lambdas;  // each model once per value; empty: 1
};

InteractionSpec SpecOf(const InteractionFlags& f) {
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
  if (f.half_life_days > 0) {
    if (f.time.empty()) Fail(ErrorCode::kInvalidArgument, "--half-life needs --time COL");
    spec.time_column = f.time;
    spec.half_life_days = f.half_life_days;
  }
  if (f.window_days > 0) {
    if (f.time.empty()) Fail(ErrorCode::kInvalidArgument, "--window needs --time COL");
    spec.time_column = f.time;
    spec.window_days = f.window_days;
  }
  spec.deduplicate = f.deduplicate;
  return spec;
}

void AddInteractionOptions(CLI::App& command, InteractionFlags& f) {
  command.add_option("--table", f.table,
                     "interaction table: one row per user-item event (default events)");
  command.add_option("--user", f.user, "user id column (default customer_id)");
  command.add_option("--item", f.item, "item id column (default item_id)");
  command.add_option("--weight", f.weight,
                     "weight column (a count, a quantity or a rating); default: each row is 1");
  command.add_option("--min-rating", f.min_rating,
                     "explicit ratings: rows with --weight below this are dropped, the rest "
                     "count 1 (e.g. 3.5)");
  command.add_option("--type", f.type_column, "event type column, with --type-weight");
  command.add_option("--type-weight", f.type_weights,
                     "TYPE=WEIGHT (repeatable), e.g. purchase=5; types not given are dropped");
  command.add_option("--time", f.time, "time column (timestamp, date or int64 Unix seconds)");
  command.add_option("--half-life", f.half_life_days,
                     "time decay: a row's weight halves every this many days before the latest "
                     "(needs --time)");
  command.add_option("--window", f.window_days,
                     "keep only rows less than this many days before the latest (needs --time); "
                     "with --model popularity: what is trending");
  command.add_flag("--deduplicate", f.deduplicate,
                   "a repeated user-item pair keeps its largest weight instead of the sum");
  command.add_option("--content", f.content,
                     "TABLE:ID_COLUMN:COL1,COL2 (repeatable): item attributes for content and "
                     "hybrid, e.g. movies:movieId:genres,title");
}

std::vector<std::string> UserIds(const std::string& file, const std::string& user,
                                 const Context& ctx) {
  if (file.empty() == user.empty())
    Fail(ErrorCode::kInvalidArgument, "give --user ID or --users FILE (one of them)");
  if (!user.empty()) return {user};
  return FirstColumnIds(file, "user id", ctx);
}

std::vector<std::string> ItemIds(const std::string& file, const Context& ctx) {
  return file.empty() ? std::vector<std::string>{} : FirstColumnIds(file, nullptr, ctx);
}

void PrintRecommendations(const Cli& cli, const std::vector<Recommendation>& list) {
  bool reasons = false;
  for (const Recommendation& r : list) reasons = reasons || !r.reason.empty();
  std::vector<std::vector<std::string>> rows;
  for (size_t r = 0; r < list.size(); ++r) {
    rows.push_back({std::to_string(r + 1), list[r].item, fmt::format("{:.4g}", list[r].score)});
    if (reasons) rows.back().push_back(list[r].reason);
  }
  std::vector<std::string> header = {"rank", "item", "score"};
  if (reasons) header.push_back("reason");
  cli.PrintTable(header, rows);
}

nlohmann::json ListJson(const std::vector<Recommendation>& list) {
  nlohmann::json out = nlohmann::json::array();
  for (size_t r = 0; r < list.size(); ++r) {
    out.push_back({{"rank", r + 1}, {"item", list[r].item}, {"score", list[r].score}});
    if (!list[r].reason.empty()) out.back()["reason"] = list[r].reason;
  }
  return out;
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
  if (f.mmr_lambdas.empty()) return runs;
  std::vector<RecommenderRun> diversified;
  for (const RecommenderRun& run : runs) {
    for (const double lambda : f.mmr_lambdas) {
      diversified.push_back(run);
      diversified.back().mmr_lambda = lambda;
    }
  }
  return diversified;
}

std::string RunName(const RecommenderResult& r) {
  return r.mmr_lambda < 1 ? fmt::format("{} mmr {:g}", r.model, r.mmr_lambda) : r.model;
}

InteractionSplit SplitOf(const Table& t, const EvaluateFlags& f, const Context& ctx) {
  if (f.split == "time") {
    if (f.time.empty()) Fail(ErrorCode::kInvalidArgument, "--split time needs --time COL");
    if (f.cutoff.empty()) return SplitByTimeFraction(t, f.time, 1 - f.test_fraction);
    const int64_t day = DateFlag("--cutoff", f.cutoff, "2011-11-09");
    // An int64 time column holds Unix seconds (as MovieLens does); timestamps and dates compare
    // in microseconds.
    const bool seconds = t.column(f.time).type() == DataType::kInt64;
    return SplitByTime(t, f.time, seconds ? day * 86'400 : day * kMicrosPerDay);
  }
  if (f.split == "last") {
    if (f.time.empty()) Fail(ErrorCode::kInvalidArgument, "--split last needs --time COL");
    return SplitLeaveLastOut(t, f.user, f.time);
  }
  if (f.split == "random") return SplitRandomPerUser(t, f.user, f.test_fraction, ctx.seed());
  Fail(ErrorCode::kInvalidArgument, "--split {}: expected time, last or random",
       QuoteForMessage(f.split));
}

void RunEvaluate(const Cli& cli, const EvaluateFlags& f) {
  Context ctx = cli.MakeContext();
  const std::vector<RecommenderRun> runs = RunsOf(f);
  const InteractionSpec spec = SpecOf(f);
  Workspace ws = cli.OpenWorkspace();
  const Table table = ws.store().LoadTable(f.table, ctx);
  const ItemAttributes attributes = LoadItemAttributes(ws.store(), ContentOf(f), ctx);
  if (f.cold_items > 0 && attributes.empty())
    Fail(ErrorCode::kInvalidArgument,
         "--cold-items needs --content: hidden items are reached through their attributes");
  if (f.cold_users > 0 && f.groups.empty())
    Fail(ErrorCode::kInvalidArgument,
         "--cold-users needs --groups TABLE:ID_COLUMN:GROUP_COLUMN: new users are ranked by their "
         "group's favourites");
  const RecommenderEvaluation e =
      f.cold_users > 0
          ? EvaluateColdUsers(table, spec, LoadLabels(ws.store(), f.groups, "--groups", ctx),
                              f.cold_users, f.k, ctx)
      : f.cold_items > 0
          ? EvaluateColdItems(table, spec, attributes, f.cold_items, runs, f.k, ctx)
          : EvaluateRecommenders(table, spec, SplitOf(table, f, ctx), runs, f.k, ctx, attributes);
  const bool cold = f.cold_items > 0 || f.cold_users > 0;
  if (!cold) SaveRecommendEvaluation(ws.store(), f.table, e);  // for the report
  if (cli.options.json) {
    cli.PrintJson(e.ToJson());
    return;
  }
  const nlohmann::json& d = e.data;
  if (f.cold_users > 0) {
    std::cout << fmt::format(
        "Cold users: {} users' interactions hidden from training ({}); each ranked with no "
        "history, by overall popularity and by their group's ({} groups)\n",
        d["split"]["hidden_users"].get<size_t>(), d["split"].dump(),
        d["split"]["groups"].get<size_t>());
  } else if (f.cold_items > 0) {
    std::cout << fmt::format(
        "Cold items: {} of the items hidden from training ({}); train {} users x {} items, {} "
        "interactions; {} users ranked the hidden items only (random order: recall@{} {:.4f})\n",
        d["split"]["hidden_items"].get<size_t>(), d["split"].dump(),
        d["train"]["users"].get<size_t>(), d["train"]["items"].get<size_t>(),
        d["train"]["interactions"].get<size_t>(), d["test"]["users"].get<size_t>(), f.k,
        d["random_recall"].get<double>());
  } else {
    std::cout << fmt::format(
        "Split: {}; train {} users x {} items, {} interactions; test {} users, {} "
        "interactions ({} held-out rows with a user and {} with an item training never saw, {} "
        "repeats of training items, left out)\n",
        d["split"].dump(), d["train"]["users"].get<size_t>(), d["train"]["items"].get<size_t>(),
        d["train"]["interactions"].get<size_t>(), d["test"]["users"].get<size_t>(),
        d["test"]["interactions"].get<size_t>(), d["test"]["rows_unknown_user"].get<size_t>(),
        d["test"]["rows_unknown_item"].get<size_t>(),
        d["test"]["repeats_of_training_items"].get<size_t>());
  }
  std::vector<std::vector<std::string>> rows;
  for (const RecommenderResult& r : e.results) {
    const RankingMetrics& m = r.metrics;
    rows.push_back({RunName(r), Fixed(m.ndcg), Fixed(m.recall), Fixed(m.map), Fixed(m.precision),
                    Fixed(m.hit_rate), Fixed(m.coverage), fmt::format("{:.2f}", m.novelty),
                    Fixed(r.diversity), fmt::format("{:.2f}", r.fit_seconds)});
  }
  const std::string at = "@" + std::to_string(f.k);
  cli.PrintTable({"model", "NDCG" + at, "recall" + at, "MAP" + at, "precision" + at,
                  "hit rate" + at, "coverage", "novelty", "diversity", "fit s"},
                 rows);
  std::cout << "Full ranking over every item, each user's training items excluded; definitions: "
               "docs/user/recommend-evaluation.md\n";
}

}  // namespace

void AddRecommendCommand(CLI::App& app, Cli& cli) {
  CLI::App* rec = app.add_subcommand(
      "recommend",
      "Personalised recommendations: train, compare, recommend, similar items, update");
  rec->require_subcommand(1);

  // train
  struct TrainFlags : InteractionFlags {
    std::string model = "als", name, groups;
    std::vector<std::string> params;
  };
  auto t = std::make_shared<TrainFlags>();
  CLI::App* train = AddWorkspaceCommand(
      *rec, cli, "train",
      "Fit a recommender on an interaction table and store it (with its ids and matrix) as the "
      "next version of --name",
      R"(  prospect recommend train --model als
  prospect recommend train --table ratings --user userId --item movieId --weight rating --min-rating 3.5 --model item_knn --param weighting=bm25 --name movies_knn
  prospect recommend train --type type --type-weight view=1 --type-weight cart=3 --type-weight purchase=5 --model ease --json
)",
      [&cli, t](Workspace& ws, Context& ctx) {
        RecommendTrainRequest request;
        request.table = t->table;
        request.spec = SpecOf(*t);
        request.model = t->model;
        request.params = ParamFlags(t->params, "factors=32");
        request.name = t->name;
        request.content = ContentOf(*t);
        request.groups = t->groups;
        const RecommendTrainResult result = TrainRecommender(ws.store(), request, ctx);
        if (cli.options.json) return cli.PrintJson(result.summary);
        std::cout << fmt::format(
            "Trained recommender {} v{} ({}) on {}: {} users x {} items, {} interactions.\n",
            result.name, result.version, t->model, t->table, result.summary["users"].get<size_t>(),
            result.summary["items"].get<size_t>(), result.summary["nnz"].get<size_t>());
        std::cout << fmt::format("Next: prospect recommend top {} --user ID --k 10\n", result.name);
      });
  AddInteractionOptions(*train, *t);
  train->add_option("--model", t->model,
                    "algorithm (default als); valid: " + Join(RecommenderRegistry().Names(), ", "));
  train->add_option("--param", t->params, "NAME=VALUE (repeatable), e.g. factors=32");
  train->add_option("--name", t->name, "stored name (default TABLE_MODEL)");
  train->add_option("--groups", t->groups,
                    "TABLE:ID_COLUMN:GROUP_COLUMN: a user without history gets their group's "
                    "favourites, e.g. segments:customer_id:segment_name");
  train->footer("\nRecommenders and their --param NAME=VALUE (default, range):\n" +
                DescribeAlgorithms(RecommenderRegistry()) + train->get_footer());

  // evaluate
  auto f = std::make_shared<EvaluateFlags>();
  CLI::App* evaluate = AddCommand(
      *rec, "evaluate",
      "Fit each recommender on the train part of a split and rank every item for each held-out "
      "user: NDCG, recall, MAP, precision and hit rate at k, coverage and novelty, one table",
      R"(  prospect recommend evaluate --table ratings --user userId --item movieId --weight rating --min-rating 3.5 --time timestamp --split time
  prospect recommend evaluate --table ratings --user userId --item movieId --weight rating --min-rating 3.5 --split random --models popularity,ease --param ease.lambda=200
  prospect recommend evaluate --type type --type-weight view=1 --type-weight purchase=5 --time timestamp --split last --json
)",
      [&cli, f] { RunEvaluate(cli, *f); });
  AddInteractionOptions(*evaluate, *f);
  evaluate->add_option("--models", f->models,
                       "comma-separated recommenders (default popularity,item_knn,als; ease's "
                       "fit grows with the cube of the catalogue); "
                       "valid: " +
                           Join(RecommenderRegistry().Names(), ", "));
  evaluate->add_option("--param", f->params,
                       "MODEL.NAME=VALUE (repeatable), e.g. item_knn.neighbours=200");
  evaluate->add_option("--split", f->split,
                       "time: the latest --test-fraction of rows by time; last: each user's "
                       "latest row; random: a seeded --test-fraction of each user's rows "
                       "(default time)");
  evaluate->add_option("--cutoff", f->cutoff,
                       "--split time at this date (YYYY-MM-DD): rows from it on are held out, "
                       "instead of the latest --test-fraction");
  evaluate->add_option("--test-fraction", f->test_fraction,
                       "held-out share for --split time and random (default 0.2)");
  evaluate->add_option("--k", f->k, "list length (default 10)");
  evaluate
      ->add_option("--mmr-lambda", f->mmr_lambdas,
                   "diversify each list by MMR with these lambdas (comma-separated, 0..1; each "
                   "model runs once per value), e.g. 1,0.7,0.4: what diversity costs in accuracy")
      ->delimiter(',');
  evaluate->add_option("--cold-users", f->cold_users,
                       "instead of --split: hide every interaction of this seeded share of the "
                       "users and rank them with no history: overall popularity against their "
                       "group's (needs --groups)");
  evaluate->add_option("--groups", f->groups,
                       "TABLE:ID_COLUMN:GROUP_COLUMN: each user's group for --cold-users, e.g. "
                       "segments:customer_id:segment_name");
  evaluate->add_option("--cold-items", f->cold_items,
                       "instead of --split: hide every interaction of this seeded share of the "
                       "items (e.g. 0.1) and rank only those for the users who chose them "
                       "(needs --content)");

  // top
  struct TopFlags {
    std::string model, user, users, out, allow, deny, categories;
    std::vector<std::string> only_categories;
    size_t k = 10, max_per_category = 0;
    double mmr_lambda = 1;
    bool explain = false, include_history = false, ann = false;
  };
  auto top = std::make_shared<TopFlags>();
  CLI::App* top_cmd = AddWorkspaceCommand(
      *rec, cli, "top",
      "The k best items per user, from a stored recommender: user, rank, item, score (and the "
      "reason with --explain). Users training never saw get the most popular items",
      R"(  prospect recommend top events_als --user C000042 --k 10 --explain
  prospect recommend top events_als --users customers.csv --k 20 --out picks.csv
  prospect recommend top movies_knn --user 1 --deny already_shown.csv --json
  prospect recommend top events_als --user C000042 --categories items:item_id:category --max-per-category 2 --mmr-lambda 0.7
  prospect recommend top events_als --user C000042 --categories items:item_id:category --category Books
)",
      [&cli, top](Workspace& ws, Context& ctx) {
        RecommenderPackage p = LoadRecommender(ws.store(), top->model);
        const std::vector<std::string> users = UserIds(top->users, top->user, ctx);
        if (top->ann) p.model->BuildIndex(AnnParams{}, ctx);
        RecommendRules rules;
        rules.exclude_history = !top->include_history;
        rules.allow = ItemIds(top->allow, ctx);
        rules.deny = ItemIds(top->deny, ctx);
        if (!top->categories.empty())
          rules.category_of = LoadLabels(ws.store(), top->categories, "--categories", ctx);
        rules.categories = top->only_categories;
        rules.max_per_category = top->max_per_category;
        rules.mmr_lambda = top->mmr_lambda;
        if (!top->out.empty()) {
          const Table picks = p.TopTable(users, top->k, rules, top->explain, ctx);
          WriteCsv(picks, top->out, ctx);
          if (cli.options.json) {
            return cli.PrintJson({{"recommender", p.name},
                                  {"version", p.version},
                                  {"users", users.size()},
                                  {"rows", picks.num_rows()},
                                  {"out", top->out}});
          }
          std::cout << fmt::format("Wrote {} rows ({} users x up to {}) from {} v{} to {}\n",
                                   picks.num_rows(), users.size(), top->k, p.name, p.version,
                                   top->out);
          return;
        }
        nlohmann::json all = nlohmann::json::array();
        for (const std::string& user : users) {
          const std::vector<Recommendation> list = p.Top(user, top->k, rules, top->explain);
          if (cli.options.json) {
            all.push_back({{"user", user},
                           {"known_user", p.FindUser(user).has_value()},
                           {"items", ListJson(list)}});
            continue;
          }
          std::cout << fmt::format("User {}{}:\n", user,
                                   p.FindUser(user) ? "" : " (not in the training data)");
          PrintRecommendations(cli, list);
        }
        if (cli.options.json)
          cli.PrintJson({{"recommender", p.name}, {"version", p.version}, {"users", all}});
      });
  top_cmd->add_option("MODEL", top->model, "stored recommender name")->required();
  top_cmd->add_option("--user", top->user, "one user id");
  top_cmd->add_option("--users", top->users, "CSV with a header, user ids in its first column");
  top_cmd->add_option("--k", top->k, "items per user (default 10)");
  top_cmd->add_option("--out", top->out, "CSV to write: user, rank, item, score[, reason]");
  top_cmd->add_flag("--explain", top->explain,
                    "say per item which of the user's items (or which rule) produced it");
  top_cmd->add_flag("--include-history", top->include_history,
                    "allow items the user already has (left out by default)");
  top_cmd->add_flag("--ann", top->ann,
                    "approximate search (HNSW) over the item factors of als or bpr: for many "
                    "users over a large catalogue; recall@10 against exact in BENCHMARKS.md");
  top_cmd->add_option("--allow", top->allow, "CSV of item ids (first column): only these");
  top_cmd->add_option("--deny", top->deny, "CSV of item ids (first column): never these");
  top_cmd->add_option("--categories", top->categories,
                      "TABLE:ID_COLUMN:COLUMN: each item's category, for --category and "
                      "--max-per-category, e.g. items:item_id:category");
  top_cmd->add_option("--category", top->only_categories,
                      "only items of this category (repeatable; needs --categories)");
  top_cmd->add_option("--max-per-category", top->max_per_category,
                      "at most N items of one category per list (needs --categories)");
  top_cmd->add_option("--mmr-lambda", top->mmr_lambda,
                      "diversity by maximal marginal relevance, 0..1: 1 (default) keeps the "
                      "model's order, lower trades score for items unlike those already picked "
                      "(0.7 is a usual start; docs/user/recommend.md)");

  // similar
  struct SimilarFlags {
    std::string model, item;
    size_t k = 10;
  };
  auto sim = std::make_shared<SimilarFlags>();
  CLI::App* similar = AddWorkspaceCommand(
      *rec, cli, "similar", "The k items most like an item (customers who chose X also chose)",
      R"(  prospect recommend similar events_als --item SKU-1234 --k 10
  prospect recommend similar movies_knn --item 318 --json
)",
      [&cli, sim](Workspace& ws, Context&) {
        const RecommenderPackage p = LoadRecommender(ws.store(), sim->model);
        const std::vector<Recommendation> list = p.Similar(sim->item, sim->k);
        if (cli.options.json) {
          return cli.PrintJson({{"recommender", p.name},
                                {"version", p.version},
                                {"item", sim->item},
                                {"similar", ListJson(list)}});
        }
        PrintRecommendations(cli, list);
      });
  similar->add_option("MODEL", sim->model, "stored recommender name")->required();
  similar->add_option("--item", sim->item, "item id")->required();
  similar->add_option("--k", sim->k, "items (default 10)");

  // update
  auto up_model = std::make_shared<std::string>();
  auto up_table = std::make_shared<std::string>();
  CLI::App* update = AddWorkspaceCommand(
      *rec, cli, "update",
      "Add the interactions of a table to a stored recommender without a full refit (new "
      "users and items included); stores the next version",
      R"(  prospect ingest new_events today.csv && prospect recommend update events_als --table new_events
)",
      [&cli, up_model, up_table](Workspace& ws, Context& ctx) {
        const RecommendTrainResult r = UpdateRecommender(ws.store(), *up_model, *up_table, ctx);
        if (cli.options.json) return cli.PrintJson(r.summary);
        const nlohmann::json& u = r.summary["updates"].back();
        std::cout << fmt::format(
            "Updated recommender {} to v{}: {} users changed ({} new), {} new items; now {} "
            "users x {} items.\n",
            r.name, r.version, u["changed_users"].get<size_t>(), u["new_users"].get<size_t>(),
            u["new_items"].get<size_t>(), r.summary["users"].get<size_t>(),
            r.summary["items"].get<size_t>());
      });
  update->add_option("MODEL", *up_model, "stored recommender name")->required();
  update->add_option("--table", *up_table, "table of new interactions (the model's columns)")
      ->required();

  // list
  AddWorkspaceCommand(
      *rec, cli, "list", "Stored recommenders: latest version of each",
      "  prospect recommend list --json\n", [&cli](Workspace& ws, Context&) {
        const nlohmann::json list = ListRecommenders(ws.store());
        if (cli.options.json) return cli.PrintJson({{"recommenders", list}});
        std::vector<std::vector<std::string>> rows;
        for (const auto& r : list) {
          rows.push_back({r["name"], std::to_string(r["version"].get<int64_t>()), r["type"],
                          r["table"], std::to_string(r["users"].get<size_t>()),
                          std::to_string(r["items"].get<size_t>()), r["created_at"]});
        }
        cli.PrintTable({"name", "version", "type", "table", "users", "items", "created"}, rows);
      });
}

}  // namespace prospect::cli
