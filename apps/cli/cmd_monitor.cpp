// prospect monitor — drift between a reference and current data, performance decay, KPI
// forecasts with alerts; prospect retrain — refit, compare with the champion, promote or not.
#include <iostream>

#include "cli.hpp"
#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/monitor/drift.hpp"
#include "prospect/monitor/kpi.hpp"
#include "prospect/monitor/performance.hpp"
#include "prospect/monitor/retrain.hpp"
#include "prospect/workspace/workspace.hpp"

namespace prospect::cli {
namespace {

void PrintDrift(const Cli& cli, const monitor::DriftReport& report) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : report.columns) {
    const auto& info = monitor::DescribeDriftMethod(c.method);
    rows.push_back({c.column, std::string(info.title), Fixed(c.value),
                    fmt::format("{}{}", info.p_value ? "< " : ">= ", c.threshold),
                    c.drifted ? "DRIFT" : "-",
                    fmt::format("{} ({})", Fixed(c.psi, 3), monitor::PsiBand(c.psi))});
  }
  cli.PrintTable({"column", "test", "value", "drifts at", "drift", "PSI"}, rows);
  for (const auto& [column, why] : report.skipped)
    std::cout << fmt::format("  skipped {}: {}\n", column, why);
  std::cout << fmt::format(
      "{} of {} columns drift ({:.0f}%; the data set drifts at {:.0f}%): {}.\n", report.drifted,
      report.columns.size(), 100 * report.DriftedShare(), 100 * report.drift_share,
      report.dataset_drift ? "DATA SET DRIFT" : "no data set drift");
}

}  // namespace

