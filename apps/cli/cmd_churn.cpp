// prospect churn — churn early warning: train on an inactivity window, list today's at-risk
// customers.
#include <cmath>
#include <iostream>

#include "cli.hpp"
#include "prospect/churn/churn.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/io/csv.hpp"
#include "prospect/workspace/workspace.hpp"

namespace prospect::cli {
namespace {

std::string Cell(const Table& t, size_t c, size_t r) {
  const Column& col = *t.column(c);
  if (col.IsNull(r)) return "-";
  if (col.type() == DataType::kDouble) return fmt::format("{:.2f}", col.doubles()[r]);
  return col.FormatValue(r);
}

}  // namespace

void AddChurnCommand(CLI::App& app, Cli& cli) {
  auto req = std::make_shared<ChurnRequest>();
  auto as_of = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto params = std::make_shared<std::vector<std::string>>();
  auto show = std::make_shared<size_t>(10);
  CLI::App* cmd = AddWorkspaceCommand(
      app, cli, "churn",
      "Churn early warning: label churn by an inactivity window, train on profiles as they were, "
      "list today's "
      "at-risk customers with tier, reasons and value",
      R"(  prospect churn                                   # 90-day window, gbdt, as of the end of the data
  prospect churn --window 60 --out at_risk.csv
  prospect churn --as-of 2026-03-31 --model logistic --high 0.7 --medium 0.4 --json
)",
      [&cli, req, as_of, out, params, show](Workspace& ws, Context& ctx) {
        ChurnRequest r = *req;
        r.as_of = AsOfFlag(*as_of);
        r.params = ParamFlags(*params, "max_depth=4");
        const ProfileConfig config = ProfileConfig::FromJson(ws.Section("profile"));
        const ChurnResult res = RunChurn(ws.store(), config, r, ctx);
        if (!out->empty()) WriteCsv(res.at_risk, *out, ctx);
        if (cli.options.json) {
          nlohmann::json doc = res.summary;
          doc["out"] = out->empty() ? nlohmann::json() : nlohmann::json(*out);
          doc["top"] = RowsToJson(res.at_risk, *show);
          return cli.PrintJson(doc);
        }
        for (const auto& w : res.summary["warnings"]) ctx.logger().warn("{}", w.get<std::string>());
        const auto& s = res.summary;
        std::cout << fmt::format(
            "Churn = no purchase in the {} days after {}. Trained {} v{} on {} customers ({:.1f}% "
            "churned): held-out "
            "ROC-AUC {:.3f}, PR-AUC {:.3f}.\n",
            r.window_days, s["label_date"].get<std::string>(), res.model, res.version,
            res.training_customers, 100 * res.training_churn_rate, res.holdout.roc_auc,
            res.holdout.average_precision);
        std::cout << fmt::format(
            "As of {}: {} customers scored — high risk {} (value at risk {:.0f}), medium {} "
            "({:.0f}), "
            "low {} ({:.0f}). Stored as table {}{}.\n",
            s["as_of"].get<std::string>(), res.at_risk.num_rows(),
            s["tiers"]["high"]["customers"].get<size_t>(),
            s["tiers"]["high"]["value_at_risk"].get<double>(),
            s["tiers"]["medium"]["customers"].get<size_t>(),
            s["tiers"]["medium"]["value_at_risk"].get<double>(),
            s["tiers"]["low"]["customers"].get<size_t>(),
            s["tiers"]["low"]["value_at_risk"].get<double>(), s["at_risk_table"].get<std::string>(),
            out->empty() ? "" : " and written to " + *out);
        std::vector<std::vector<std::string>> rows;
        for (size_t i = 0; i < res.at_risk.num_rows() && i < *show; ++i) {
          rows.push_back({Cell(res.at_risk, 0, i), Cell(res.at_risk, 1, i), Cell(res.at_risk, 2, i),
                          Cell(res.at_risk, 5, i),
                          res.at_risk.num_columns() > 8 ? Cell(res.at_risk, 8, i) : "-"});
        }
        if (!rows.empty()) {
          std::cout << "Top of the list:\n";
          cli.PrintTable(
              {res.at_risk.schema().field(0).name, "risk", "tier", "value at risk", "main reason"},
              rows);
        }
      });
  cmd->add_option("--window", req->window_days,
                  "churned = no purchase in this many days (default 90)");
  cmd->add_option("--as-of", *as_of,
                  "today: history up to the end of this day (default: the end of the data)");
  cmd->add_option("--min-purchases", req->min_purchases,
                  "customers need this many purchases to be at risk (default 1)");
  cmd->add_option("--model", req->model, "classifier (default gbdt)");
  cmd->add_option("--param", *params, "model parameter NAME=VALUE (repeatable)");
  cmd->add_option("--name", req->name,
                  "model name; tables NAME_training and NAME_risk (default churn)");
  cmd->add_option("--high", req->high, "risk at or above this is the high tier (default 0.6)");
  cmd->add_option("--medium", req->medium,
                  "risk at or above this is the medium tier (default 0.3)");
  cmd->add_option("--reasons", req->reasons, "reasons per customer (default 3)");
  cmd->add_option("--out", *out, "write the at-risk list to this CSV file");
  cmd->add_option("--show", *show, "rows of the list to print (default 10)");
}

}  // namespace prospect::cli
