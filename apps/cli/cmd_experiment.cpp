// prospect experiment analyze | assign | power | allocate | simulate: flags and printing only;
// the statistics live in src/experiment/.
#include <cmath>
#include <iostream>
#include <map>

#include "cli.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/numbers.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/experiment/analysis.hpp"
#include "prospect/experiment/assignment.hpp"
#include "prospect/experiment/bandit.hpp"
#include "prospect/experiment/power.hpp"
#include "prospect/experiment/sequential.hpp"
#include "prospect/io/csv.hpp"

namespace prospect::cli {
namespace {

using namespace prospect::experiment;

std::string G(double x, int digits = 4) {
  if (!std::isfinite(x)) return "-";
  return fmt::format("{:.{}g}", x, digits);
}
std::string Pct(double x) { return std::isfinite(x) ? fmt::format("{:+.2f}%", 100 * x) : "-"; }
std::string PValue(double p) {
  return !std::isfinite(p) ? "-" : p < 1e-4 ? fmt::format("{:.1e}", p) : fmt::format("{:.4f}", p);
}

std::vector<double> ParseNumberList(const std::string& option, const std::string& text) {
  std::vector<double> out;
  for (const std::string& part : Split(text, ',')) {
    const std::string_view item = Trim(part);
    double v = 0;
    if (!ParseDouble(item, &v)) {
      Fail(ErrorCode::kInvalidArgument,
           "{} {}: {} is not a number; give a comma-separated list like 0.05,0.06", option,
           QuoteForMessage(text), QuoteForMessage(item));
    }
    out.push_back(v);
  }
  return out;
}

struct AnalyzeFlags {
  std::string table, name, variant, control, correction = "holm", cuped, date, weights,
                                             prior = "1,1";
  std::vector<std::string> metrics, ratios;
  double winsorize = 0, alpha = 0.05, tau = kDefaultTauSd, srm_threshold = 0.001;
  bool sequential = false, bayesian = false, no_mann_whitney = false;
};

void RunAnalyze(const Cli& cli, const AnalyzeFlags& f) {
  AnalysisOptions o;
  o.variant_column = f.variant;
  o.control = f.control;
  o.metrics = f.metrics;
  for (const auto& r : f.ratios) o.ratios.push_back(ParseRatioMetric(r));
  o.alpha = f.alpha;
  o.correction = ParseCorrection(f.correction);
  o.winsorize = f.winsorize;
  o.cuped_column = f.cuped;
  o.sequential = f.sequential;
  o.tau_sd = f.tau;
  o.bayesian = f.bayesian;
  o.mann_whitney = !f.no_mann_whitney;
  o.date_column = f.date;
  o.srm_threshold = f.srm_threshold;
  if (!f.weights.empty()) o.expected_shares = ParseVariantWeights(f.weights);
  const std::vector<double> prior = ParseNumberList("--prior", f.prior);
  if (prior.size() != 2)
    Fail(ErrorCode::kInvalidArgument, "--prior {}: expected ALPHA,BETA such as 1,1",
         QuoteForMessage(f.prior));
  o.prior = {prior[0], prior[1]};

  Workspace ws = cli.OpenWorkspace();
  Context ctx = cli.MakeContext();
  const Table table = ws.store().LoadTable(f.table, ctx);
  const ExperimentAnalysis a = AnalyzeExperiment(table, o, ctx);
  for (const auto& w : a.warnings) cli.Say("warning: " + w);
  nlohmann::json doc = AnalysisToJson(a);
  const std::string name = f.name.empty() ? f.table : f.name;
  const int64_t version = SaveAnalysis(ws.store(), name, f.table, doc);
  if (cli.options.json) {
    doc["saved"] = {{"name", name}, {"version", version}};
    return cli.PrintJson(doc);
  }

  std::cout << "Experiment on " << f.table << " by " << a.variant_column << " (control "
            << QuoteForMessage(a.control) << "), alpha " << a.alpha << ", correction "
            << CorrectionName(a.correction) << "\n";
  std::string srm = "Sample ratio: ";
  for (size_t v = 0; v < a.srm.variants.size(); ++v) {
    srm += (v ? ", " : "") + a.srm.variants[v] + " " + std::to_string(a.srm.observed[v]);
  }
  srm += fmt::format(
      " — chi-square p = {} ({})\n", PValue(a.srm.chi_square.p_value),
      a.srm.mismatch ? "MISMATCH: do not trust the results before finding the cause" : "ok");
  std::cout << srm;
  for (const auto& m : a.metrics) {
    std::cout << "\n" << m.name << " (" << MetricKindName(m.kind);
    if (m.winsor_cap) std::cout << ", winsorised at " << G(*m.winsor_cap, 6);
    if (m.cuped)
      std::cout << fmt::format(", CUPED on {}: theta {}, variance reduced {:.1f}%", f.cuped,
                               G(m.cuped_theta), 100 * m.variance_reduction);
    std::cout << ")\n";
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> header = {"variant", "n",         "mean",    "95% CI", "lift",
                                       "lift CI", "rel. lift", "rel. CI", "p",      "p adj."};
    if (a.alpha != 0.05) header[3] = fmt::format("{:g}% CI", 100 * (1 - a.alpha));
    const bool seq = !m.comparisons.empty() && m.comparisons[0].sequential.has_value();
    const bool bayes = !m.comparisons.empty() && m.comparisons[0].bayes.has_value();
    const bool mw = !m.comparisons.empty() && m.comparisons[0].mann_whitney.has_value();
    if (mw) header.push_back("MW p");
    if (seq) header.push_back("always-valid p");
    if (bayes) {
      header.push_back("P(beat ctrl)");
      header.push_back("exp. loss");
    }
    for (size_t v = 0; v < m.variants.size(); ++v) {
      const auto& s = m.variants[v];
      std::vector<std::string> row = {s.name, std::to_string(s.n), G(s.mean, 5),
                                      "[" + G(s.ci_low, 5) + ", " + G(s.ci_high, 5) + "]"};
      if (v == 0) {
        row.insert(row.end(), {"(control)", "", "", "", "", ""});
        if (mw) row.push_back("");
        if (seq) row.push_back("");
        if (bayes) row.insert(row.end(), {"", ""});
      } else {
        const auto& c = m.comparisons[v - 1];
        row.insert(row.end(), {G(c.absolute.estimate),
                               "[" + G(c.absolute.ci_low) + ", " + G(c.absolute.ci_high) + "]",
                               Pct(c.relative.estimate),
                               "[" + Pct(c.relative.ci_low) + ", " + Pct(c.relative.ci_high) + "]",
                               PValue(c.absolute.p_value),
                               PValue(c.p_adjusted) + (c.significant ? " *" : "")});
        if (mw) row.push_back(PValue(c.mann_whitney->p_value));
        if (seq) row.push_back(PValue(c.sequential->p_value));
        if (bayes) {
          row.push_back(fmt::format("{:.4f}", c.bayes->prob_beat_control));
          row.push_back(G(c.bayes->expected_loss_treatment, 3));
        }
      }
      rows.push_back(std::move(row));
    }
    cli.PrintTable(header, rows);
  }
  // A non-significant result is not "no effect": say how large an effect this sample could find.
  for (const auto& m : a.metrics) {
    for (const auto& c : m.comparisons) {
      if (c.significant || !std::isfinite(c.mde_absolute)) continue;
      std::cout << fmt::format(
          "{} {}: not significant. With these samples the test finds a difference of {} ({} "
          "relative) or more with 80% power; a smaller true effect can go unseen.\n",
          m.name, c.variant, G(c.mde_absolute, 3),
          std::isfinite(c.mde_relative) ? fmt::format("±{:.1f}%", 100 * c.mde_relative) : "n/a");
    }
  }
  std::cout << "\n* significant after " << CorrectionName(a.correction) << " correction over " <<
      [&] {
        size_t n = 0;
        for (const auto& m : a.metrics) n += m.comparisons.size();
        return n;
      }() << " comparisons.\n";
  std::cout << "Saved as experiment " << QuoteForMessage(name) << " version " << version
            << "; `prospect report` shows it.\n";
}

struct AssignFlags {
  std::string salt, variants, layer, holdout_salt = "prospect-holdout", table, id, ids, out;
  double traffic = 1.0, layer_offset = 0.0, holdout = 0.0;
};

void RunAssign(const Cli& cli, const AssignFlags& f) {
  AssignmentSpec spec;
  spec.salt = f.salt;
  spec.variants = ParseVariantWeights(f.variants);
  spec.traffic = f.traffic;
  spec.layer = f.layer;
  spec.layer_offset = f.layer_offset;
  spec.holdout = f.holdout;
  spec.holdout_salt = f.holdout_salt;
  spec.Validate();
  Context ctx = cli.MakeContext();
  Table units;
  std::string id_column = f.id;
  if (!f.table.empty() == !f.ids.empty()) {
    Fail(ErrorCode::kInvalidArgument,
         "give the units either with --table T --id COL or with --ids FILE (one id per line)");
  }
  if (!f.table.empty()) {
    if (id_column.empty())
      Fail(ErrorCode::kInvalidArgument, "--table needs --id COL: the column holding unit ids");
    units = cli.OpenWorkspace().store().LoadTable(f.table, ctx);
  } else {
    units = ReadUnitIds(f.ids);
    id_column = "unit_id";
  }
  const Table out = AssignTable(spec, units, id_column, ctx);
  if (!f.out.empty()) WriteCsv(out, f.out, ctx);
  const std::map<std::string, int64_t> counts = CountAssignments(out);
  const Column& variant = out.column("variant");
  const Column& status = out.column("status");
  if (cli.options.json) {
    return cli.PrintJson({{"salt", spec.salt},
                          {"units", out.num_rows()},
                          {"counts", counts},
                          {"out", f.out.empty() ? nlohmann::json() : nlohmann::json(f.out)}});
  }
  if (f.out.empty()) {
    std::cout << "unit_id,variant,status,bucket\n";
    for (size_t i = 0; i < out.num_rows(); ++i) {
      std::cout << out.column(0)->FormatValue(i) << "," << variant.FormatValue(i) << ","
                << status.StringAt(i) << "," << out.column(3)->FormatValue(i) << "\n";
    }
  }
  std::string summary =
      fmt::format("Assigned {} units with salt {}:", out.num_rows(), QuoteForMessage(spec.salt));
  for (const auto& [name, n] : counts) summary += fmt::format(" {} {}", name, n);
  cli.Say(summary + (f.out.empty() ? "" : "; written to " + f.out));
}

void RunPower(const Cli& cli, const PowerRequest& req) {
  const PowerResult r = PlanPower(req);
  if (cli.options.json) return cli.PrintJson(r.ToJson());
  if (!r.plan) {
    std::cout << fmt::format(
        "With {} control and {} treatment units (alpha {}, power {}), the minimum detectable "
        "effect "
        "is {} absolute{} (standardised {}).\n",
        G(*req.nobs_control, 10), G(*req.nobs_control * req.ratio, 10), req.alpha, req.power,
        G(r.mde_absolute),
        r.mde_relative ? fmt::format(" = {} relative", Pct(*r.mde_relative)) : "",
        G(r.effect_size));
    return;
  }
  const PowerPlan& plan = *r.plan;
  std::cout << fmt::format(
      "To detect {} absolute (standardised effect {}) with alpha {} and power {}: {} control + {} "
      "treatment = {} units{}.\n",
      G(r.mde_absolute), G(r.effect_size), req.alpha, req.power, plan.nobs_control,
      plan.nobs_treatment, plan.total,
      req.daily_traffic > 0
          ? fmt::format(", about {:.1f} days at {} units a day ({}% in the experiment)", plan.days,
                        G(req.daily_traffic, 10), G(100 * req.traffic_share))
          : "");
}

}  // namespace

void AddExperimentCommand(CLI::App& app, Cli& cli) {
  CLI::App* exp = app.add_subcommand(
      "experiment", "A/B tests: analyse, assign, plan sample size, allocate with bandits");
  exp->require_subcommand(1);

  auto af = std::make_shared<AnalyzeFlags>();
  CLI::App* analyze = AddCommand(
      *exp, "analyze",
      "Compare every variant with control: SRM check, z / Welch / Mann-Whitney / delta-method "
      "tests, lifts with "
      "intervals, Holm or BH correction; optional CUPED, winsorising, mSPRT and Bayesian views",
      R"(  prospect experiment analyze --table hillstrom --variant segment --control 'No E-Mail' --metric visit --metric spend
  prospect experiment analyze --table cc --variant version --control gate_30 --metric retention_1 --metric sum_gamerounds --winsorize 99 --bayesian
  prospect experiment analyze --table hillstrom --variant segment --control 'No E-Mail' --metric spend --cuped history --json
)",
      [&cli, af] { RunAnalyze(cli, *af); });
  analyze->add_option("--table", af->table, "table with one row per unit")->required();
  analyze->add_option("--name", af->name,
                      "save the analysis under this name for the report (default: the table name)");
  analyze->add_option("--variant", af->variant, "column holding each unit's variant")->required();
  analyze->add_option("--control", af->control, "the control variant's value")->required();
  analyze->add_option("--metric", af->metrics,
                      "metric column (repeatable); bool or 0/1 columns are binary");
  analyze->add_option("--ratio", af->ratios,
                      "ratio metric NUM/DEN (repeatable), delta-method standard errors");
  analyze->add_option("--alpha", af->alpha, "significance level (default 0.05)");
  analyze->add_option("--correction", af->correction,
                      "holm (default), bh or none, over all metric x variant tests");
  analyze->add_option("--winsorize", af->winsorize,
                      "cap continuous metrics at this pooled percentile, e.g. 99");
  analyze->add_option("--cuped", af->cuped, "pre-period covariate column for CUPED");
  analyze->add_flag("--sequential", af->sequential,
                    "add mSPRT always-valid p-values and confidence sequences");
  analyze->add_option("--tau", af->tau,
                      "mSPRT mixing sd in units of the metric's sd (default 0.1)");
  analyze->add_flag("--bayesian", af->bayesian, "add posteriors, P(beat control), expected loss");
  analyze->add_option("--prior", af->prior,
                      "Beta prior ALPHA,BETA for binary metrics (default 1,1)");
  analyze->add_option("--date", af->date,
                      "date column: cumulative lift per day (and running mSPRT) in --json");
  analyze->add_option("--weights", af->weights,
                      "planned split for the SRM check, e.g. control:50,treatment:50");
  analyze->add_option("--srm-threshold", af->srm_threshold,
                      "warn when the SRM p-value is below this (default 0.001)");
  analyze->add_flag("--no-mann-whitney", af->no_mann_whitney,
                    "skip Mann-Whitney U on continuous metrics");

