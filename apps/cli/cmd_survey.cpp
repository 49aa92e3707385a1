// prospect survey nps | csat | drivers | simulate: flags and printing only; the statistics live
// in src/survey/.
#include <fmt/format.h>

#include <iostream>

#include "cli.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/io/csv.hpp"
#include "prospect/survey/survey.hpp"

namespace prospect::cli {
namespace {

std::string SurveyPercent(int64_t count, int64_t total) {
  return total > 0 ? fmt::format("{:.1f}%",
                                 100.0 * static_cast<double>(count) / static_cast<double>(total))
                   : "-";
}

std::string SurveyInterval(const SatisfactionEstimate& e) {
  return std::isfinite(e.ci_low) ? fmt::format("[{}, {}]", Fixed(e.ci_low, 1), Fixed(e.ci_high, 1))
                                 : "-";
}

void PrintSurveyReport(const Cli& cli, const SurveyReport& r) {
  for (const std::string& w : r.warnings) cli.Say("warning: " + w);
  if (cli.options.json) return cli.PrintJson(r.ToJson());
  const bool nps = r.scale == SurveyScale::kNps;
  const std::string name = nps ? "NPS" : "CSAT";
  const std::string ci = fmt::format("{:g}% CI", 100 * r.confidence);
  const auto& bands = BandNames(r.scale);
  const SatisfactionEstimate& all = r.overall;
  std::cout << fmt::format("{} of {} (column {}, {} responses): {} {} {}\n", name, r.table,
                           r.score_column, all.responses, Fixed(all.score, 1), ci,
                           SurveyInterval(all));
  std::cout << fmt::format("{} {} ({}), {} {} ({}), {} {} ({})\n", bands[2],
                           SurveyPercent(all.high, all.responses), all.high, bands[1],
                           SurveyPercent(all.middle, all.responses), all.middle, bands[0],
                           SurveyPercent(all.low, all.responses), all.low);
  if (r.groups.empty()) return;
  std::vector<std::string> header;
  if (!r.grouped_by.empty())
    header.push_back(r.grouped_by.starts_with("segmentation ") ? "segment" : r.grouped_by);
  if (!r.over.empty()) header.push_back(r.over);
  header.insert(header.end(), {"responses", bands[2], bands[1], bands[0], name, ci});
  std::vector<std::vector<std::string>> rows;
  for (const SatisfactionEstimate& g : r.groups) {
    std::vector<std::string> row;
    if (!r.grouped_by.empty()) row.push_back(g.group);
    if (!r.over.empty()) row.push_back(g.period);
    row.insert(row.end(), {std::to_string(g.responses), SurveyPercent(g.high, g.responses),
                           SurveyPercent(g.middle, g.responses), SurveyPercent(g.low, g.responses),
                           Fixed(g.score, 1), SurveyInterval(g)});
    rows.push_back(std::move(row));
  }
  std::cout << "\n";
  cli.PrintTable(header, rows);
}

void AddScoreCommand(CLI::App& survey, Cli& cli, SurveyScale scale) {
  const bool nps = scale == SurveyScale::kNps;
  auto req = std::make_shared<SurveyRequest>();
  req->scale = scale;
  const std::string name(SurveyScaleName(scale));
  CLI::App* cmd = AddWorkspaceCommand(
      survey, cli, name,
      nps ? "Net Promoter Score of a survey table: % promoters (9-10) minus % detractors (0-6), "
            "with a confidence interval, overall, by segment or column, and by month or week"
          : "Customer satisfaction of a survey table: % answering 4 or 5 on a 1-5 scale, with a "
            "Wilson interval, overall, by segment or column, and by month or week",
      fmt::format(R"(  prospect survey {0} --table survey
  prospect survey {0} --table survey --score answer --by-segment default
  prospect survey {0} --table survey --by customers.loyalty_member
  prospect survey {0} --table survey --by channel --over month --time responded_on
  prospect survey {0} --table survey --over week --json
)",
                  name),
      [&cli, req](Workspace& ws, Context& ctx) {
        PrintSurveyReport(cli, SummarizeSurvey(ws.store(), *req, ctx));
      });
  cmd->add_option("--table", req->table, "the survey responses, one row each")->required();
  cmd->add_option(
      "--score", req->score_column,
      nps ? "the 0-10 answer (default: score, nps, nps_score or "
            "likelihood_to_recommend)"
          : "the 1-5 answer (default: score, csat, csat_score, satisfaction or rating)");
  cmd->add_option("--id", req->id_column,
                  "the customer id (default: the table's key, else customer_id, else the first "
                  "column)");
  cmd->add_option("--by", req->by,
                  "group by a COLUMN of the table, or by TABLE.COLUMN of another table joined on "
                  "the customer id");
  cmd->add_option("--by-segment", req->by_segment,
                  "group by the segments of this segmentation (prospect segment --name)");
  cmd->add_option("--over", req->over, "month or week: the results over time");
  cmd->add_option("--time", req->time_column,
                  "with --over: the date or timestamp column (default: the only one)");
  cmd->add_option("--confidence", req->confidence, "interval's confidence (default 0.95)");
}

struct DriverFlags {
  DriverRequest request;
  std::string scale = "nps", exclude, experiences;
  std::vector<std::string> params;
  size_t top = 15;
};

void RunDrivers(const Cli& cli, Workspace& ws, Context& ctx, const DriverFlags& f) {
  DriverRequest r = f.request;
  r.scale = ParseSurveyScale(f.scale);
  if (!f.exclude.empty()) r.exclude = Split(f.exclude, ',');
  if (!f.experiences.empty()) r.experiences = Split(f.experiences, ',');
  r.params = ParamFlags(f.params, "max_depth=3");
  const DriverReport d = AnalyzeDrivers(ws.store(), r, ctx);
  for (const std::string& w : d.warnings) cli.Say("warning: " + w);
  if (cli.options.json) return cli.PrintJson(d.ToJson());
  const auto& bands = BandNames(d.scale);
  std::cout << fmt::format(
      "What separates {} from {} in {} (features from {}, model {}):\n"
      "{} {} and {} {} analysed ({} {} left out); held-out ROC-AUC {} on {} responses\n\n",
      bands[2], bands[0], d.table, d.features, d.model, d.high, bands[2], d.low, bands[0],
      d.middle_dropped, bands[1], Fixed(d.holdout_auc, 3), d.holdout_rows);
  std::vector<std::vector<std::string>> rows;
  for (size_t i = 0; i < d.drivers.size() && i < f.top; ++i) {
    const SurveyDriver& s = d.drivers[i];
    const bool category = s.direction == "category";
    rows.push_back(
        {std::to_string(i + 1), s.feature, Fixed(s.mean_abs_shap, 3),
         fmt::format("{:.1f}%", 100 * s.share),
         category ? fmt::format("best {}, worst {}", s.best_level, s.worst_level) : s.direction,
         category ? "" : Fixed(s.high_mean, 2), category ? "" : Fixed(s.low_mean, 2)});
  }
  cli.PrintTable({"rank", "feature", "mean |SHAP|", "share", "more " + bands[2] + " when",
                  bands[2] + " mean", bands[0] + " mean"},
                 rows);
  if (d.drivers.size() > f.top) {
    std::cout << fmt::format("({} more features; --top N or --json for all)\n",
                             d.drivers.size() - f.top);
  }
}

struct SimulateFlags {
  std::string features = "profiles", out;
  SurveySimulation simulation;
  std::vector<std::string> params;
};

}  // namespace

