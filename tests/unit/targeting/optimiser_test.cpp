// The campaign optimiser: hand-worked plans for one and two treatments, exactness where the
// method claims it, and its gap to exhaustive search on small random problems.
#include "prospect/targeting/optimiser.hpp"

#include <gtest/gtest.h>

#include <random>

#include "prospect/common/error.hpp"
#include "support/expect_error.hpp"

namespace prospect {
namespace {

TargetingProblem Problem(const std::vector<double>& uplift, const std::vector<double>& value,
                         std::vector<double> cost) {
  TargetingProblem p;
  p.uplift = uplift;
  p.value = value;
  p.treatments = cost.size();
  p.cost = std::move(cost);
  return p;
}

// One treatment costing 8, responses worth 100: profits 2, 22, −3, 12, −8.
TEST(OptimiseTargeting, OneTreatmentTakesTheBestProfitsFirst) {
  const std::vector<double> uplift{0.1, 0.3, 0.05, 0.2, 0.0}, value(5, 100.0);
  TargetingProblem p = Problem(uplift, value, {8});
  TargetingPlan plan = OptimiseTargeting(p);
  EXPECT_TRUE(plan.exact);
  EXPECT_EQ(plan.choice, (std::vector<int32_t>{0, 0, -1, 0, -1}));
  EXPECT_DOUBLE_EQ(plan.expected_profit, 36);
  EXPECT_DOUBLE_EQ(plan.spend, 24);
  EXPECT_DOUBLE_EQ(plan.expected_responses, 0.6);
  // The curve goes on past the best point to everyone: 0, 22, 34, 36, 33, 25.
  ASSERT_EQ(plan.curve.size(), 6u);
  const double want[] = {0, 22, 34, 36, 33, 25};
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(plan.curve[i].contacted, i);
    EXPECT_NEAR(plan.curve[i].profit, want[i], 1e-12) << i;
  }
  EXPECT_EQ(plan.best_point, 3u);
  // A budget of two contacts, or a capacity of one.
  p.budget = 16;
  EXPECT_EQ(OptimiseTargeting(p).choice, (std::vector<int32_t>{-1, 0, -1, 0, -1}));
  p.budget = std::numeric_limits<double>::infinity();
  p.capacity = 1;
  EXPECT_DOUBLE_EQ(OptimiseTargeting(p).expected_profit, 22);
}

// Costs 1 and 5, value 100. A: profits 9 / 15; B: 4 / 25; C: 1 / −4.
TEST(OptimiseTargeting, TwoTreatmentsByHand) {
  const std::vector<double> uplift{0.1, 0.2, 0.05, 0.3, 0.02, 0.01}, value(3, 100.0);
  TargetingProblem p = Problem(uplift, value, {1, 5});
  // Unconstrained: everyone their best option, C the cheap one.
  TargetingPlan free = OptimiseTargeting(p);
  EXPECT_TRUE(free.exact);
  EXPECT_EQ(free.choice, (std::vector<int32_t>{1, 1, 0}));
  EXPECT_DOUBLE_EQ(free.expected_profit, 41);
  EXPECT_EQ(free.per_treatment, (std::vector<size_t>{1, 2}));
  // Budget 6: A's cheap offer (9 per unit), then B's dear one (B's hull skips its cheap offer:
  // 25 for 5 beats 4 for 1 then 21 for 4); A's upgrade and C no longer fit. 34, the optimum.
  p.budget = 6;
  TargetingPlan tight = OptimiseTargeting(p);
  EXPECT_FALSE(tight.exact);
  EXPECT_EQ(tight.choice, (std::vector<int32_t>{0, 1, -1}));
  EXPECT_DOUBLE_EQ(tight.expected_profit, 34);
  EXPECT_DOUBLE_EQ(tight.spend, 6);
}

// The best plan by trying every assignment ((K + 1)^n of them).
double ExhaustiveBest(const TargetingProblem& p) {
  const size_t n = p.value.size(), k = p.treatments;
  std::vector<int32_t> choice(n, -1);
  double best = 0;
  for (;;) {
    double spend = 0;
    size_t contacts = 0;
    for (size_t i = 0; i < n; ++i) {
      if (choice[i] >= 0) spend += p.cost[static_cast<size_t>(choice[i])], ++contacts;
    }
    if (spend <= p.budget + 1e-9 && contacts <= p.capacity)
      best = std::max(best, ProfitOf(choice, p));
    size_t i = 0;
    while (i < n && choice[i] == static_cast<int32_t>(k) - 1) choice[i++] = -1;
    if (i == n) return best;
    ++choice[i];
  }
}

// 400 random problems of 7 customers: exact where the method says so; otherwise within one
// customer's profit of the optimum (the LP bound), and the measured gap stays small.
TEST(OptimiseTargeting, GapToExhaustiveSearchOnSmallProblems) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0, 1);
  double worst_gap = 0, total_gap = 0;
  size_t budgeted_multi = 0, exact_found = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const size_t n = 7, k = 1 + trial % 3;
    std::vector<double> uplift(n * k), value(n), cost(k);
    for (auto& c : cost) c = 1 + std::floor(9 * u(rng));
    for (auto& v : value) v = 20 + 80 * u(rng);
    for (auto& x : uplift) x = 0.25 * u(rng) - 0.03;
    TargetingProblem p = Problem(uplift, value, cost);
    if (trial % 4 != 3) p.budget = std::floor(3 + 20 * u(rng));
    if (trial % 5 == 4) p.capacity = 1 + trial % 4;
    const TargetingPlan plan = OptimiseTargeting(p);
    const double best = ExhaustiveBest(p);
    EXPECT_LE(plan.spend, p.budget + 1e-9);
    EXPECT_LE(plan.contacted, p.capacity);
    EXPECT_LE(plan.expected_profit, best + 1e-9);
    if (plan.exact) {
      EXPECT_NEAR(plan.expected_profit, best, 1e-9) << "trial " << trial;
      continue;
    }
    double largest = 0;  // the largest single option's profit
    for (size_t i = 0; i < n; ++i) {
      for (size_t t = 0; t < k; ++t)
        largest = std::max(largest, uplift[i * k + t] * value[i] - cost[t]);
    }
    const double gap = best - plan.expected_profit;
    EXPECT_LE(gap, largest + 1e-9) << "trial " << trial;
    ++budgeted_multi;
    exact_found += gap < 1e-9;
    worst_gap = std::max(worst_gap, best > 0 ? gap / best : 0);
    total_gap += best > 0 ? gap / best : 0;
  }
  const double mean_gap = total_gap / static_cast<double>(budgeted_multi);
  std::cout << "greedy against exhaustive search, " << budgeted_multi
            << " budgeted problems with 2-3 treatments: optimal in " << exact_found << ", mean gap "
            << 100 * mean_gap << " %, worst " << 100 * worst_gap << " %\n";
  EXPECT_LT(mean_gap, 0.05);
}

TEST(OptimiseTargeting, BadProblemsNameTheValue) {
  const std::vector<double> uplift{0.1, 0.2}, value{50}, nan_value{NAN};
  TargetingProblem one_cost = Problem(uplift, value, {1});
  one_cost.treatments = 2;
  ExpectError([&] { (void)OptimiseTargeting(one_cost); }, ErrorCode::kInvalidArgument,
              "targeting: 1 costs for 2 treatments; give one per treatment");
  ExpectError(
      [&] {
        (void)OptimiseTargeting(Problem(uplift, value, {1, -2}));
      },
      ErrorCode::kInvalidArgument, "cost -2 of treatment 2: expected a number ≥ 0");
  ExpectError(
      [&] {
        (void)OptimiseTargeting(Problem(uplift, nan_value, {1, 2}));
      },
      ErrorCode::kInvalidData, "value of customer 1 is nan; expected a number");
  TargetingProblem p = Problem(uplift, value, {1, 2});
  p.budget = -1;
  ExpectError([&] { (void)OptimiseTargeting(p); }, ErrorCode::kInvalidArgument,
              "budget -1: expected a number ≥ 0");
}

}  // namespace
}  // namespace prospect