  auto sf = std::make_shared<AssignFlags>();
  CLI::App* assign = AddCommand(
      *exp, "assign",
      "Deterministic hash assignment of units to variants (MurmurHash3 buckets); writes CSV",
      R"(  prospect experiment assign --salt checkout-2024 --variants control:50,treatment:50 --ids ids.txt --out a.csv
  prospect experiment assign --salt banner --variants a,b --traffic 0.2 --layer home --layer-offset 0.4 --table customers --id customer_id
)",
      [&cli, sf] { RunAssign(cli, *sf); });
  assign
      ->add_option("--salt", sf->salt,
                   "the experiment's salt (its name); same salt, same assignment")
      ->required();
  assign->add_option("--variants", sf->variants, "NAME:WEIGHT,... e.g. control:50,treatment:50")
      ->required();
  assign->add_option("--traffic", sf->traffic,
                     "share of units in the experiment, (0, 1] (default 1)");
  assign->add_option("--layer", sf->layer,
                     "layer name: experiments in one layer never share a unit");
  assign->add_option("--layer-offset", sf->layer_offset,
                     "start of this experiment's slice of the layer, [0, 1)");
  assign->add_option("--holdout", sf->holdout,
                     "share of all units held out of every experiment, [0, 1)");
  assign->add_option("--holdout-salt", sf->holdout_salt,
                     "salt of the global holdout (default prospect-holdout)");
  assign->add_option("--table", sf->table, "read unit ids from this table (with --id)");
  assign->add_option("--id", sf->id, "id column of --table");
  assign->add_option("--ids", sf->ids, "read unit ids from this file, one per line");
  assign->add_option("--out", sf->out, "write the CSV here (default: stdout)");

  auto pf = std::make_shared<PowerRequest>();
  CLI::App* power = AddCommand(
      *exp, "power",
      "Sample size for an effect, the MDE for a sample size, and the duration for daily traffic",
      R"(  prospect experiment power --baseline 0.10 --mde 0.01 --daily-traffic 5000
  prospect experiment power --baseline 0.10 --mde 0.05 --relative --ratio 2
  prospect experiment power --baseline 0.10 --n 20000          # MDE for 20000 per group
  prospect experiment power --sd 35 --mde 2.5 --power 0.9     # continuous metric
)",
      [&cli, pf] { RunPower(cli, *pf); });
  power->add_option("--baseline", pf->baseline,
                    "control conversion rate (binary) or control mean (continuous)");
  power->add_option("--sd", pf->sd,
                    "standard deviation of a continuous metric (omit for a conversion rate)");
  power->add_option("--mde", pf->mde,
                    "minimum detectable effect, absolute (relative with --relative)");
  power->add_flag("--relative", pf->relative, "--mde is relative to --baseline (0.05 = +5%)");
  power->add_option("--alpha", pf->alpha, "two-sided significance level (default 0.05)");
  power->add_option("--power", pf->power, "power (default 0.8)");
  power->add_option("--ratio", pf->ratio, "treatment units per control unit (default 1)");
  power->add_option("--n", pf->nobs_control,
                    "control-group size: report the MDE instead of the sample size");
  power->add_option("--daily-traffic", pf->daily_traffic, "units a day: report the duration");
  power->add_option("--traffic", pf->traffic_share,
                    "share of daily traffic in the experiment (default 1)");

  auto table = std::make_shared<std::string>();
  auto request = std::make_shared<AllocateRequest>();
  CLI::App* allocate = AddCommand(
      *exp, "allocate",
      "Bandit allocation: share of the next traffic per variant from the current results",
      R"(  prospect experiment allocate --table results --variant arm --metric converted --policy thompson
)",
      [&cli, table, request] {
        Context ctx = cli.MakeContext();
        const Table t = cli.OpenWorkspace().store().LoadTable(*table, ctx);
        const Allocation allocation = AllocateFromTable(t, *request, ctx.seed());
        if (cli.options.json) return cli.PrintJson(allocation.ToJson());
        std::vector<std::vector<std::string>> rows;
        for (const ArmAllocation& a : allocation.arms) {
          rows.push_back({a.stats.name, std::to_string(a.stats.n), G(a.mean(), 5),
                          fmt::format("{:.1f}%", 100 * a.share)});
        }
        cli.PrintTable({"variant", "n", "mean", "next traffic"}, rows);
      });
  allocate->add_option("--table", *table, "table with one row per unit")->required();
  allocate->add_option("--variant", request->variant_column, "column holding each unit's arm")
      ->required();
  allocate
      ->add_option("--metric", request->metric_column,
                   "reward column (bool/0-1 for thompson and ucb1)")
      ->required();
  allocate->add_option("--policy", request->policy, "thompson (default), thompson-gaussian, ucb1");

  auto rates = std::make_shared<std::string>("0.05,0.055,0.06");
  auto horizon = std::make_shared<int64_t>(100000);
  auto checkpoints = std::make_shared<int>(10);
  auto peeking = std::make_shared<bool>(false);
  auto experiments = std::make_shared<int>(2000);
  auto users = std::make_shared<int>(10000);
  auto look_every = std::make_shared<int>(100);
  CLI::App* simulate = AddCommand(
      *exp, "simulate",
      "Simulate regret of Thompson sampling and UCB1 against a fixed split, or (--peeking) the "
      "false-positive rate "
      "of peeking with and without mSPRT",
      R"(  prospect experiment simulate --rates 0.05,0.055,0.06 --horizon 100000
  prospect experiment simulate --peeking --experiments 2000 --users 10000 --look-every 100
)",
      [&cli, rates, horizon, checkpoints, peeking, experiments, users, look_every] {
        Context ctx = cli.MakeContext();
        if (*peeking) {
          const PeekingSimulation s = SimulateAaPeeking(*experiments, *users, *look_every, 0.1,
                                                        0.05, kDefaultTauSd, ctx.seed());
          if (cli.options.json) return cli.PrintJson(s.ToJson());
          std::cout << fmt::format(
              "{} A/A experiments, {} looks each (every {} users): false-positive rate at alpha "
              "0.05 — naive peeking {:.1f}%, mSPRT {:.1f}%, one test at the end {:.1f}%\n",
              s.experiments, s.looks, *look_every, 100 * s.naive_false_positive_rate,
              100 * s.msprt_false_positive_rate, 100 * s.fixed_horizon_false_positive_rate);
          return;
        }
        const BanditComparison comparison =
            CompareBandits(ParseNumberList("--rates", *rates), *horizon, *checkpoints, ctx.seed());
        if (cli.options.json) return cli.PrintJson(comparison.ToJson());
        const std::vector<BanditRun>& runs = comparison.runs;
        std::vector<std::vector<std::string>> rows;
        for (size_t i = 0; i < runs[0].checkpoints.size(); ++i) {
          rows.push_back({std::to_string(runs[0].checkpoints[i]),
                          G(runs[0].cumulative_regret[i], 6), G(runs[1].cumulative_regret[i], 6),
                          G(runs[2].cumulative_regret[i], 6)});
        }
        std::cout << "Cumulative regret (expected conversions lost against always showing the best "
                     "arm):\n";
        cli.PrintTable({"users", "fixed split", "thompson", "ucb1"}, rows);
      });
  simulate->add_option("--rates", *rates,
                       "true conversion rate of each arm (default 0.05,0.055,0.06)");
  simulate->add_option("--horizon", *horizon, "users to simulate (default 100000)");
  simulate->add_option("--checkpoints", *checkpoints, "rows in the regret table (default 10)");
  simulate->add_flag("--peeking", *peeking, "simulate A/A tests with peeking instead");
  simulate->add_option("--experiments", *experiments, "A/A experiments (default 2000)");
  simulate->add_option("--users", *users, "users per A/A experiment (default 10000)");
  simulate->add_option("--look-every", *look_every, "users between looks (default 100)");
}

}  // namespace prospect::cli
