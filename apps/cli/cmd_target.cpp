// prospect target — whom to contact, with which treatment, under a budget.
#include <iostream>
#include <limits>

#include "cli.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/numbers.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/io/csv.hpp"
#include "prospect/targeting/campaign.hpp"

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
                   "what one response is worth: a number, or a numeric column of --table")
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

}  // namespace prospect::cli
