// prospect target | lookalike — whom to contact: with which treatment under a budget, or who is
// most like a seed list.
#include <iostream>
#include <limits>

#include "cli.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/numbers.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/io/csv.hpp"
#include "prospect/targeting/campaign.hpp"
#include "prospect/targeting/lookalike.hpp"

namespace prospect::cli {
namespace {

// "--cost 0.5" or "--cost 0.5,2": the numbers, each checked.
std::vector<double> CostsOf(const std::string& text) {
  std::vector<double> out;
  for (const std::string& part : Split(text, ',')) {
    double v = 0;
    if (!ParseDouble(Trim(part), &v)) {
      Fail(ErrorCode::kInvalidArgument,
           "--cost {}: expected a number, or one per treatment separated by commas",
           QuoteForMessage(text));
    }
    out.push_back(v);
  }
  return out;
}

}  // namespace

void AddTargetCommand(CLI::App& app, Cli& cli) {
  struct Flags {
    CampaignRequest request;
    std::string cost, treatments, out;
    double budget = -1;
    int64_t capacity = -1;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* target = AddWorkspaceCommand(
      app, cli, "target",
      "Choose whom to contact with which treatment for the most expected incremental profit "
      "(uplift × value − cost) under a budget and/or capacity; keeps the audience as a table",
      R"(  prospect target --uplift campaign_response_t --table customers --value 60 --cost 1 --budget 2000
  prospect target --uplift offers_x --table customers --value clv --cost 0.5,4 --capacity 5000 --name may_offers
  prospect target --uplift offers_x --table customers --value orders_bgnbd_predictions.clv --cost 1
  prospect target --uplift offers_x --table customers --value 60 --cost 0.5,4 --treatments 1 --json
  prospect export may_offers --out may_offers.csv
)",
      [&cli, f](Workspace& ws, Context& ctx) {
        CampaignRequest r = f->request;
        r.cost = CostsOf(f->cost);
        if (!f->treatments.empty()) r.treatments = Split(f->treatments, ',');
        if (f->budget >= 0) r.budget = f->budget;
        if (f->capacity >= 0) r.capacity = static_cast<size_t>(f->capacity);
        const CampaignResult res = PlanCampaign(ws.store(), r, ctx);
        if (!f->out.empty()) WriteCsv(res.audience, f->out, ctx);
        if (cli.options.json) return cli.PrintJson(res.summary);
        std::vector<std::string> per;
        for (size_t k = 0; k < res.treatments.size(); ++k)
          per.push_back(fmt::format("{} {}", res.treatments[k], res.plan.per_treatment[k]));
        std::cout << fmt::format(
            "Audience {}: {} of {} customers ({}); spend {:.2f}; expected incremental profit "
            "{:.2f}, {:.1f} extra responses. Method: {}.\n",
            res.name, res.plan.contacted, res.summary["customers"].get<size_t>(), Join(per, ", "),
            res.plan.spend, res.plan.expected_profit, res.plan.expected_responses,
            res.summary["method"].get<std::string>());
        std::cout << "Expected profit against customers contacted:\n";
        std::vector<std::vector<std::string>> rows;
        const auto curve = res.plan.ToJson(11)["curve"];
        const auto& best = res.plan.curve[res.plan.best_point];
        for (const auto& p : curve) {
          const bool is_best = p["contacted"].get<size_t>() == best.contacted &&
                               p["profit"].get<double>() == best.profit;
          rows.push_back({std::to_string(p["contacted"].get<size_t>()),
                          Fixed(p["spend"].get<double>(), 2), Fixed(p["profit"].get<double>(), 2),
                          is_best ? "← best" : ""});
        }
        cli.PrintTable({"contacted", "spend", "profit", ""}, rows);
        std::cout << "Next: prospect export " << res.name << " --out " << res.name << ".csv\n";
      });
  CampaignRequest& req = f->request;
  target->add_option("--uplift", req.uplift_model, "the uplift model (prospect uplift train)")
      ->required();
  target->add_option("--table", req.table, "the customers to choose from")->required();
  target
      ->add_option("--value", req.value,
                   "what one response is worth: a number, a numeric column of --table, or "
                   "TABLE.COLUMN of another table by customer id (a CLV prediction)")
      ->required();
  target
      ->add_option("--cost", f->cost,
                   "what one contact costs: a number, or one per treatment (model order), "
                   "comma-separated")
      ->required();
  target->add_option("--budget", f->budget, "money to spend at most (default: no limit)");
  target->add_option("--capacity", f->capacity, "contacts at most (default: no limit)");
  target->add_option("--treatments", f->treatments,
                     "only these of the model's treatments, comma-separated (default: all)");
  target->add_option("--name", req.name, "the audience's table (default audience_MODEL)");
  target->add_option("--out", f->out, "also write the audience to this CSV file");
}

void AddLookalikeCommand(CLI::App& app, Cli& cli) {
  struct Flags {
    LookalikeRequest request;
    std::string seed_file, exclude, out;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* look = AddWorkspaceCommand(
      app, cli, "lookalike",
      "Find the customers most like a seed list (profile neighbours, or a seed-versus-everyone "
      "classifier), measure how well each route finds held-back seeds, and keep the audience",
      R"(  prospect lookalike --seed best_customers.csv --size 5000
  prospect lookalike --seed-table converters --size 2000 --method classifier --model gbdt --name converters_like
  prospect lookalike --seed seeds.csv --size 1000 --table customers --exclude signup_date --json
)",
      [&cli, f](Workspace& ws, Context& ctx) {
        LookalikeRequest r = f->request;
        if (!f->seed_file.empty()) r.seeds = FirstColumnIds(f->seed_file, "seed id", ctx);
        if (!f->exclude.empty()) r.exclude = Split(f->exclude, ',');
        const LookalikeResult res = FindLookalikes(ws.store(), r, ctx);
        if (!f->out.empty()) WriteCsv(res.audience, f->out, ctx);
        if (cli.options.json) return cli.PrintJson(res.summary);
        for (const std::string& w : res.warnings) ctx.logger().warn("{}", w);
        std::cout << fmt::format("Lookalikes {}: {} customers like {} seeds, by {}.\n", res.name,
                                 res.audience.num_rows(), res.seeds, res.method);
        if (!res.quality.empty()) {
          std::cout << fmt::format("Held-back seeds found in the top {} (from the other seeds):\n",
                                   res.audience.num_rows());
          std::vector<std::vector<std::string>> rows;
          for (const LookalikeQuality& q : res.quality) {
            rows.push_back({q.method, fmt::format("{} of {}", q.found, q.held_back),
                            Fixed(q.recall), Fixed(q.random_recall), Fixed(q.lift, 2)});
          }
          cli.PrintTable({"route", "found", "recall", "random", "lift"}, rows);
        }
        std::cout << "Next: prospect export " << res.name << " --out " << res.name << ".csv\n";
      });
  LookalikeRequest& req = f->request;
  look->add_option("--seed", f->seed_file, "CSV whose first column holds the seed ids");
  look->add_option("--seed-table", req.seed_table,
                   "a table of seed ids (its --id column, else its first column)");
  look->add_option("--size", req.size, "customers in the audience (default 1000)");
  look->add_option("--table", req.table, "the customer base (default profiles)");
  look->add_option("--id", req.id_column, "the id column (default customer_id)");
  look->add_option("--method", req.method,
                   "auto (default: the route with the higher measured recall), neighbours or "
                   "classifier")
      ->check(CLI::IsMember({"auto", "neighbours", "classifier"}));
  look->add_option("--model", req.model, "the classifier route's model (default logistic)");
  look->add_option("--exclude", f->exclude, "columns not to compare on, comma-separated");
  look->add_option("--holdout", req.holdout,
                   "share of seeds held back to measure recall (default 0.2; 0: none)");
  look->add_option("--neighbours", req.neighbours, "k of the neighbour route (default 10)");
  look->add_option("--name", req.name, "the audience's table (default lookalike_TABLE)");
  look->add_option("--out", f->out, "also write the audience to this CSV file");
}

}  // namespace prospect::cli
