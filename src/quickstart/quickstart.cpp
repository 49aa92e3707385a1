// The quickstart pipeline. Each step is the same library call the matching command makes, so
// the quickstart is also an end-to-end test of the commands' building blocks.
#include "prospect/quickstart/quickstart.hpp"

#include <boost/math/statistics/bivariate_statistics.hpp>
#include <boost/math/statistics/univariate_statistics.hpp>
#include <filesystem>
#include <fstream>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include "prospect/churn/churn.hpp"
#include "prospect/clv/clv.hpp"
#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/stopwatch.hpp"
#include "prospect/experiment/analysis.hpp"
#include "prospect/features/labels.hpp"
#include "prospect/features/profile.hpp"
#include "prospect/generate/generate.hpp"
#include "prospect/ingest/ingest.hpp"
#include "prospect/io/csv.hpp"
#include "prospect/models/recommend/package.hpp"
#include "prospect/models/training.hpp"
#include "prospect/monitor/drift.hpp"
#include "prospect/monitor/kpi.hpp"
#include "prospect/quality/quality.hpp"
#include "prospect/report/report.hpp"
#include "prospect/segment/segment.hpp"
#include "prospect/serve/api_keys.hpp"
#include "prospect/targeting/campaign.hpp"
#include "prospect/targeting/lookalike.hpp"
#include "prospect/targeting/uplift.hpp"
#include "prospect/workspace/workspace.hpp"

