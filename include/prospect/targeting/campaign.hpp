// `prospect target` as a library call: an uplift model's effects on a table of customers, a value
// per response, a cost per contact, a budget and/or capacity → the optimiser's plan, kept as an
// audience (a stored table: id, treatment, uplift, value, cost, expected_profit, best first) and
// its summary (kind "campaign_plan": totals and the profit curve, for the report).
#pragma once

#include <cstddef>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/store/store.hpp"
#include "prospect/table/table.hpp"
#include "prospect/targeting/optimiser.hpp"

namespace prospect {

/// PlanCampaign's summaries, under the audience table's name. (Saved audiences, the member lists
/// of `prospect audience`, are kind "audience".)
inline constexpr const char* kCampaignPlanObjectKind = "campaign_plan";

struct CampaignRequest {
  std::string uplift_model;
  std::string table;  ///< the customers to choose from (with the model's features, or joinable)
  /// What a response is worth: a number ("60"), a numeric column of `table` ("clv"), or one of
  /// another table joined on the uplift model's id column ("orders_bgnbd_predictions.clv").
  std::string value;
  /// What a contact costs: one number for every treatment, or one per treatment in model order.
  std::vector<double> cost;
  double budget = std::numeric_limits<double>::infinity();
  size_t capacity = std::numeric_limits<size_t>::max();
  /// Only these of the model's treatments may be chosen (empty: all of them).
  std::vector<std::string> treatments;
  std::string name;  ///< the audience's table; default audience_MODEL
};

struct CampaignResult {
  std::string name;
  TargetingPlan plan;
  std::vector<std::string> treatments;  ///< the treatments the plan chose from, as in choice
  Table audience;
  nlohmann::json summary;  ///< what `prospect target --json` prints and the store keeps
};

/// Scores request.table with the uplift model, solves the plan and stores the audience (table
/// and summary) under request.name, replacing an earlier one. Audited.
CampaignResult PlanCampaign(Store& store, const CampaignRequest& request, const Context& ctx);

/// Every campaign plan's summary, newest first: name, model, contacted, spend, profit.
nlohmann::json ListCampaignPlans(Store& store);

}  // namespace prospect
