// prospect clv fit | predict | list — purchase frequency, spend and lifetime value.
#include <iostream>

#include "cli.hpp"
#include "prospect/clv/clv.hpp"
#include "prospect/common/datetime.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/io/csv.hpp"

namespace prospect::cli {
namespace {

// The parameters with their standard errors, and what the fit said about itself.
void PrintFit(const Cli& cli, const std::string& title, const nlohmann::json& fit) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& [name, value] : fit["params"].items()) {
    const auto& se = fit["standard_errors"][name];
    rows.push_back(
        {name, Fixed(value.get<double>(), 4), se.is_number() ? Fixed(se.get<double>(), 4) : "-"});
  }
  const std::string steps = fit["iterations"].is_number()
                                ? fmt::format("{} iterations", fit["iterations"].get<int>())
                                : fmt::format("{} evaluations", fit.value("evaluations", 0));
  std::cout << fmt::format("{}: log-likelihood {:.2f}, {}, {}\n", title,
                           fit["log_likelihood"].get<double>(), steps,
                           fit["converged"].get<bool>() ? "converged" : "NOT converged");
  cli.PrintTable({"parameter", "estimate", "std. error"}, rows);
  for (const auto& d : fit["diagnostics"]) std::cout << "  note: " << d.get<std::string>() << "\n";
}

}  // namespace

