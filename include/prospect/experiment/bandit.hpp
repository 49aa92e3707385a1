// Multi-armed bandits for allocating traffic from current results: Thompson sampling
// (Beta-Bernoulli, Gaussian) and UCB1, and a simulation of their regret against a fixed split.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "prospect/experiment/bayes.hpp"
#include "prospect/table/table.hpp"

namespace prospect::experiment {

enum class BanditPolicy { kThompsonBeta, kThompsonGaussian, kUcb1, kFixed };
/// "thompson" (Beta-Bernoulli), "thompson-gaussian", "ucb1", "fixed"; throws listing the choices.
BanditPolicy ParseBanditPolicy(std::string_view name);
std::string_view BanditPolicyName(BanditPolicy policy);

/// Current results of one arm: units, and the sum and sum of squares of the reward (for a binary
/// reward sum = successes).
struct ArmStats {
  std::string name;
  int64_t n = 0;
  double sum = 0.0;
  double sum_squares = 0.0;
};

/// Share of the next traffic for each arm (sums to 1).
/// - Thompson: P(arm is best | data), estimated from `draws` seeded posterior draws (Beta(1 +
///   successes, 1 + failures); Gaussian N(mean, s^2 / n) with s^2 floored at 1e-12 and a unit
///   variance until an arm has 2 units).
/// - UCB1 (Auer, Cesa-Bianchi & Fischer 2002): all traffic to the arm with the largest
///   mean + sqrt(2 ln N / n); an arm without units is played first. Assumes rewards in [0, 1].
/// - Fixed: equal shares.
std::vector<double> AllocateTraffic(BanditPolicy policy, const std::vector<ArmStats>& arms,
                                    uint64_t seed, int draws = 10000);

/// Current results per arm from a table: rows grouped by `variant_column` (arms sorted by
/// name), reward from `metric_column` (bool or numeric; null rewards are skipped).
std::vector<ArmStats> ArmStatsFromTable(const Table& table, const std::string& variant_column,
                                        const std::string& metric_column);

/// UCB1 index of each arm (infinity for an arm without units).
std::vector<double> Ucb1Scores(const std::vector<ArmStats>& arms);

/// Regret of a policy on Bernoulli arms with known rates over `horizon` users, one decision per
/// user, posterior updated after every user. Expected regret: sum over users of best rate minus
/// the chosen arm's rate.
struct BanditRun {
  BanditPolicy policy = BanditPolicy::kFixed;
  std::vector<int64_t> checkpoints;       ///< users so far
  std::vector<double> cumulative_regret;  ///< at each checkpoint
  std::vector<int64_t> pulls;             ///< per arm, at the end
  double reward = 0.0;                    ///< expected conversions collected
};
BanditRun SimulateBandit(BanditPolicy policy, const std::vector<double>& rates, int64_t horizon,
                         int checkpoints, uint64_t seed);

/// `experiment allocate`: the next traffic share of each arm of a results table.
struct AllocateRequest {
  std::string variant_column;  ///< the arm of each row
  std::string metric_column;   ///< its reward (bool or 0/1 for thompson and ucb1)
  std::string policy = "thompson";
};
struct ArmAllocation {
  ArmStats stats;
  double share = 0.0;
  double ucb1 = 0.0;  ///< infinity for an arm without units (null in JSON)
  /// sum / n (0 without units).
  double mean() const { return stats.n ? stats.sum / static_cast<double>(stats.n) : 0.0; }
};
struct Allocation {
  BanditPolicy policy = BanditPolicy::kThompsonBeta;
  std::vector<ArmAllocation> arms;  ///< sorted by name
  nlohmann::json ToJson() const;    ///< {policy, arms: [{variant, n, mean, share, ucb1}]}
};
Allocation AllocateFromTable(const Table& results, const AllocateRequest& request, uint64_t seed);

/// `experiment simulate`: the regret of a fixed split, Thompson sampling and UCB1 on the same
/// Bernoulli arms (SimulateBandit for each, the same seed).
struct BanditComparison {
  std::vector<double> rates;
  int64_t horizon = 0;
  std::vector<BanditRun> runs;  ///< fixed, thompson, ucb1
  nlohmann::json ToJson() const;
};
BanditComparison CompareBandits(const std::vector<double>& rates, int64_t horizon, int checkpoints,
                                uint64_t seed);

}  // namespace prospect::experiment
