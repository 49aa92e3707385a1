// prospect uplift train | evaluate | score | list — who is worth contacting, by treatment.
#include <cmath>
#include <iostream>

#include "cli.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/io/csv.hpp"
#include "prospect/models/classify/classifier.hpp"
#include "prospect/models/regress/regressor.hpp"
#include "prospect/targeting/uplift.hpp"

namespace prospect::cli {
namespace {

// One row per treatment: its size against control and the held-out measures.
void PrintUplift(const std::string& model, const std::vector<TreatmentUplift>& ms, Cli& cli) {
  std::vector<std::vector<std::string>> rows;
  for (const TreatmentUplift& m : ms) {
    rows.push_back({model, m.treatment, std::to_string(m.treated), std::to_string(m.control),
                    Fixed(m.observed_effect), Fixed(m.mean_predicted), Fixed(m.uplift_at_k),
                    Fixed(m.qini_coefficient), Fixed(m.uplift_auc), Fixed(m.qini_area, 1)});
  }
  const std::string at_k = fmt::format("uplift@{:g}%", 100 * (ms.empty() ? 0.3 : ms[0].k));
  cli.PrintTable({"model", "treatment", "treated", "control", "observed", "predicted", at_k, "qini",
                  "auuc", "qini_area"},
                 rows);
}

}  // namespace

void AddUpliftCommand(CLI::App& app, Cli& cli) {
  CLI::App* up = app.add_subcommand(
      "uplift",
      "Uplift models: the effect of each treatment against control per customer (S-, T-, X-, "
      "DR-learners over any model)");
  up->require_subcommand(1);

  // train
  struct TrainFlags {
    UpliftTrainRequest request;
    std::string learners = "t", treatments, exclude, positive;
    std::vector<std::string> params;
  };
  auto f = std::make_shared<TrainFlags>();
  CLI::App* train = AddWorkspaceCommand(
      *up, cli, "train",
      "Check the treatment balance, fit an uplift model on half the rows and measure it on the "
      "other half (uplift@k, Qini, AUUC, by decile); one model per --learner",
      R"(  prospect uplift train --table campaign --treatment treatment --control 0 --target response --id customer_id --features customers
  prospect uplift train --table hillstrom --treatment segment --control "No E-Mail" --target visit \
      --exclude conversion,spend --learner s,t,x,dr --model gbdt
  prospect uplift train --table hillstrom --treatment segment --control "No E-Mail" \
      --treatments "Womens E-Mail" --target visit --exclude conversion,spend --learner x
  prospect uplift train --table campaign --treatment treatment --control 0 --target spend --model linear --json
)",
      [&cli, f](Workspace& ws, Context& ctx) {
        UpliftTrainRequest r = f->request;
        if (!f->treatments.empty()) r.treatments = Split(f->treatments, ',');
        if (!f->exclude.empty()) r.exclude = Split(f->exclude, ',');
        if (!f->positive.empty()) r.positive = f->positive;
        r.params = ParamFlags(f->params, "max_depth=4");
        const std::vector<std::string> learners = Split(f->learners, ',');
        nlohmann::json docs = nlohmann::json::array();
        std::vector<UpliftTrainResult> results;
        for (const std::string& learner : learners) {
          UpliftTrainRequest one = r;
          one.learner = learner;
          if (!r.name.empty() && learners.size() > 1) one.name = r.name + "_" + learner;
          results.push_back(TrainUplift(ws.store(), one, ctx));
          docs.push_back(results.back().summary);
        }
        if (cli.options.json) return cli.PrintJson(learners.size() == 1 ? docs[0] : docs);
        for (const auto& w : results.front().summary["warnings"])
          ctx.logger().warn("{}", w.get<std::string>());
        const UpliftTrainResult& first = results.front();
        std::cout << "Groups (" << r.treatment << "):\n";
        std::vector<std::vector<std::string>> rows;
        for (const auto& g : first.balance.groups) {
          rows.push_back({g.value, std::to_string(g.customers), Fixed(100 * g.share, 1) + " %",
                          Fixed(g.outcome_mean)});
        }
        cli.PrintTable({"group", "customers", "share", "mean " + r.target}, rows);
        std::cout << (first.balance.imbalanced.empty()
                          ? "Balance: every feature's standardised mean difference is within "
                            "0.1 of control.\n"
                          : fmt::format("Balance: {} feature(s) differ from control by more "
                                        "than 0.1 standard deviations (see the warnings).\n",
                                        first.balance.imbalanced.size()));
        std::cout << fmt::format("Held out {} rows:\n",
                                 first.summary["rows"]["test"].get<size_t>());
        std::vector<std::vector<std::string>> table;
        for (const UpliftTrainResult& res : results) {
          for (const TreatmentUplift& m : res.holdout) {
            table.push_back({fmt::format("{} v{}", res.name, res.version), m.treatment,
                             Fixed(m.observed_effect), Fixed(m.mean_predicted),
                             Fixed(m.uplift_at_k), Fixed(m.qini_coefficient), Fixed(m.uplift_auc)});
          }
        }
        cli.PrintTable({"model", "treatment", "observed", "predicted",
                        fmt::format("uplift@{:g}%", 100 * r.k), "qini", "auuc"},
                       table);
        std::cout << "Next: prospect uplift score " << results.back().name << " --table " << r.table
                  << " --out uplift.csv\n";
      });
  UpliftTrainRequest& req = f->request;
  train->add_option("--table", req.table, "table with the treatment, outcome and features")
      ->required();
  train->add_option("--treatment", req.treatment, "the column naming each customer's group")
      ->required();
  train->add_option("--control", req.control, "the treatment column's value for control")
      ->required();
  train->add_option("--treatments", f->treatments,
                    "treatment values to learn, comma-separated (default: every other value); "
                    "rows of other values are left out");
  train->add_option("--target", req.target, "the outcome: 0/1 (a visit) or a number (spend)")
      ->required();
  train->add_option("--positive", f->positive,
                    "the outcome value that counts as a response (auto for yes/no, true/false, "
                    "1/0)");
  train->add_option("--task", req.task, "auto (default), classification or regression");
  train->add_option("--id", req.id_column, "id column (not a feature; written by score)");
  train->add_option("--features", req.features,
                    "a table of customer features joined on --id (profiles, customers), for a "
                    "campaign table of ids, groups and outcomes");
  train->add_option("--exclude", f->exclude,
                    "columns to leave out, comma-separated (other outcomes, for one)");
  train->add_option("--learner", f->learners,
                    "s, t (default), x or dr; several comma-separated train one model each");
  train->add_option("--model", req.model,
                    "the base model (default gbdt): a classifier for a 0/1 outcome (" +
                        Join(ClassifierRegistry().Names(), ", ") + "), a regressor for a number (" +
                        Join(RegressorRegistry().Names(), ", ") + ")");
  train->add_option("--param", f->params, "the base model's NAME=VALUE (repeatable)");
  train
      ->add_option("--propensity", req.propensity,
                   "share (default: each group's share, a randomised campaign) or estimate (a "
                   "logistic model of treatment on the features)")
      ->check(CLI::IsMember({"share", "estimate"}));
  train->add_option("--test-fraction", req.test_fraction,
                    "share of rows held out for measuring, stratified by group and outcome "
                    "(default 0.5)");
  train->add_option("--k", req.k, "the share uplift@k is measured at (default 0.3)");
  train->add_option("--name", req.name,
                    "registry name (default TABLE_TARGET_LEARNER; with several learners, "
                    "NAME_LEARNER)");