void AddMonitorCommands(CLI::App& app, Cli& cli) {
  CLI::App* monitor = app.add_subcommand(
      "monitor",
      "Monitoring: feature and score drift (Evidently's default tests, PSI), performance decay, "
      "KPI forecasts with alerts");
  monitor->require_subcommand(1);

  struct DriftFlags {
    monitor::DriftRequest request;
    std::string reference_rows = ":", current_rows = ":";
  };
  auto df = std::make_shared<DriftFlags>();
  CLI::App* drift = AddWorkspaceCommand(
      *monitor, cli, "drift",
      "Compare current data with a reference (a table, or a model's training table and its "
      "score), column by column: KS, chi-squared or z-test p-values for a reference of up to "
      "1,000 rows, normed Wasserstein or Jensen-Shannon distances for larger ones, PSI for all; "
      "choose tests per column in prospect.toml [monitor.drift]",
      R"(  prospect monitor drift --reference bank --reference-rows :30% --current bank --current-rows 70%:
  prospect monitor drift --reference customers_churned_gbdt --current profiles_june
  prospect monitor drift --reference last_month --current this_month --exclude customer_id --json
)",
      [&cli, df](Workspace& ws, Context& ctx) {
        monitor::DriftRequest r = df->request;
        r.reference_rows = monitor::RowRange::Parse(df->reference_rows);
        r.current_rows = monitor::RowRange::Parse(df->current_rows);
        const auto config = monitor::DriftConfig::FromJson(
            ws.Section("monitor").value("drift", nlohmann::json::object()));
        const monitor::DriftReport report = monitor::MeasureDrift(ws.store(), r, config, ctx);
        monitor::SaveDriftReport(ws.store(), report);
        if (cli.options.json) return cli.PrintJson(report.ToJson());
        PrintDrift(cli, report);
      });
  drift
      ->add_option("--reference", df->request.reference,
                   "reference: a table, or a model (model:NAME when a table has the same name)")
      ->required();
  drift->add_option("--current", df->request.current, "the current table")->required();
  drift->add_option("--reference-rows", df->reference_rows,
                    "part of the reference's rows in stored order, e.g. :30% (default: all)");
  drift->add_option("--current-rows", df->current_rows,
                    "part of the current table's rows in stored order, e.g. 70%: (default: all)");
  drift
      ->add_option("--columns", df->request.columns,
                   "columns to compare (default: every column both sides have; a model's inputs)")
      ->delimiter(',');
  drift->add_option("--exclude", df->request.exclude, "columns to leave out")->delimiter(',');

  auto pf = std::make_shared<monitor::PerformanceRequest>();
  CLI::App* perf = AddWorkspaceCommand(
      *monitor, cli, "performance",
      "A model's ROC-AUC per time window: realised (with DeLong's 95% interval) where labels are "
      "known, and estimated from calibrated probabilities (CBPE) before they arrive, against its "
      "held-out ROC-AUC at training",
      R"(  prospect monitor performance churn_model --table profiles_june
  prospect monitor performance churn_model --table scored_leads --time created_at --window week
  prospect monitor performance churn_model --table scored_leads --time created_at --json
)",
      [&cli, pf](Workspace& ws, Context& ctx) {
        const monitor::PerformanceReport report = monitor::MeasurePerformance(ws.store(), *pf, ctx);
        if (cli.options.json) return cli.PrintJson(report.ToJson());
        std::cout << fmt::format(
            "{} v{} on {}: held-out ROC-AUC at training {}; calibration: {}.\n", report.model,
            report.version, report.table, Fixed(report.holdout_roc_auc, 3), report.calibration);
        std::vector<std::vector<std::string>> rows;
        for (const auto& w : report.windows) {
          rows.push_back(
              {w.start, std::to_string(w.rows), std::to_string(w.labelled),
               Fixed(w.estimated_roc_auc, 3),
               w.roc_auc ? fmt::format("{} [{}, {}]", Fixed(w.roc_auc->auc, 3),
                                       Fixed(w.roc_auc->low, 3), Fixed(w.roc_auc->high, 3))
                         : "-",
               w.roc_auc ? fmt::format("{:+.3f}", w.estimated_roc_auc - w.roc_auc->auc) : "-",
               w.log_loss ? Fixed(*w.log_loss, 3) : "-"});
        }
        cli.PrintTable({"window", "rows", "labelled", "estimated AUC", "realised AUC [95%]",
                        "estimate - realised", "log-loss"},
                       rows);
      });
  perf->add_option("model", pf->model, "registered model")->required();
  perf->add_option("--table", pf->table, "rows to score (labels in the model's target column)")
      ->required();
  perf->add_option("--version", pf->version, "model version (default: production, else latest)");
  perf->add_option("--time", pf->time_column, "date or timestamp column that windows the rows");
  perf->add_option("--window", pf->window, "day, week or month (default month)");

  struct KpiFlags {
    monitor::KpiRequest request;
    std::string frequency = "day";
  };
  auto kf = std::make_shared<KpiFlags>();
  CLI::App* kpi = AddWorkspaceCommand(
      *monitor, cli, "kpi",
      "Daily or weekly KPIs from orders and events (conversions, revenue, active and churned "
      "customers), a Holt-Winters forecast of the last periods from the ones before (weekly "
      "season for days, yearly for weeks) and an alert for each actual value outside the "
      "forecast's interval",
      R"(  prospect monitor kpi                              # daily, the last 14 days checked
  prospect monitor kpi --frequency week --check 8 --level 0.95
  prospect monitor kpi --kpi revenue,conversions --json
)",
      [&cli, kf](Workspace& ws, Context& ctx) {
        monitor::KpiRequest r = kf->request;
        r.frequency = monitor::ParseKpiFrequency(kf->frequency);
        const ProfileConfig config = ProfileConfig::FromJson(ws.Section("profile"));
        const monitor::KpiReport report = monitor::MonitorKpis(ws.store(), config, r, ctx);
        monitor::SaveKpiReport(ws.store(), report);
        if (cli.options.json) return cli.PrintJson(report.ToJson());
        std::vector<std::vector<std::string>> rows;
        for (const auto& k : report.kpis) {
          const size_t last = k.series.values.size() - 1;
          rows.push_back({k.series.name, FormatDate(k.series.periods[last]),
                          Fixed(k.series.values[last], 1), Fixed(k.forecast.mean.back(), 1),
                          fmt::format("[{}, {}]", Fixed(k.forecast.lower.back(), 1),
                                      Fixed(k.forecast.upper.back(), 1)),
                          std::to_string(k.alerts.size())});
        }
        cli.PrintTable({"KPI", "last period", "actual", "forecast",
                        fmt::format("{:.0f}% interval", 100 * r.level), "alerts"},
                       rows);
        for (const auto& k : report.kpis) {
          for (const auto& a : k.alerts) {
            std::cout << fmt::format("  ALERT {} {}: {} outside [{}, {}] (forecast {})\n",
                                     k.series.name, FormatDate(a.period), Fixed(a.actual, 1),
                                     Fixed(a.lower, 1), Fixed(a.upper, 1), Fixed(a.forecast, 1));
          }
        }
        std::cout << fmt::format("{} alert(s) in the last {} {}s.\n", report.alerts(),
                                 r.check_periods, kf->frequency);
      });
  kpi->add_option("--frequency", kf->frequency, "day or week (default day)");
  kpi->add_option("--check", kf->request.check_periods,
                  "the last N periods checked against a forecast (default 14)");
  kpi->add_option("--level", kf->request.level, "prediction interval coverage (default 0.99)");
  kpi->add_option("--churn-days", kf->request.churn_days,
                  "days without activity that count as churn (default 90)");
  kpi->add_option("--kpi", kf->request.kpis,
                  "conversions, revenue, active_customers, churned_customers (default: all)")
      ->delimiter(',');
}

