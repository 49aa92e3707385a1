// prospect train | evaluate | score | explain | models — propensity and churn models.
#include <cmath>
#include <iostream>

#include "cli.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/features/profile.hpp"
#include "prospect/io/csv.hpp"
#include "prospect/models/evaluation.hpp"
#include "prospect/models/scoring.hpp"
#include "prospect/models/training.hpp"

namespace prospect::cli {
namespace {

// The search's best and the cross-validation's mean ± sd, when train ran them.
void PrintTuning(const nlohmann::json& summary) {
  if (const auto& s = summary["search"]; !s.is_null()) {
    std::cout << fmt::format("Search ({}, {} trials): best CV {} {} with {}\n",
                             s["method"].get<std::string>(), s["trials"].get<size_t>(),
                             s["metric"].get<std::string>(),
                             Fixed(s["best_cv_score"].get<double>()), s["best_params"].dump());
  }
  if (const auto& cv = summary["cv"]; !cv.is_null()) {
    std::cout << fmt::format("{}-fold CV {} {} ± {}\n", cv["folds"].get<int64_t>(),
                             cv["metric"].get<std::string>(), Fixed(cv["mean"].get<double>()),
                             Fixed(cv["std"].get<double>()));
  }
}

void PrintMetrics(const MetricsReport& m) {
  std::cout << fmt::format("ROC-AUC {}  PR-AUC {}  log-loss {}  Brier {}\n", Fixed(m.roc_auc),
                           Fixed(m.average_precision), Fixed(m.log_loss), Fixed(m.brier));
  std::cout << fmt::format("At threshold {:.3g}: accuracy {}  precision {}  recall {}  F1 {}\n",
                           m.options.threshold, Fixed(m.accuracy), Fixed(m.precision),
                           Fixed(m.recall), Fixed(m.f1));
  std::cout << fmt::format("Best F1 {} at threshold {:.4g}\n", Fixed(m.max_f1.metric),
                           m.max_f1.threshold);
  if (m.max_profit) {
    std::cout << fmt::format("Best expected profit {:.2f} at threshold {:.4g}\n",
                             m.max_profit->metric, m.max_profit->threshold);
  }
}

}  // namespace

void AddModelCommands(CLI::App& app, Cli& cli) {
  // train
  auto req = std::make_shared<TrainRequest>();
  auto exclude = std::make_shared<std::string>();
  auto params = std::make_shared<std::vector<std::string>>();
  auto positive = std::make_shared<std::string>();
  CLI::App* train = AddWorkspaceCommand(
      app, cli, "train",
      "Train a model for a binary target (purchase, conversion, churn) or a numeric one (spend) on "
      "any table",
      R"(  prospect profile --as-of 2026-05-31 --label purchase:30d && \
  prospect train --target purchased_30d --model gbdt --name will_buy  # on the profiles table
  prospect train --table bank --target y --positive yes --exclude duration --model logistic --cv 5
  prospect train --table bank --target y --model gbdt --search bayes --trials 30 --name bank_gbdt
  prospect train --table bank --target y --model forest --search random --metric pr_auc
  prospect train --table leads --target won --id lead_id --model forest --param n_estimators=300
  prospect train --table hillstrom --target spend --exclude conversion,visit --model gbdt   # numeric: regression
)",
      [&cli, req, exclude, params, positive](Workspace& ws, Context& ctx) {
        TrainRequest r = *req;
        if (!exclude->empty()) r.exclude = Split(*exclude, ',');
        if (!positive->empty()) r.positive = *positive;
        r.params = ParamFlags(*params, "max_depth=4");
        const TrainResult result = TrainModel(ws.store(), r, ctx);
        if (cli.options.json) {
          nlohmann::json doc = result.summary;
          doc["holdout"] =
              result.regression ? result.regression->ToJson() : result.holdout.ToJson();
          cli.PrintJson(doc);
          return;
        }
        for (const auto& w : result.summary["warnings"])
          ctx.logger().warn("{}", w.get<std::string>());
        if (result.regression) {
          const RegressionMetrics& m = *result.regression;
          std::cout << "Trained " << result.name << " v" << result.version << " (" << r.model
                    << " regression of " << r.target << ") on " << result.summary["rows"]["train"]
                    << " rows; held out " << result.summary["rows"]["test"] << ".\n";
          PrintTuning(result.summary);
          std::cout << "Held-out: RMSE " << Fixed(m.rmse) << "  MAE " << Fixed(m.mae) << "  R² "
                    << Fixed(m.r2) << "  (mean target " << Fixed(m.mean_target) << ")\n"
                    << "Next: prospect score " << result.name << " --table " << r.table
                    << " --out predictions.csv\n";
          return;
        }
        std::cout << "Trained " << result.name << " v" << result.version << " (" << r.model
                  << ") on " << result.summary["rows"]["train"] << " rows; held out "
                  << result.summary["rows"]["test"] << ".\n";
        PrintTuning(result.summary);
        std::cout << "Held-out: ";
        PrintMetrics(result.holdout);
        std::cout << "Next: prospect evaluate " << result.name << "   prospect explain "
                  << result.name << "\n";
      });
  req->table = kProfilesTable;
  train->add_option("--table", req->table, "table to learn from (default profiles)");
  train->add_option("--target", req->target, "the column to predict")->required();
  train->add_option("--positive", *positive,
                    "the target value that counts as positive (auto for yes/no, true/false, 1/0)");
  train->add_option("--id", req->id_column, "id column (not a feature)");
  train->add_option("--exclude", *exclude, "columns to leave out, comma-separated");
  train
      ->add_option("--model", req->model,
                   "classification: " + Join(ClassifierRegistry().Names(), ", ") +
                       "; regression: " + Join(RegressorRegistry().Names(), ", ") +
                       " (their --param values below)")
      ->required();
  train->footer("\nClassification models and their --param NAME=VALUE (default, range):\n" +
                DescribeAlgorithms(ClassifierRegistry()) + "Regression models:\n" +
                DescribeAlgorithms(RegressorRegistry()) + train->get_footer());
  train
      ->add_option("--task", req->task,
                   "auto (default: regression when the target is numeric with values other than "
                   "0/1), classification or regression")
      ->check(CLI::IsMember({"auto", "classification", "regression"}));
  train->add_option("--param", *params, "model parameter NAME=VALUE (repeatable)");
  train->add_option("--split", req->split, "stratified (default), random or time:COLUMN");
  train->add_option("--test-fraction", req->test_fraction, "share of rows held out (default 0.2)");
  train->add_option("--cv", req->cv, "k-fold cross-validation on the training part");
  train->add_option("--search", req->search, "hyperparameter search: grid, random or bayes (TPE)")
      ->check(CLI::IsMember({"grid", "random", "bayes"}));
  train->add_option("--trials", req->trials, "search budget (default 20)");
  train->add_option("--metric", req->metric,
                    "what --search and --cv rank by: roc_auc (default), pr_auc, log_loss, brier; "
                    "regression: rmse (default), mae, r2");
  train->add_option("--name", req->name, "registry name (default TABLE_TARGET_MODEL)");

