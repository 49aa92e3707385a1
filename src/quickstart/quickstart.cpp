// The quickstart pipeline. Each step is the same library call the matching command makes, so
// the quickstart is also an end-to-end test of the commands' building blocks.
#include "prospect/quickstart/quickstart.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>

#include "prospect/churn/churn.hpp"
#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/experiment/analysis.hpp"
#include "prospect/features/labels.hpp"
#include "prospect/features/profile.hpp"
#include "prospect/generate/generate.hpp"
#include "prospect/ingest/ingest.hpp"
#include "prospect/models/recommend/package.hpp"
#include "prospect/models/training.hpp"
#include "prospect/quality/quality.hpp"
#include "prospect/report/report.hpp"
#include "prospect/segment/segment.hpp"
#include "prospect/workspace/workspace.hpp"

namespace prospect {
namespace fs = std::filesystem;

namespace {

constexpr const char* kMarker = ".prospect-quickstart";

class StepTimer {
 public:
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// A fresh folder: new, empty, or one an earlier quickstart made (it is sample data).
void PrepareDir(const std::string& dir) {
  if (fs::exists(dir)) {
    const bool empty = fs::is_directory(dir) && fs::is_empty(dir);
    if (!empty && !fs::exists(fs::path(dir) / kMarker)) {
      Fail(ErrorCode::kAlreadyExists,
           "{} exists and was not made by quickstart; choose another folder with --dir, or remove "
           "it",
           dir);
    }
    fs::remove_all(dir);
  }
  fs::create_directories(dir);
  std::ofstream(fs::path(dir) / kMarker) << "made by prospect quickstart; safe to delete\n";
}

}  // namespace

nlohmann::json RunQuickstart(const QuickstartOptions& options, const Context& ctx,
                             const std::function<void(const std::string&)>& say) {
  StepTimer total;
  nlohmann::json out;
  PrepareDir(options.dir);
  const std::string data_dir = (fs::path(options.dir) / "data").string();
  const std::string ws_dir = (fs::path(options.dir) / "workspace").string();

  // 1. Sample data with known ground truth.
  StepTimer t;
  GenerateParams gp;
  gp.customers = options.customers;
  gp.seed = static_cast<int64_t>(ctx.seed());
  const GenerateSummary generated = Generate(gp, data_dir, ctx);
  say(fmt::format("1. generate   {} customers, {} events, {} orders → {} ({:.1f}s)",
                  generated.Rows("customers.csv"), generated.Rows("events.csv"),
                  generated.Rows("orders.csv"), data_dir, t.Seconds()));
  out["data"] = data_dir;

  // 2. Workspace.
  Workspace::Init(ws_dir);
  Workspace ws = Workspace::Open(ws_dir);
  say(fmt::format("2. init       workspace {}", ws_dir));
  out["workspace"] = ws_dir;

  // 3. Ingest every table.
  t = StepTimer();
  nlohmann::json tables = nlohmann::json::object();
  int64_t rows = 0;
  for (const char* name :
       {"customers", "items", "events", "orders", "order_items", "campaign", "experiment"}) {
    IngestRequest req;
    req.table = name;
    req.file = (fs::path(data_dir) / (std::string(name) + ".csv")).string();
    if (std::string(name) == "customers") req.key = "customer_id";
    const IngestResult r = Ingest(ws, req, ctx);
    tables[name] = r.rows_loaded;
    rows += r.rows_loaded;
  }
  say(fmt::format("3. ingest     {} tables, {} rows ({:.1f}s)", tables.size(), rows, t.Seconds()));
  out["tables"] = tables;

  // 4. Data quality.
  t = StepTimer();
  size_t findings = 0;
  for (const auto& [name, count] : tables.items()) {
    const Table table = ws.store().LoadTable(name, ctx);
    findings += ComputeQualityReport(table, name, {}, ctx).findings.size();
  }
  say(fmt::format("4. quality    {} findings across {} tables ({:.1f}s)", findings, tables.size(),
                  t.Seconds()));
  out["quality_findings"] = findings;

  // 5. Profiles as of the end of the data.
  t = StepTimer();
  const ProfileConfig config = ProfileConfig::FromJson(ws.Section("profile"));
  const ProfileInputs inputs = LoadProfileInputs(ws.store(), config, ctx);
  const int64_t end = DefaultAsOf(inputs, config);
  const Table profiles = BuildProfiles(inputs, config, end, ctx);
  ws.store().WriteTable(kProfilesTable, profiles, {}, ctx);
  say(fmt::format("5. profile    {} customers × {} features as of the end of {} ({:.1f}s)",
                  profiles.num_rows(), profiles.num_columns(), FormatDate(DayOfTimestamp(end) - 1),
                  t.Seconds()));

  // 6. Segments and personas.
  t = StepTimer();
  SegmentRequest seg;
  seg.method = "kmeans";
  seg.k = "5";  // a fixed k keeps the quickstart quick; `prospect segment --k auto` searches
  const SegmentResult segments = RunSegmentation(ws.store(), seg, ctx);
  say(fmt::format("6. segment    k-means, {} segments (rules place {:.0f}% right) ({:.1f}s)",
                  segments.names.size(), 100 * segments.personas.rules_accuracy, t.Seconds()));
  for (const Persona& p : segments.personas.personas) {
    say(fmt::format("               {}: {:.0f}% of customers, {:.0f}% of value — {}", p.name,
                    100 * p.share_customers, 100 * p.share_value, p.description));
  }
  out["segments"] = segments.summary;

  // 7. Propensity to buy in the next 30 days: features as of 30 days before the end, label =
  //    any order in the 30 days after — a model that could have been trained a month ago.
  t = StepTimer();
  const int64_t cut = end - 30 * kMicrosPerDay;
  const ProfileLabel label =
      ProfileLabel::Parse("purchase:30d");  // what `profile --label purchase:30d` adds
  const Table training =
      AddProfileLabel(BuildProfiles(inputs, config, cut, ctx), inputs, config, cut, label);
  ws.store().WriteTable("propensity_training", training, {}, ctx);
  TrainRequest req;
  req.table = "propensity_training";
  req.target = label.column();
  req.id_column = "customer_id";
  req.exclude = {"email", "phone"};
  req.model = "gbdt";
  req.name = "propensity";
  req.params = {{"n_estimators", 150}};
  const TrainResult trained = TrainModel(ws.store(), req, ctx);
  say(fmt::format(
      "7. train      propensity model (gbdt): held-out ROC-AUC {:.3f}, PR-AUC {:.3f} ({:.1f}s)",
      trained.holdout.roc_auc, trained.holdout.average_precision, t.Seconds()));
  out["propensity"] = {{"model", trained.name},
                       {"roc_auc", trained.holdout.roc_auc},
                       {"average_precision", trained.holdout.average_precision}};

  // 8. Churn early warning: churned = no order in the 90 days after a label date 90 days ago,
  //    a model on the profiles as they were then, and today's at-risk list.
  t = StepTimer();
  ChurnRequest churn;
  churn.params = {{"n_estimators", 80},
                  {"max_depth", 4}};  // small trees: TreeSHAP reasons for ~13k customers stay quick
  const ChurnResult at_risk = RunChurn(ws.store(), config, churn, ctx);
  const auto& tiers = at_risk.summary["tiers"];
  say(
      fmt::format("8. churn      {} customers at risk: {} high, {} medium, {} low; model held-out "
                  "ROC-AUC {:.3f} ({:.1f}s)",
                  at_risk.at_risk.num_rows(), tiers["high"]["customers"].get<size_t>(),
                  tiers["medium"]["customers"].get<size_t>(),
                  tiers["low"]["customers"].get<size_t>(), at_risk.holdout.roc_auc, t.Seconds()));
  out["churn"] = {{"model", at_risk.model},
                  {"roc_auc", at_risk.holdout.roc_auc},
                  {"table", at_risk.summary["at_risk_table"]},
                  {"tiers", tiers}};

  // 9. Recommendations: views, carts and purchases weighted 1, 3, 5; popularity, item-kNN and ALS
  //    compared on a fifth of each customer's events held out, then ALS trained on all of them.
  //    32 factors and 10 iterations suit 2,000 items and keep the step quick.
  t = StepTimer();
  {
    const nlohmann::json kQuickAls = {{"factors", 32}, {"iterations", 10}};
    const InteractionSpec spec{.user_column = "customer_id",
                               .item_column = "item_id",
                               .type_column = "type",
                               .type_weights = {{"view", 1}, {"cart", 3}, {"purchase", 5}}};
    const Table events = ws.store().LoadTable("events", {"customer_id", "item_id", "type"}, ctx);
    const RecommenderEvaluation e = EvaluateRecommenders(
        events, spec, SplitRandomPerUser(events, "customer_id", 0.2, ctx.seed()),
        {{"popularity"}, {"item_knn"}, {"als", kQuickAls}}, 10, ctx);
    SaveRecommendEvaluation(ws.store(), "events", e);
    RecommendTrainRequest rr;
    rr.spec = spec;
    rr.model = "als";
    rr.params = kQuickAls;
    const RecommendTrainResult trained = TrainRecommender(ws.store(), rr, ctx);
    std::vector<std::string> ndcg;
    nlohmann::json metrics = nlohmann::json::object();
    for (const RecommenderResult& r : e.results) {
      ndcg.push_back(fmt::format("{} {:.3f}", r.model, r.metrics.ndcg));
      metrics[r.model] = r.metrics.ToJson();
    }
    say(fmt::format("9. recommend  NDCG@10 on held-out events: {}; trained {} ({:.1f}s)",
                    Join(ndcg, ", "), trained.name, t.Seconds()));
    out["recommendations"] = {{"model", trained.name}, {"metrics", metrics}};
  }

  // 10. The A/B experiment: conversion and revenue against control, CUPED on the pre-period
  // revenue,
  //    the Bayesian view and the cumulative lift per exposure day (for the report).
  t = StepTimer();
  {
    experiment::AnalysisOptions eo;
    eo.variant_column = "variant";
    eo.control = "control";
    eo.metrics = {"converted", "revenue"};
    eo.cuped_column = "pre_revenue";
    eo.date_column = "exposure_date";
    eo.sequential = true;
    eo.bayesian = true;
    const experiment::ExperimentAnalysis a =
        experiment::AnalyzeExperiment(ws.store().LoadTable("experiment", ctx), eo, ctx);
    experiment::SaveAnalysis(ws.store(), "experiment", "experiment", experiment::AnalysisToJson(a));
    const experiment::Comparison& c = a.metrics[0].comparisons[0];
    say(fmt::format(
        "10. experiment conversion {:+.1f}% relative (95% CI {:+.1f}% to {:+.1f}%, true {:+.0f}%), "
        "P(beat control) {:.2f}, sample ratio {} ({:.1f}s)",
        100 * c.relative.estimate, 100 * c.relative.ci_low, 100 * c.relative.ci_high,
        100 * gp.experiment_lift, c.bayes->prob_beat_control, a.srm.mismatch ? "MISMATCH" : "ok",
        t.Seconds()));
    if (!c.significant) {
      say(
          fmt::format("                not significant: the smallest lift this test finds with 80% "
                      "power is {:+.1f}%",
                      100 * c.mde_relative));
    }
    out["experiment"] = {{"relative_lift", c.relative.estimate},
                         {"significant", c.significant},
                         {"minimum_detectable_relative_lift", c.mde_relative},
                         {"relative_ci", {c.relative.ci_low, c.relative.ci_high}},
                         {"true_relative_lift", gp.experiment_lift},
                         {"prob_beat_control", c.bayes->prob_beat_control}};
  }

  // 11. The report.
  t = StepTimer();
  report::ReportOptions ro;
  ro.title = "prospect quickstart";
  ro.generated_at = options.generated_at;
  const std::string report_path = (fs::path(options.dir) / "report.html").string();
  const report::ReportSummary rs = report::WriteReport(ws, report_path, ro, ctx);
  say(fmt::format("11. report     {} sections, {} charts → {} ({:.1f}s)", rs.sections, rs.charts,
                  report_path, t.Seconds()));
  out["report"] = report_path;
  out["seconds"] = total.Seconds();
  say(fmt::format("Done in {:.1f}s. Open {} in a browser; try: prospect --workspace {} tables",
                  total.Seconds(), report_path, ws_dir));
  return out;
}

}  // namespace prospect
