// The campaign optimiser (see optimiser.hpp): options reduced to hull steps, walked greedily.
#include "prospect/targeting/optimiser.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "prospect/common/error.hpp"

namespace prospect {
namespace {

constexpr int32_t kNone = -1;

// One move of one customer: from option `from` to option `to` (kNone: no contact).
struct Step {
  double efficiency = 0;  ///< Δprofit per Δcost; +inf for a free gain
  size_t customer = 0;
  int32_t from = kNone, to = kNone;
  double cost = 0, profit = 0;  ///< Δcost, Δprofit
};

double ProfitOfOption(const TargetingProblem& p, size_t i, int32_t k) {
  const auto ku = static_cast<size_t>(k);
  return p.uplift[i * p.treatments + ku] * p.value[i] - p.cost[ku];
}

// Without a budget: each customer's best option (the highest profit), customers by that profit.
std::vector<Step> BestOptionSteps(const TargetingProblem& p, size_t n) {
  std::vector<Step> steps(n);
  for (size_t i = 0; i < n; ++i) {
    Step& s = steps[i];
    s.customer = i;
    s.to = 0;
    s.profit = ProfitOfOption(p, i, 0);
    for (size_t k = 1; k < p.treatments; ++k) {
      const double profit = ProfitOfOption(p, i, static_cast<int32_t>(k));
      if (profit > s.profit) s.profit = profit, s.to = static_cast<int32_t>(k);
    }
    s.cost = p.cost[static_cast<size_t>(s.to)];
    s.efficiency = s.profit;
  }
  std::stable_sort(steps.begin(), steps.end(),
                   [](const Step& a, const Step& b) { return a.profit > b.profit; });
  return steps;
}

// Under a budget: each customer's upper concave hull of (cost, profit) from (0, 0), as steps;
// all steps by profit per cost, best first (a customer's own steps fall in efficiency, so they
// come in order).
std::vector<Step> HullSteps(const TargetingProblem& p, size_t n) {
  struct Vertex {
    double cost, profit;
    int32_t option;
  };
  std::vector<Step> steps;
  steps.reserve(n * p.treatments);
  std::vector<Vertex> options, hull;
  for (size_t i = 0; i < n; ++i) {
    options.clear();
    for (size_t k = 0; k < p.treatments; ++k) {
      const auto o = static_cast<int32_t>(k);
      options.push_back({p.cost[k], ProfitOfOption(p, i, o), o});
    }
    std::sort(options.begin(), options.end(), [](const Vertex& a, const Vertex& b) {
      return a.cost != b.cost ? a.cost < b.cost : a.profit > b.profit;
    });
    hull.assign(1, Vertex{0, 0, kNone});
    for (const Vertex& v : options) {
      if (v.cost == hull.back().cost) {
        if (v.profit <= hull.back().profit) continue;  // same cost, no better
        // Same cost, more profit: it replaces the last vertex, except "no contact" (a free gain
        // is a step of its own: it takes a contact).
        if (hull.back().option != kNone) hull.pop_back();
      }
      // Pop the last vertex while it lies on or under the line from the one before to v.
      while (hull.size() >= 2) {
        const Vertex &a = hull[hull.size() - 2], &b = hull.back();
        const double cross =
            (b.cost - a.cost) * (v.profit - a.profit) - (b.profit - a.profit) * (v.cost - a.cost);
        if (cross < 0) break;
        hull.pop_back();
      }
      hull.push_back(v);
    }
    for (size_t j = 1; j < hull.size(); ++j) {
      Step s;
      s.customer = i;
      s.from = hull[j - 1].option;
      s.to = hull[j].option;
      s.cost = hull[j].cost - hull[j - 1].cost;
      s.profit = hull[j].profit - hull[j - 1].profit;
      s.efficiency = s.cost > 0 ? s.profit / s.cost
                                : (s.profit > 0 ? std::numeric_limits<double>::infinity() : 0);
      steps.push_back(s);
    }
  }
  std::stable_sort(steps.begin(), steps.end(),
                   [](const Step& a, const Step& b) { return a.efficiency > b.efficiency; });
  return steps;
}

void CheckProblem(const TargetingProblem& p) {
  const size_t k = p.treatments;
  if (k == 0) Fail(ErrorCode::kInvalidArgument, "targeting: no treatment to choose from");
  if (p.cost.size() != k) {
    Fail(ErrorCode::kInvalidArgument,
         "targeting: {} costs for {} treatments; give one per treatment", p.cost.size(), k);
  }
  if (p.uplift.size() != p.value.size() * k) {
    Fail(ErrorCode::kInvalidArgument, "targeting: {} uplifts for {} customers and {} treatments",
         p.uplift.size(), p.value.size(), k);
  }
  for (size_t t = 0; t < k; ++t) {
    if (!(std::isfinite(p.cost[t]) && p.cost[t] >= 0))
      Fail(ErrorCode::kInvalidArgument, "cost {} of treatment {}: expected a number ≥ 0", p.cost[t],
           t + 1);
  }
  if (!(p.budget >= 0))
    Fail(ErrorCode::kInvalidArgument, "budget {}: expected a number ≥ 0", p.budget);
  for (size_t i = 0; i < p.value.size(); ++i) {
    if (!std::isfinite(p.value[i]))
      Fail(ErrorCode::kInvalidData, "value of customer {} is {}; expected a number", i + 1,
           p.value[i]);
  }
  for (size_t i = 0; i < p.uplift.size(); ++i) {
    if (!std::isfinite(p.uplift[i])) {
      Fail(ErrorCode::kInvalidData, "uplift of customer {}, treatment {} is {}; expected a number",
           i / k + 1, i % k + 1, p.uplift[i]);
    }
  }
}

}  // namespace

TargetingPlan OptimiseTargeting(const TargetingProblem& p) {
  CheckProblem(p);
  const size_t n = p.value.size();
  const bool budgeted = std::isfinite(p.budget);
  const std::vector<Step> steps = budgeted ? HullSteps(p, n) : BestOptionSteps(p, n);

  // Walk the steps within budget and capacity; the plan is the prefix with the highest profit.
  TargetingPlan plan;
  plan.exact = p.treatments == 1 || !budgeted;
  std::vector<int32_t> at(n, kNone);
  std::vector<uint8_t> blocked(n, 0);
  std::vector<size_t> taken;  // indices into steps, in order
  double spend = 0, profit = 0, best_profit = 0;
  size_t contacted = 0, best_taken = 0;
  plan.curve.push_back({});
  // A relative tolerance, so that a budget of exactly n contacts takes all n.
  const double slack = budgeted ? 1e-9 * std::max(1.0, p.budget) : 0;
  for (size_t s = 0; s < steps.size(); ++s) {
    const Step& step = steps[s];
    const size_t i = step.customer;
    if (blocked[i] || at[i] != step.from) continue;
    const bool adds_contact = step.from == kNone;
    if (spend + step.cost > p.budget + slack || (adds_contact && contacted >= p.capacity)) {
      blocked[i] = 1;  // its later steps would skip this one
      continue;
    }
    at[i] = step.to;
    spend += step.cost;
    profit += step.profit;
    contacted += adds_contact;
    taken.push_back(s);
    if (adds_contact) {
      plan.curve.push_back({contacted, spend, profit});
    } else {
      plan.curve.back() = {contacted, spend, profit};
    }
    if (profit > best_profit) {
      best_profit = profit;
      best_taken = taken.size();
      plan.best_point = plan.curve.size() - 1;
    }
  }

  plan.choice.assign(n, kNone);
  for (size_t t = 0; t < best_taken; ++t) {
    const Step& step = steps[taken[t]];
    plan.choice[step.customer] = step.to;
  }
  plan.per_treatment.assign(p.treatments, 0);
  for (size_t i = 0; i < n; ++i) {
    if (plan.choice[i] == kNone) continue;
    const auto k = static_cast<size_t>(plan.choice[i]);
    ++plan.contacted;
    ++plan.per_treatment[k];
    plan.spend += p.cost[k];
    plan.expected_responses += p.uplift[i * p.treatments + k];
  }
  plan.expected_profit = ProfitOf(plan.choice, p);
  return plan;
}

double ProfitOf(std::span<const int32_t> choice, const TargetingProblem& p) {
  if (choice.size() != p.value.size()) {
    Fail(ErrorCode::kInvalidArgument, "targeting: {} choices for {} customers", choice.size(),
         p.value.size());
  }
  double profit = 0;
  for (size_t i = 0; i < choice.size(); ++i) {
    if (choice[i] != kNone) profit += ProfitOfOption(p, i, choice[i]);
  }
  return profit;
}

nlohmann::json TargetingPlan::ToJson(size_t max_curve_points) const {
  nlohmann::json points = nlohmann::json::array();
  const size_t m = curve.size();
  auto add = [&](size_t at) {
    const TargetingPoint& c = curve[at];
    points.push_back({{"contacted", c.contacted}, {"spend", c.spend}, {"profit", c.profit}});
  };
  if (m <= max_curve_points || max_curve_points < 3) {
    for (size_t at = 0; at < m; ++at) add(at);
  } else {
    // Evenly spaced, with the best point in its place.
    size_t last = 0;
    for (size_t j = 0; j < max_curve_points; ++j) {
      const size_t at = j * (m - 1) / (max_curve_points - 1);
      if (best_point > last && best_point < at) add(best_point);
      add(at);
      last = at;
    }
  }
  const TargetingPoint& best = curve.empty() ? TargetingPoint{} : curve[best_point];
  return {{"contacted", contacted},
          {"per_treatment", per_treatment},
          {"spend", spend},
          {"expected_profit", expected_profit},
          {"expected_responses", expected_responses},
          {"exact", exact},
          {"best", {{"contacted", best.contacted}, {"spend", best.spend}, {"profit", best.profit}}},
          {"curve", points}};
}

}  // namespace prospect
