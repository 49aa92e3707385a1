// The campaign optimiser: whom to contact, with which treatment, to maximise the expected
// incremental profit Σ (uplift × value − cost) under a budget (money) and/or a capacity
// (contacts), each customer getting at most one treatment.
//
// Method (the LP greedy of the multiple-choice knapsack, Sinha & Zoltners 1979): each customer's
// options (no contact at (0, 0); treatment k at (cost_k, uplift_k · value − cost_k)) are reduced
// to their upper concave hull, whose steps (Δcost, Δprofit) have falling profit per cost; all
// customers' steps are taken in order of profit per cost, best first, skipping a step the budget
// or capacity cannot take (and the customer's later steps with it). The plan is the prefix of
// that path with the highest expected profit. Exact with one treatment (every step costs the
// same), and without a budget (each customer gets their best treatment, or none, and capacity
// keeps the best); with several treatments under a budget its gap to the exact optimum is at most
// one customer's profit, and tests measure it against exhaustive search on small cases.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <span>
#include <vector>

namespace prospect {

struct TargetingProblem {
  std::span<const double> uplift;  ///< customers × treatments, row-major: P(response) gained
  size_t treatments = 1;
  std::span<const double> value;  ///< per customer: what one response is worth
  std::vector<double> cost;       ///< per treatment: what one contact costs
  double budget = std::numeric_limits<double>::infinity();
  size_t capacity = std::numeric_limits<size_t>::max();  ///< at most this many contacts
};

struct TargetingPoint {
  size_t contacted = 0;
  double spend = 0;
  double profit = 0;  ///< expected incremental profit
};

struct TargetingPlan {
  std::vector<int32_t> choice;  ///< per customer: the treatment (0-based), or −1: no contact
  size_t contacted = 0;
  std::vector<size_t> per_treatment;
  double spend = 0;
  double expected_profit = 0;
  double expected_responses = 0;  ///< Σ uplift over the contacted: responses the plan adds
  bool exact = false;             ///< the method is exact for this problem (see above)
  /// The expected profit along the greedy path (one point per step that adds a contact, the
  /// best point included), up to the budget and capacity or everyone's last option.
  std::vector<TargetingPoint> curve;
  size_t best_point = 0;  ///< index in curve of the plan

  nlohmann::json ToJson(size_t max_curve_points = 101) const;
};

/// Checks the problem (sizes agree; uplift, value and costs finite; costs ≥ 0; budget ≥ 0) and
/// solves it. kInvalidArgument / kInvalidData naming the offending value otherwise.
TargetingPlan OptimiseTargeting(const TargetingProblem& problem);

/// The incremental profit of `choice` if the effects were `uplift` (the truth, on generated
/// data): Σ over the contacted of uplift × value − cost.
double ProfitOf(std::span<const int32_t> choice, const TargetingProblem& problem);

}  // namespace prospect