  // evaluate
  auto ev = std::make_shared<EvaluateRequest>();
  auto value = std::make_shared<double>(NAN);
  auto cost = std::make_shared<double>(NAN);
  CLI::App* evaluate = AddWorkspaceCommand(
      app, cli, "evaluate",
      "Metrics of a model: AUC, PR, log-loss, Brier, confusion matrix, lift/gains, calibration; "
      "threshold choice "
      "and probability calibration",
      R"(  prospect evaluate bank_gbdt                        # the rows it held out at training
  prospect evaluate bank_gbdt --table bank_2024 --threshold max-f1
  prospect evaluate bank_gbdt --threshold max-profit --value-per-conversion 120 --cost-per-contact 5
  prospect evaluate bank_gbdt --calibrate isotonic   # saves a calibrated version that score applies
)",
      [&cli, ev, value, cost](Workspace& ws, Context& ctx) {
        EvaluateRequest r = *ev;
        if (!std::isnan(*value)) r.value_per_conversion = *value;
        if (!std::isnan(*cost)) r.cost_per_contact = *cost;
        const EvaluateResult res = EvaluateModel(ws.store(), r, ctx);
        if (cli.options.json) return cli.PrintJson(res.ToJson());
        for (const auto& w : res.warnings) ctx.logger().warn("{}", w);
        if (res.regression) {
          const RegressionMetrics& m = *res.regression;
          std::cout << res.model << " v" << res.version << " on " << res.rows << " "
                    << res.rows_used << " rows of " << res.table << ": RMSE " << Fixed(m.rmse)
                    << "  MAE " << Fixed(m.mae) << "  R² " << Fixed(m.r2) << "\n";
          return;
        }
        const MetricsReport& m = res.metrics;
        std::cout << res.model << " v" << res.version << " on " << res.rows << " " << res.rows_used
                  << " rows of " << res.table << " (" << m.positives << " positive):\n";
        PrintMetrics(m);
        const ConfusionMatrix& c = m.confusion;
        std::cout << fmt::format("Confusion matrix at {:.4g}:\n", m.options.threshold);
        cli.PrintTable({"", "predicted 0", "predicted 1"},
                       {{"actual 0", fmt::format("{:.0f}", c.tn), fmt::format("{:.0f}", c.fp)},
                        {"actual 1", fmt::format("{:.0f}", c.fn), fmt::format("{:.0f}", c.tp)}});
        std::vector<std::vector<std::string>> rows;
        for (size_t i = 0; i < m.lift.size(); ++i) {
          const LiftBin& b = m.lift[i];
          rows.push_back({std::to_string(i + 1), std::to_string(b.count),
                          Fixed(b.min_score, 3) + "-" + Fixed(b.max_score, 3),
                          Fixed(b.response_rate), Fixed(b.lift, 2), Fixed(b.cumulative_lift, 2),
                          Fixed(b.cumulative_gain, 3)});
        }
        std::cout << "Lift and cumulative gains by decile (highest scores first):\n";
        cli.PrintTable({"decile", "rows", "scores", "response", "lift", "cum. lift", "cum. gain"},
                       rows);
        rows.clear();
        for (size_t i = 0; i < m.calibration.prob_pred.size(); ++i) {
          rows.push_back({Fixed(m.calibration.prob_pred[i]), Fixed(m.calibration.prob_true[i]),
                          fmt::format("{:.0f}", m.calibration.counts[i])});
        }
        std::cout << "Calibration curve (" << m.options.calibration_bins << " equal-width bins):\n";
        cli.PrintTable({"mean predicted", "observed rate", "rows"}, rows);
        if (res.calibrated) {
          std::cout << fmt::format(
              "Calibrated ({}; cross-fitted on two halves): log-loss {} → {}, Brier {} → {}, "
              "ROC-AUC {} → {}\n",
              res.calibration.value("method", ""), Fixed(m.log_loss),
              Fixed(res.calibrated->log_loss), Fixed(m.brier), Fixed(res.calibrated->brier),
              Fixed(m.roc_auc), Fixed(res.calibrated->roc_auc));
          std::cout << "Saved as " << res.model << " v" << res.calibrated_version
                    << " (fitted on all these rows); prospect score applies it.\n";
        }
      });
  evaluate->add_option("MODEL", ev->model, "registered model name")->required();
  evaluate->add_option("--version", ev->version, "model version (default latest)");
  evaluate->add_option(
      "--table", ev->table,
      "table with the target column (default: the training table's held-out rows)");
  evaluate
      ->add_option("--threshold", ev->threshold,
                   "threshold for accuracy, precision, recall, F1 and the confusion matrix: a "
                   "probability, max-f1 "
                   "or max-profit (default 0.5)")
      ->check([](const std::string& s) {
        try {
          CheckThresholdSpec(s);
          return std::string();
        } catch (const Error& e) {
          return std::string(e.what());
        }
      });
  evaluate->add_option("--value-per-conversion", *value,
                       "money one conversion brings (with --cost-per-contact)");
  evaluate->add_option("--cost-per-contact", *cost,
                       "money one contact costs (with --value-per-conversion)");
  evaluate
      ->add_option(
          "--calibrate", ev->calibrate,
          "fit platt or isotonic calibration on these rows and save it as a new model version")
      ->check(CLI::IsMember({"platt", "isotonic"}));
  evaluate->add_option("--bins", ev->calibration_bins, "calibration-curve bins (default 10)");

  // score
  auto score_model = std::make_shared<std::string>();
  auto score_table = std::make_shared<std::string>();
  auto score_out = std::make_shared<std::string>();
  CLI::App* score = AddWorkspaceCommand(
      app, cli, "score",
      "Score every row of a table: CSV of id, score (probability of the positive class)",
      R"(  prospect score bank_gbdt --table new_leads --out scores.csv
)",
      [&cli, score_model, score_table, score_out](Workspace& ws, Context& ctx) {
        const ModelPackage model = LoadModel(ws.store(), *score_model);
        const Table t = ws.store().LoadTable(*score_table, ctx);
        const Table out = ScoreTable(model, t, ctx);
        WriteCsv(out, *score_out, ctx);
        if (cli.options.json) {
          cli.PrintJson({{"model", model.name},
                         {"version", model.version},
                         {"rows", t.num_rows()},
                         {"out", *score_out}});
        } else {
          std::cout << "Scored " << t.num_rows() << " rows of " << *score_table << " with "
                    << model.name << " v" << model.version << " → " << *score_out << "\n";
        }
      });
  score->add_option("MODEL", *score_model, "registered model name")->required();
  score->add_option("--table", *score_table, "table to score (needs the training columns)")
      ->required();
  score->add_option("--out", *score_out, "CSV file to write")->required();

  // explain
  auto ex_model = std::make_shared<std::string>();
  auto ex_customer = std::make_shared<std::string>();
  auto ex_table = std::make_shared<std::string>();
  auto ex_top = std::make_shared<size_t>(3);
  CLI::App* explain = AddWorkspaceCommand(
      app, cli, "explain",
      "Why a model scores as it does: global importance, or one customer's top reasons",
      R"(  prospect explain bank_gbdt
  prospect explain churn_gbdt --customer 10042 --table profiles
)",
      [&cli, ex_model, ex_customer, ex_table, ex_top](Workspace& ws, Context& ctx) {
        const ModelPackage model = LoadModel(ws.store(), *ex_model);
        const std::string table_name = ex_table->empty() ? model.table : *ex_table;
        const Table t = ws.store().LoadTable(table_name, ctx);
        if (ex_customer->empty()) {
          const nlohmann::json imp = GlobalImportance(model, &t, ctx);
          if (cli.options.json) return cli.PrintJson(imp);
          std::vector<std::vector<std::string>> rows;
          for (const auto& r : imp["columns"]) {
            rows.push_back({r["column"], Fixed(r["importance"].get<double>()),
                            r["permutation_auc_drop"].is_null()
                                ? "-"
                                : Fixed(r["permutation_auc_drop"].get<double>())});
          }
          cli.PrintTable({"column", std::string(imp["importance_kind"]) + " importance",
                          imp["permutation_rows"].is_null()
                              ? std::string("AUC drop when shuffled")
                              : "AUC drop when shuffled (" +
                                    imp["permutation_rows"].get<std::string>() + " rows)"},
                         rows);
          return;
        }
        const CustomerExplanation e = ExplainCustomer(model, t, *ex_customer, *ex_top, ctx);
        if (cli.options.json) return cli.PrintJson(e.ToJson());
        std::cout << "Customer " << e.customer << ": score " << Fixed(e.score) << "\n";
        for (const Reason& r : e.reasons)
          std::cout << "  - " << r.words << " (" << fmt::format("{:+.3f}", r.contribution) << ")\n";
      });
  explain->add_option("MODEL", *ex_model, "registered model name")->required();
  explain->add_option("--customer", *ex_customer,
                      "a customer id: show that customer's top reasons");
  explain->add_option("--table", *ex_table, "table to explain on (default: the training table)");
  explain->add_option("--top", *ex_top, "reasons per customer (default 3)");

  // models
  CLI::App* models =
      app.add_subcommand("models", "The model registry: list, show a model, promote a version");
  models->require_subcommand(0, 1);
  models->footer(
      "\nExamples:\n  prospect models\n  prospect models show bank_gbdt\n  prospect models promote "
      "bank_gbdt 3\n");
  models->callback([&cli, models] {
    if (!models->get_subcommands().empty()) return;
    Workspace ws = cli.OpenWorkspace();
    const nlohmann::json list = ListModels(ws.store());
    if (cli.options.json) return cli.PrintJson({{"models", list}});
    std::vector<std::vector<std::string>> rows;
    for (const auto& m : list) {
      rows.push_back(
          {m["name"], std::to_string(m["version"].get<int64_t>()), m["type"], m["target"],
           m["metrics"].contains("roc_auc") ? Fixed(m["metrics"]["roc_auc"].get<double>()) : "-",
           m["production_version"].is_null()
               ? "-"
               : std::to_string(m["production_version"].get<int64_t>())});
    }
    if (rows.empty()) {
      std::cout << "No models yet. Train one with: prospect train --target COL --model gbdt\n";
      return;
    }
    cli.PrintTable({"model", "latest", "type", "target", "ROC-AUC", "production"}, rows);
  });
  auto show_name = std::make_shared<std::string>();
  auto show_version = std::make_shared<int64_t>(0);
  CLI::App* show =
      AddCommand(*models, "show", "A model's registry entry: params, metrics, data fingerprint",
                 R"(  prospect models show bank_gbdt
)",
                 [&cli, show_name, show_version] {
                   Workspace ws = cli.OpenWorkspace();
                   const ModelPackage m = LoadModel(ws.store(), *show_name, *show_version);
                   nlohmann::json doc = m.meta;
                   doc.erase("pipeline");
                   doc["name"] = m.name;
                   doc["version"] = m.version;
                   cli.PrintJson(doc);
                 });
  show->add_option("MODEL", *show_name, "model name")->required();
  show->add_option("--version", *show_version, "version (default latest)");
  auto promote_name = std::make_shared<std::string>();
  auto promote_version = std::make_shared<int64_t>(0);
  CLI::App* promote = AddCommand(
      *models, "promote", "Mark a version as the production one",
      R"(  prospect models promote bank_gbdt 3
)",
      [&cli, promote_name, promote_version] {
        Workspace ws = cli.OpenWorkspace();
        PromoteModel(ws.store(), *promote_name, *promote_version);
        if (cli.options.json) {
          cli.PrintJson({{"model", *promote_name}, {"production_version", *promote_version}});
        } else {
          std::cout << *promote_name << " v" << *promote_version
                    << " is now the production version.\n";
        }
      });
  promote->add_option("MODEL", *promote_name, "model name")->required();
  promote->add_option("VERSION", *promote_version, "version to promote")->required();
}

}  // namespace prospect::cli