void AddRetrainCommand(CLI::App& app, Cli& cli) {
  auto rf = std::make_shared<monitor::RetrainRequest>();
  CLI::App* retrain = AddWorkspaceCommand(
      app, cli, "retrain",
      "Retrain a model with its recorded training request on fresh data, compare the new version "
      "with the production one (ROC-AUC with DeLong's test, log-loss, lift at the top 10%) and "
      "promote it only when it is better by the margin ([monitor.retrain] margin, default 0.01). "
      "Exit codes for schedulers: 0 nothing to do (no new data), 10 retrained and promoted, "
      "11 retrained and kept the champion; anything else is an error",
      R"(  prospect retrain churn_model                      # cron: act on the exit code
  prospect retrain churn_model --table profiles_june --json
  prospect retrain churn_model --force              # even when the data is unchanged
)",
      [&cli, rf](Workspace& ws, Context& ctx) {
        const auto rule = monitor::ChallengerRule::FromJson(
            ws.Section("monitor").value("retrain", nlohmann::json::object()));
        const monitor::RetrainResult result = monitor::Retrain(ws.store(), *rf, rule, ctx);
        cli.exit_code = result.outcome == monitor::RetrainOutcome::kPromoted       ? 10
                        : result.outcome == monitor::RetrainOutcome::kKeptChampion ? 11
                                                                                   : 0;
        if (cli.options.json) return cli.PrintJson(result.ToJson());
        if (!result.comparison) {
          std::cout << fmt::format("{}: nothing to do: {}.\n", result.model, result.reason);
          return;
        }
        const auto& c = *result.comparison;
        std::cout << fmt::format(
            "{}: trained v{} on {} and compared it with v{} on its {} held-out rows:\n"
            "  ROC-AUC {} (champion) vs {} (challenger), difference {:+.4f} [{:+.4f}, {:+.4f}], "
            "DeLong p = {:.3g}\n"
            "  log-loss {} vs {}; lift at the top {:.0f}%: {} vs {}\n"
            "{} {} v{} is the production version: {}.\n",
            result.model, result.challenger_version, result.table, result.champion_version, c.rows,
            Fixed(c.auc.auc_a), Fixed(c.auc.auc_b), c.auc.difference, c.auc.low, c.auc.high,
            c.auc.p_value, Fixed(c.champion_log_loss), Fixed(c.challenger_log_loss),
            100 * c.rule.top_share, Fixed(c.champion_lift, 2), Fixed(c.challenger_lift, 2),
            result.outcome == monitor::RetrainOutcome::kPromoted ? "Promoted:" : "Kept:",
            result.model, result.production_version, result.reason);
      });
  retrain->add_option("model", rf->model, "registered model")->required();
  retrain->add_option("--table", rf->table, "train on this table (default: the recorded one)");
  retrain->add_flag("--force", rf->force, "retrain even when the table is unchanged");
}

}  // namespace prospect::cli