  // evaluate
  struct EvaluateFlags {
    std::string model, table;
    double k = 0.3;
  };
  auto ev = std::make_shared<EvaluateFlags>();
  CLI::App* evaluate = AddWorkspaceCommand(
      *up, cli, "evaluate",
      "Measure an uplift model on a table with the treatment and outcome: on its own table, the "
      "rows it held out",
      R"(  prospect uplift evaluate hillstrom_visit_x
  prospect uplift evaluate campaign_response_t --table campaign_2027 --k 0.2 --json
)",
      [&cli, ev](Workspace& ws, Context& ctx) {
        const UpliftPackage model = LoadUplift(ws.store(), ev->model);
        const UpliftEvaluation e = EvaluateUplift(ws.store(), model, ev->table, ev->k, ctx);
        if (cli.options.json) return cli.PrintJson(e.ToJson());
        std::cout << fmt::format("{} v{} on {} ({} rows{}):\n", model.name, model.version, e.table,
                                 e.rows, e.held_out ? ", the held-out part" : "");
        PrintUplift(model.name, e.treatments, cli);
        for (const TreatmentUplift& m : e.treatments) {
          std::cout << "Uplift by decile of predicted effect, " << m.treatment << ":\n";
          std::vector<std::vector<std::string>> rows;
          for (size_t d = 0; d < m.deciles.size(); ++d) {
            const UpliftBin& b = m.deciles[d];
            rows.push_back({std::to_string(d + 1), std::to_string(b.treated),
                            std::to_string(b.control), Fixed(b.response_treated),
                            Fixed(b.response_control), Fixed(b.uplift)});
          }
          cli.PrintTable({"decile", "treated", "control", "treated mean", "control mean", "uplift"},
                         rows);
        }
      });
  evaluate->add_option("MODEL", ev->model, "uplift model name")->required();
  evaluate->add_option("--table", ev->table, "table to measure on (default: the training table)");
  evaluate->add_option("--k", ev->k, "the share uplift@k is measured at (default 0.3)");

  // score
  struct ScoreFlags {
    std::string model, table, out;
  };
  auto sc = std::make_shared<ScoreFlags>();
  CLI::App* score = AddWorkspaceCommand(
      *up, cli, "score",
      "Each customer's predicted effect: CSV of id, uplift (uplift_TREATMENT per treatment when "
      "there are several)",
      R"(  prospect uplift score campaign_response_t --table customers --out uplift.csv
)",
      [&cli, sc](Workspace& ws, Context& ctx) {
        const UpliftPackage model = LoadUplift(ws.store(), sc->model);
        const Table t = model.WithFeatures(ws.store(), ws.store().LoadTable(sc->table, ctx), ctx);
        WriteCsv(model.Score(t, ctx), sc->out, ctx);
        if (cli.options.json) {
          return cli.PrintJson({{"model", model.name},
                                {"version", model.version},
                                {"rows", t.num_rows()},
                                {"out", sc->out}});
        }
        std::cout << "Scored " << t.num_rows() << " rows of " << sc->table << " with " << model.name
                  << " v" << model.version << " → " << sc->out << "\n";
      });
  score->add_option("MODEL", sc->model, "uplift model name")->required();
  score->add_option("--table", sc->table, "table to score (needs the training columns)")
      ->required();
  score->add_option("--out", sc->out, "CSV file to write")->required();

  // list
  AddWorkspaceCommand(
      *up, cli, "list", "Every uplift model's latest version", "  prospect uplift list --json\n",
      [&cli](Workspace& ws, Context&) {
        const nlohmann::json models = ListUpliftModels(ws.store());
        if (cli.options.json) return cli.PrintJson(models);
        std::vector<std::vector<std::string>> rows;
        for (const auto& m : models) {
          rows.push_back({m["name"], std::to_string(m["version"].get<int64_t>()), m["learner"],
                          m["model"], m["table"], m["target"],
                          Join(m["treatments"].get<std::vector<std::string>>(), ", ")});
        }
        cli.PrintTable({"name", "version", "learner", "model", "table", "target", "treatments"},
                       rows);
      });
}

}  // namespace prospect::cli