namespace prospect {
namespace fs = std::filesystem;

namespace {

constexpr const char* kMarker = ".prospect-quickstart";

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

// Each customer's row in the generator's ground truth.
std::unordered_map<std::string, size_t> TruthRows(const Table& truth) {
  std::unordered_map<std::string, size_t> rows;
  const Column& id = truth.column("customer_id");
  for (size_t r = 0; r < truth.num_rows(); ++r) rows.emplace(id.FormatValue(r), r);
  return rows;
}

// The true effect of offer 1 (the e-mail) or 2 (the discount) on truth row r.
double TrueEffect(const Table& truth, size_t r, const std::string& offer) {
  return truth.column(offer == "2" ? "campaign_uplift_2" : "campaign_uplift").NumericAt(r);
}

// Pearson's r between an uplift score table's uplift_1 and uplift_2 and the true effects.
std::vector<double> CorrelationWithTrueEffects(
    const Table& scores, const Table& truth, const std::unordered_map<std::string, size_t>& rows) {
  std::vector<double> out;
  for (const std::string offer : {"1", "2"}) {
    const Column& predicted = scores.column("uplift_" + offer);
    std::vector<double> p, u;
    for (size_t r = 0; r < scores.num_rows(); ++r) {
      p.push_back(predicted.NumericAt(r));
      u.push_back(TrueEffect(truth, rows.at(scores.column(size_t{0})->FormatValue(r)), offer));
    }
    out.push_back(boost::math::statistics::correlation_coefficient(p, u));
  }
  return out;
}

// What an audience truly earns: the true effect of its offer × value − cost, summed.
double TrueProfitOf(const Table& audience, const Table& truth,
                    const std::unordered_map<std::string, size_t>& rows, double value) {
  double profit = 0;
  for (size_t r = 0; r < audience.num_rows(); ++r) {
    const size_t t = rows.at(audience.column(size_t{0})->FormatValue(r));
    profit += value * TrueEffect(truth, t, audience.column("treatment").FormatValue(r)) -
              audience.column("cost").NumericAt(r);
  }
  return profit;
}

}  // namespace

nlohmann::json RunQuickstart(const QuickstartOptions& options, const Context& ctx,
                             const std::function<void(const std::string&)>& say) {
  Stopwatch total;
  nlohmann::json out;
  PrepareDir(options.dir);
  const std::string data_dir = (fs::path(options.dir) / "data").string();
  const std::string ws_dir = (fs::path(options.dir) / "workspace").string();

  // 1. Sample data with known ground truth.
  Stopwatch t;
  GenerateParams gp;
  gp.customers = options.customers;
  gp.seed = static_cast<int64_t>(ctx.seed());
  gp.campaign_arms = 2;  // an e-mail and a discount: step 12 chooses between them
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
  t = Stopwatch();
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
  t = Stopwatch();
  size_t findings = 0;
  for (const auto& [name, count] : tables.items()) {
    const Table table = ws.store().LoadTable(name, ctx);
    findings += ComputeQualityReport(table, name, {}, ctx).findings.size();
  }
  say(fmt::format("4. quality    {} findings across {} tables ({:.1f}s)", findings, tables.size(),
                  t.Seconds()));
  out["quality_findings"] = findings;

  // 5. Profiles as of the end of the data.
  t = Stopwatch();
  const ProfileConfig config = ProfileConfig::FromJson(ws.Section("profile"));
  const ProfileInputs inputs = LoadProfileInputs(ws.store(), config, ctx);
  const int64_t end = DefaultAsOf(inputs, config);
  const Table profiles = BuildProfiles(inputs, config, end, ctx);
  ws.store().WriteTable(kProfilesTable, profiles, {}, ctx);
  say(fmt::format("5. profile    {} customers × {} features as of the end of {} ({:.1f}s)",
                  profiles.num_rows(), profiles.num_columns(), FormatDate(DayOfTimestamp(end) - 1),
                  t.Seconds()));

  // 6. Segments and personas.
  t = Stopwatch();
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
  t = Stopwatch();
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
  t = Stopwatch();
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
  t = Stopwatch();
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
  t = Stopwatch();
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

  // 11. Uplift: which customers the campaign's two offers (an e-mail and a discount) move, learned
  //     from the randomised campaign with the customers' attributes, by the four meta-learners
  //     (each measured on the half it held out), and how well each recovers the true effects.
  t = Stopwatch();
  std::string best_uplift;
  const Table truth = ReadCsv((fs::path(data_dir) / "ground_truth.csv").string(), {}, ctx);
  const auto truth_rows = TruthRows(truth);
  const Table campaign = ws.store().LoadTable("campaign", ctx);
  {
    UpliftTrainRequest ur;
    ur.table = "campaign";
    ur.treatment = "treatment";
    ur.control = "0";
    ur.target = "response";
    ur.id_column = "customer_id";
    ur.features = "customers";
    ur.exclude = {"spend", "email", "phone"};  // spend is an outcome; the others identify people
    ur.model = "gbdt";
    ur.params = {{"n_estimators", 100}, {"max_depth", 3}};
    std::vector<std::string> learned;
    nlohmann::json models = nlohmann::json::object();
    double best_qini = -std::numeric_limits<double>::infinity();
    for (const char* learner : {"s", "t", "x", "dr"}) {
      ur.learner = learner;
      const UpliftTrainResult r = TrainUplift(ws.store(), ur, ctx);
      const UpliftPackage model = LoadUplift(ws.store(), r.name);
      const std::vector<double> r_true = CorrelationWithTrueEffects(
          model.Score(model.WithFeatures(ws.store(), campaign, ctx), ctx), truth, truth_rows);
      learned.push_back(fmt::format("{} {:.3f}/{:.3f} (r {:.2f}/{:.2f})", learner,
                                    r.holdout[0].uplift_at_k, r.holdout[1].uplift_at_k, r_true[0],
                                    r_true[1]));
      // The next step uses the learner whose held-out Qini is best (the truth is not used).
      const double qini = (r.holdout[0].qini_coefficient + r.holdout[1].qini_coefficient) / 2;
      if (qini > best_qini) best_qini = qini, best_uplift = r.name;
      models[learner] = {{"model", r.name},
                         {"uplift_at_30", {r.holdout[0].uplift_at_k, r.holdout[1].uplift_at_k}},
                         {"correlation_with_truth", r_true}};
    }
    say(fmt::format(
        "11. uplift     held-out uplift@30% e-mail/discount and correlation with the true "
        "effects: {} ({:.1f}s)",
        Join(learned, ", "), t.Seconds()));
    out["uplift"] = models;
  }

  // 12. Whom to contact with which offer, by the uplift model of step 11 with the best held-out
  //     Qini: a response is worth 60, an e-mail costs 0.5 and the discount 3; the budget reaches a
  //     third of the campaign's customers by e-mail. The plan's
  //     true profit (from the true effects) beside what e-mailing that many at random would make.
  t = Stopwatch();
  {
    CampaignRequest cr;
    cr.uplift_model = best_uplift;
    cr.table = "campaign";
    cr.value = "60";
    cr.cost = {0.5, 3};
    const size_t reachable = campaign.num_rows();
    cr.budget = 0.5 * static_cast<double>(reachable) / 3;
    const CampaignResult plan = PlanCampaign(ws.store(), cr, ctx);
    const double real = TrueProfitOf(plan.audience, truth, truth_rows, 60);
    const auto& effects = truth.column("campaign_uplift");  // empty outside the campaign
    std::vector<double> in_campaign;
    for (size_t r = 0; r < truth.num_rows(); ++r) {
      if (!effects.IsNull(r)) in_campaign.push_back(effects.NumericAt(r));
    }
    const double random_emails =
        cr.budget / 0.5 * (60 * boost::math::statistics::mean(in_campaign) - 0.5);
    say(fmt::format(
        "12. target     by {}: {} of {} customers ({} e-mails, {} discounts) for {:.0f}: "
        "expected profit {:.0f}, true {:.0f}; as many e-mails at random: {:.0f} "
        "({:.1f}s)",
        best_uplift, plan.plan.contacted, reachable, plan.plan.per_treatment[0],
        plan.plan.per_treatment[1], plan.plan.spend, plan.plan.expected_profit, real, random_emails,
        t.Seconds()));
    out["target"] = {{"audience", plan.name},
                     {"uplift_model", best_uplift},
                     {"contacted", plan.plan.contacted},
                     {"spend", plan.plan.spend},
                     {"expected_profit", plan.plan.expected_profit},
                     {"true_profit", real},
                     {"random_emails_true_profit", random_emails}};
  }

  // 13. Lookalikes: a quarter of the true Champions as seeds; how many of the other Champions
  //     each route finds among as many customers.
  t = Stopwatch();
  {
    LookalikeRequest lr;
    const Column& segment = truth.column("segment");
    const Column& id = truth.column("customer_id");
    std::unordered_set<std::string> champions;
    for (size_t r = 0; r < truth.num_rows(); ++r) {
      if (segment.FormatValue(r) != "Champions") continue;
      champions.insert(id.FormatValue(r));
      if (champions.size() % 4 == 1) lr.seeds.push_back(id.FormatValue(r));
    }
    lr.size = champions.size() - lr.seeds.size();
    lr.name = "lookalike_champions";
    const LookalikeResult found = FindLookalikes(ws.store(), lr, ctx);
    size_t truly = 0;
    const Column& chosen = *found.audience.column(size_t{0});
    for (size_t r = 0; r < chosen.size(); ++r) truly += champions.count(chosen.FormatValue(r));
    std::vector<std::string> routes;
    for (const LookalikeQuality& q : found.quality)
      routes.push_back(fmt::format("{} recall {:.2f} (lift {:.1f})", q.method, q.recall, q.lift));
    say(fmt::format(
        "13. lookalike  {} seeds (a quarter of the true Champions) → {} customers by {}, "
        "{:.0f}% of them Champions; held-back seeds found: {} ({:.1f}s)",
        lr.seeds.size(), chosen.size(), found.method,
        chosen.size() ? 100.0 * truly / chosen.size() : 0.0, Join(routes, ", "), t.Seconds()));
    out["lookalike"] = found.summary;
    out["lookalike"]["truly_champions"] = truly;
  }

  // 14. Lifetime value: BG/NBD and Gamma-Gamma on the orders up to 90 days before the end, the
  //     last 90 days as the holdout; the recovered parameters beside the generator's true ones.
  t = Stopwatch();
  {
    clv::ClvFitRequest cr;
    cr.table = "orders";
    cr.date_column = "order_date";
    cr.value_column = "total";
    cr.calibration_end = DayOfTimestamp(end) - 1 - 90;
    const clv::ClvFitResult fit = clv::FitClv(ws.store(), cr, ctx);
    clv::ClvPredictRequest pr;
    pr.model = fit.name;
    const Table predicted = clv::PredictClv(ws.store(), pr, ctx);
    const auto& f = fit.summary["frequency"]["params"];
    const auto& g = fit.summary["spend"]["params"];
    const auto& h = fit.summary["holdout"];
    double value = 0;
    for (size_t r = 0; r < predicted.num_rows(); ++r) value += predicted.column("clv").NumericAt(r);
    say(fmt::format(
        "14. clv        BG/NBD r {:.3f} α {:.2f} a {:.3f} b {:.2f} (true {:g}, {:g}, {:g}, {:g}); "
        "Gamma-Gamma p {:.2f} q {:.2f} γ {:.1f} (true {:g}, {:g}, {:g}); last 90 days: {:.0f} "
        "purchases predicted, {:.0f} made, naive {:.0f}; CLV over 52 weeks {:.0f} ({:.1f}s)",
        f["r"].get<double>(), f["alpha"].get<double>(), f["a"].get<double>(), f["b"].get<double>(),
        gp.bgnbd_r, gp.bgnbd_alpha, gp.bgnbd_a, gp.bgnbd_b, g["p"].get<double>(),
        g["q"].get<double>(), g["gamma"].get<double>(), gp.gg_p, gp.gg_q, gp.gg_gamma,
        h["predicted_total"].get<double>(), h["actual_total"].get<double>(),
        h["naive_total"].get<double>(), value, t.Seconds()));
    out["clv"] = {{"model", fit.name}, {"converged", fit.converged}, {"frequency", f}, {"spend", g},
                  {"holdout", h},      {"total_clv", value}};
  }

  // 15. Monitoring: today's profiles with drift planted (customers a month quieter, orders 30%
  //     larger) against what the propensity model was trained on a month earlier, its score
  //     included; and the daily KPIs with the last two weeks checked against their forecast.
  t = Stopwatch();
  {
    std::vector<std::string> planted = {"recency_days", "avg_order_value"};
    Table next = profiles;
    for (const std::string& name : planted) {
      if (!next.HasColumn(name)) continue;
      const Column& c = next.column(name);
      ColumnVector<double> values(c.size());
      ColumnVector<uint8_t> valid(c.size(), 1);
      for (size_t r = 0; r < c.size(); ++r) {
        valid[r] = c.IsNull(r) ? 0 : 1;
        values[r] = name == "recency_days" ? c.NumericAt(r) + 30 : c.NumericAt(r) * 1.3;
      }
      next = next.WithColumn(name, Column::FromDoubles(std::move(values), std::move(valid)));
    }
    ws.store().WriteTable("profiles_next_month", next, {}, ctx);
    monitor::DriftRequest dr;
    dr.reference = "model:propensity";
    dr.current = "profiles_next_month";
    const monitor::DriftReport drift =
        monitor::MeasureDrift(ws.store(), dr, monitor::DriftConfig{}, ctx);
    monitor::SaveDriftReport(ws.store(), drift);
    std::vector<std::string> found;
    for (const auto& c : drift.columns)
      if (c.drifted) found.push_back(c.column);
    monitor::KpiRequest kr;
    const monitor::KpiReport kpis = monitor::MonitorKpis(ws.store(), config, kr, ctx);
    monitor::SaveKpiReport(ws.store(), kpis);
    say(fmt::format(
        "15. monitor    drift planted in {}; found in {} of {} columns: {}; KPIs: {} alert(s) in "
        "the last {} days ({:.1f}s)",
        Join(planted, ", "), found.size(), drift.columns.size(), Join(found, ", "), kpis.alerts(),
        kr.check_periods, t.Seconds()));
    out["monitor"] = {{"planted", planted},
                      {"drifted", found},
                      {"dataset_drift", drift.dataset_drift},
                      {"kpi_alerts", kpis.alerts()}};
  }

  // 16. The report.
  t = Stopwatch();
  report::ReportOptions ro;
  ro.title = "prospect quickstart";
  ro.generated_at = options.generated_at;
  const std::string report_path = (fs::path(options.dir) / "report.html").string();
  const report::ReportSummary rs = report::WriteReport(ws, report_path, ro, ctx);
  say(fmt::format("16. report     {} sections, {} charts → {} ({:.1f}s)", rs.sections, rs.charts,
                  report_path, t.Seconds()));
  out["report"] = report_path;

  // 17. A key for the server, and the two lines that serve the models and ask for a score.
  const CreatedApiKey key = CreateApiKey(ws.store(), Role::kScore, "quickstart");
  const std::string serve = fmt::format("prospect --workspace {} serve --port 8080", ws_dir);
  const std::string curl = fmt::format(
      R"(curl -s -H "Authorization: Bearer {}" -d '{{"model": "propensity", "customer_id": 42}}' localhost:8080/v1/score)",
      key.token);
  // The key after '#' stays in the browser: the dashboard's page reads it and never sends it.
  const std::string dashboard = fmt::format("http://127.0.0.1:8080/#key={}", key.token);
  say(fmt::format("17. serve      an API key (role score) for this workspace: {}", key.token));
  out["serve"] = {{"key_id", key.info.id},
                  {"key", key.token},
                  {"command", serve},
                  {"curl", curl},
                  {"dashboard", dashboard}};
  out["seconds"] = total.Seconds();
  say(fmt::format("Done in {:.1f}s. Open {} in a browser; try: prospect --workspace {} tables",
                  total.Seconds(), report_path, ws_dir));
  say(fmt::format("Serve the models: {}\nthen, in another terminal: {}\nand the live dashboard: {}",
                  serve, curl, dashboard));
  return out;
}

}  // namespace prospect