void AddSurveyCommands(CLI::App& app, Cli& cli) {
  CLI::App* survey = app.add_subcommand(
      "survey",
      "Surveys and satisfaction: NPS and CSAT with confidence intervals by segment and over "
      "time, and the drivers that separate promoters from detractors");
  survey->require_subcommand(1);
  AddScoreCommand(*survey, cli, SurveyScale::kNps);
  AddScoreCommand(*survey, cli, SurveyScale::kCsat);

  auto df = std::make_shared<DriverFlags>();
  CLI::App* drivers = AddWorkspaceCommand(
      *survey, cli, "drivers",
      "Which profile features (and experiences) separate promoters from detractors: a "
      "classifier on the responses joined to their features, features ranked by mean |SHAP|",
      R"(  prospect survey drivers --table survey
  prospect survey drivers --table survey --features profiles --exclude tenure_days
  prospect survey drivers --table survey --experience delivery_days,channel --model logistic
  prospect survey drivers --table csat_answers --scale csat --json
)",
      [&cli, df](Workspace& ws, Context& ctx) { RunDrivers(cli, ws, ctx, *df); });
  drivers->add_option("--table", df->request.table, "the survey responses")->required();
  drivers->add_option("--scale", df->scale, "nps (0-10, default) or csat (1-5)");
  drivers->add_option("--score", df->request.score_column, "the answer column (default: score)");
  drivers->add_option("--id", df->request.id_column, "the customer id of the responses");
  drivers->add_option("--features", df->request.features,
                      "the table of candidate drivers, one row per customer (default profiles)");
  drivers->add_option("--features-id", df->request.features_id,
                      "its id column (default: its key, else the responses' id name)");
  drivers->add_option("--exclude", df->exclude, "feature columns to leave out, comma-separated");
  drivers->add_option("--experience", df->experiences,
                      "columns of the responses that are candidate drivers too, comma-separated");
  drivers->add_option("--model", df->request.model, "any classifier (default gbdt)");
  drivers->add_option("--param", df->params, "a model parameter, NAME=VALUE (repeatable)");
  drivers->add_option("--top", df->top, "features to print (default 15)");

  auto sf = std::make_shared<SimulateFlags>();
  CLI::App* simulate = AddWorkspaceCommand(
      *survey, cli, "simulate",
      "Write simulated survey responses with a planted driver: customers with a high value of "
      "the driver column answer higher (for trying the survey commands out)",
      "  prospect survey simulate --driver frequency --out survey.csv\n"
      "  prospect survey simulate --driver monetary --scale csat --out csat.csv --param "
      "effect=0.8\n"
      "Parameters for --param: " +
          Join(SurveySimulation::Schema().Names(), ", ") + "\n",
      [&cli, sf](Workspace& ws, Context& ctx) {
        SurveySimulation s = sf->simulation;
        SurveySimulation::Schema().SetFromJson(s, ParamFlags(sf->params, "effect=1"));
        const Table responses =
            SimulateSurvey(ws.store().LoadTable(sf->features, ctx), sf->features, s, ctx);
        WriteCsv(responses, sf->out, ctx);
        if (cli.options.json) {
          return cli.PrintJson({{"out", sf->out},
                                {"responses", responses.num_rows()},
                                {"features", sf->features},
                                {"simulation", SurveySimulation::Schema().ToJson(s)}});
        }
        cli.Say(fmt::format(
            "{} simulated {} responses written to {} (driver {}, effect {}); ingest them with: "
            "prospect ingest survey {}",
            responses.num_rows(), s.scale, sf->out, s.driver, s.effect, sf->out));
      });
  simulate->add_option("--features", sf->features,
                       "the customers and the driver column (default profiles)");
  simulate->add_option("--driver", sf->simulation.driver, "the numeric column that drives answers")
      ->required();
  simulate->add_option("--scale", sf->simulation.scale, "nps (default) or csat");
  simulate->add_option("--out", sf->out, "the CSV file to write")->required();
  simulate->add_option("--param", sf->params, "a simulation parameter, NAME=VALUE (repeatable)");
}

}  // namespace prospect::cli