void AddClvCommand(CLI::App& app, Cli& cli) {
  CLI::App* clv = app.add_subcommand(
      "clv",
      "Customer lifetime value: BG/NBD, MBG/NBD or Pareto/NBD for purchase frequency and P(alive), "
      "shifted-beta-geometric for subscriptions, "
      "Gamma-Gamma for spend, CLV over a horizon with discounting");
  clv->require_subcommand(1);

  // fit
  struct FitFlags {
    clv::ClvFitRequest request;
    std::string unit = "week", calibration_end;
  };
  auto ff = std::make_shared<FitFlags>();
  CLI::App* fit = AddWorkspaceCommand(
      *clv, cli, "fit",
      "Summarise a transaction table per customer up to --calibration-end, fit the model by "
      "maximum likelihood and check it against the purchases after that date",
      R"(  prospect clv fit --table orders --date order_date --value total --calibration-end 2026-03-31
  prospect clv fit --table orders --date order_date --model mbgnbd --time-unit day --name orders_daily
  prospect clv fit --table orders --date order_date --model pareto-nbd --calibration-end 2026-03-31
  prospect clv fit --table payments --date paid_on --value amount --model sbg --time-unit month
  prospect clv fit --table orders --date order_date --exact-times --name orders_exact
  prospect clv fit --table transactions --customer CustomerID --date InvoiceDate --value amount --json
)",
      [&cli, ff](Workspace& ws, Context& ctx) {
        clv::ClvFitRequest r = ff->request;
        r.unit = clv::ParseTimeUnit(ff->unit);
        if (!ff->calibration_end.empty())
          r.calibration_end = DateFlag("--calibration-end", ff->calibration_end);
        const clv::ClvFitResult res = clv::FitClv(ws.store(), r, ctx);
        if (cli.options.json) {
          nlohmann::json out = res.summary;
          out["timing"] = {{"summary_seconds", res.summary_seconds},
                           {"fit_seconds", res.fit_seconds},
                           {"frequency_seconds", res.frequency_seconds}};
          return cli.PrintJson(out);
        }
        const auto& s = res.summary;
        std::cout << fmt::format(
            "CLV model {} v{} ({}): {} customers ({} with repeat purchases), in {}s, from {} to "
            "{}.\n",
            res.name, res.version, s["model"].get<std::string>(), s["customers"].get<size_t>(),
            s["repeat_buyers"].get<size_t>(), s["unit"].get<std::string>(),
            s["first_day"].get<std::string>(), s["calibration_end"].get<std::string>());
        if (s.contains("frequency")) PrintFit(cli, "Purchase frequency", s["frequency"]);
        if (s.contains("retention")) {
          PrintFit(cli, "Retention (shifted-beta-geometric)", s["retention"]);
          std::cout << fmt::format("  {} of {} customers churned by the calibration end\n",
                                   s["retention"]["churned"].get<size_t>(),
                                   s["customers"].get<size_t>());
        }
        if (s.contains("spend")) {
          PrintFit(cli, "Spend (Gamma-Gamma)", s["spend"]);
          std::cout << fmt::format(
              "  mean spend per purchase {:.2f}; frequency-spend correlation {:.3f} over {} "
              "repeat buyers\n",
              s["spend"]["mean_spend"].get<double>(),
              s["spend"]["frequency_spend_correlation"].get<double>(),
              s["spend"]["customers"].get<size_t>());
        }
        if (s.contains("holdout")) {
          const auto& h = s["holdout"];
          const std::string by = h["grouped_by"];
          const bool renewals = by == "renewals";
          std::cout << fmt::format(
              "Holdout {} to {} ({:.1f} {}s): {} per {} by calibration {}\n",
              s["calibration_end"].get<std::string>(), s["observation_end"].get<std::string>(),
              h["length"].get<double>(), s["unit"].get<std::string>(),
              renewals ? "renewals" : "purchases", renewals ? "subscriber" : "customer", by);
          std::vector<std::vector<std::string>> rows;
          for (const auto& row : h["by_frequency"]) {
            rows.push_back({row["frequency"], std::to_string(row["customers"].get<size_t>()),
                            Fixed(row["actual"].get<double>(), 3),
                            Fixed(row["predicted"].get<double>(), 3),
                            Fixed(row["naive"].get<double>(), 3)});
          }
          size_t customers = 0;
          for (const auto& row : h["by_frequency"]) customers += row["customers"].get<size_t>();
          rows.push_back({"total", std::to_string(customers),
                          Fixed(h["actual_total"].get<double>(), 0),
                          Fixed(h["predicted_total"].get<double>(), 0),
                          Fixed(h["naive_total"].get<double>(), 0)});
          cli.PrintTable({by, "customers", "actual", "model", "naive"}, rows);
          std::cout << fmt::format(
              "Mean absolute error per customer: model {:.3f}, naive ({}) {:.3f}.\n",
              h["model_mae"].get<double>(),
              renewals ? "a constant retention rate" : "calibration rate carried forward",
              h["naive_mae"].get<double>());
        }
        const std::string unit = s["unit"];  // a year's worth, or five for yearly renewals
        const int horizon = unit == "day" ? 365 : unit == "week" ? 52 : unit == "month" ? 12 : 5;
        std::cout << fmt::format("Next: prospect clv predict {} --horizon {} --out clv.csv\n",
                                 res.name, horizon);
      });
  auto& fr = ff->request;
  fit->add_option("--table", fr.table, "the transaction table (one row per purchase)")->required();
  fit->add_option("--customer", fr.customer_column, "the customer id column (default customer_id)");
  fit->add_option("--date", fr.date_column, "the purchase date or timestamp column")->required();
  fit->add_option("--value", fr.value_column,
                  "what each purchase is worth: also fits Gamma-Gamma for spend and CLV");
  fit->add_option("--calibration-end", ff->calibration_end,
                  "last day of the calibration period (YYYY-MM-DD); the rest is the holdout "
                  "(default: the last day, no holdout)");
  fit->add_option("--time-unit", ff->unit,
                  "day, week, month or year (default week; for sbg the renewal period)");
  fit->add_option("--model", fr.model,
                  "bgnbd (default), mbgnbd, pareto-nbd, sbg (subscriptions: renewals and "
                  "churn) or gamma-gamma (spend only)");
  fit->add_flag("--exact-times", fr.exact_times,
                "count every transaction as a purchase at its timestamp instead of one purchase "
                "per day (continuous-time data; needs a timestamp column)");
  fit->add_option("--name", fr.name, "registry name (default TABLE_MODEL)");

  // predict
  struct PredictFlags {
    clv::ClvPredictRequest request;
    std::string out;
  };
  auto pf = std::make_shared<PredictFlags>();
  CLI::App* predict = AddWorkspaceCommand(
      *clv, cli, "predict",
      "Per customer: P(alive), expected purchases over the horizon, the probability of 0, 1, … "
      "purchases in it, expected spend per purchase and CLV (annual discount rate, applied per "
      "period of the model's unit); kept as a table",
      R"(  prospect clv predict orders_bgnbd --horizon 52 --out clv.csv
  prospect clv predict orders_bgnbd --horizon 26 --discount-rate 0.08 --name clv_h26
  prospect clv predict orders_bgnbd --horizon 12 --max-count 3   # P(0), …, P(3), P(more)
)",
      [&cli, pf](Workspace& ws, Context& ctx) {
        const Table t = clv::PredictClv(ws.store(), pf->request, ctx);
        const std::string name =
            pf->request.name.empty() ? pf->request.model + "_predictions" : pf->request.name;
        if (!pf->out.empty()) WriteCsv(t, pf->out, ctx);
        if (cli.options.json) {
          return cli.PrintJson({{"table", name},
                                {"customers", t.num_rows()},
                                {"horizon", pf->request.horizon},
                                {"discount_rate", pf->request.discount_rate},
                                {"out", pf->out}});
        }
        double purchases = 0, value = 0;
        for (size_t r = 0; r < t.num_rows(); ++r) {
          purchases += t.column("expected_purchases").NumericAt(r);
          value += t.column("clv").IsNull(r) ? 0 : t.column("clv").NumericAt(r);
        }
        std::cout << fmt::format(
            "Predicted {} customers over {} periods → table {}{}: {:.0f} expected purchases{}.\n",
            t.num_rows(), pf->request.horizon, name, pf->out.empty() ? "" : " and " + pf->out,
            purchases, t.column("clv").IsNull(0) ? "" : fmt::format(", total CLV {:.2f}", value));
      });
  auto& pr = pf->request;
  predict->add_option("model", pr.model, "CLV model name")->required();
  predict->add_option("--horizon", pr.horizon,
                      "periods of the model's time unit to predict over (default 52)");
  predict->add_option("--discount-rate", pr.discount_rate,
                      "annual discount rate, applied per period (default 0.1 = 10 %)");
  predict->add_option("--max-count", pr.max_count,
                      "columns p_purchases_0 … p_purchases_N and p_purchases_more: the "
                      "probability of n purchases over the horizon (default 1)");
  predict->add_option("--name", pr.name, "the table written (default MODEL_predictions)");
  predict->add_option("--out", pf->out, "also write it to this CSV file");

  // list
  AddWorkspaceCommand(
      *clv, cli, "list", "Every CLV model's latest version", "  prospect clv list --json\n",
      [&cli](Workspace& ws, Context&) {
        const nlohmann::json list = clv::ListClvModels(ws.store());
        if (cli.options.json) return cli.PrintJson(list);
        std::vector<std::vector<std::string>> rows;
        for (const auto& m : list) {
          rows.push_back({m["name"], std::to_string(m["version"].get<int64_t>()), m["model"],
                          m["table"], m["unit"], m["calibration_end"],
                          m["converged"].get<bool>() ? "yes" : "no"});
        }
        cli.PrintTable(
            {"name", "version", "model", "table", "unit", "calibration end", "converged"}, rows);
      });
}

}  // namespace prospect::cli
