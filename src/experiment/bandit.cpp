// Bandit allocation (Thompson sampling, UCB1) and regret simulation against a fixed A/B split.
#include "prospect/experiment/bandit.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>

#include "prospect/common/enum_names.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/rng.hpp"
#include "prospect/common/strings.hpp"

namespace prospect::experiment {
namespace {

size_t ArgMax(const std::vector<double>& v) {
  return static_cast<size_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

// One posterior draw per arm.
void DrawThompson(BanditPolicy policy, const std::vector<ArmStats>& arms, Rng& rng,
                  std::vector<double>& out) {
  for (size_t k = 0; k < arms.size(); ++k) {
    const ArmStats& a = arms[k];
    if (policy == BanditPolicy::kThompsonBeta) {
      std::gamma_distribution<double> ga(1.0 + a.sum), gb(1.0 + static_cast<double>(a.n) - a.sum);
      const double x = ga(rng), y = gb(rng);
      out[k] = x / (x + y);
    } else {
      const double n = static_cast<double>(a.n);
      const double mean = a.n > 0 ? a.sum / n : 0.0;
      double var = 1.0;
      if (a.n >= 2) var = std::max(1e-12, (a.sum_squares - n * mean * mean) / (n - 1.0));
      std::normal_distribution<double> nd(mean, std::sqrt(var / std::max(1.0, n)));
      out[k] = nd(rng);
    }
  }
}

void CheckArms(const std::vector<ArmStats>& arms, BanditPolicy policy) {
  if (arms.size() < 2)
    Fail(ErrorCode::kInvalidArgument, "a bandit needs at least 2 arms (got {})", arms.size());
  for (const auto& a : arms) {
    if (a.n < 0) Fail(ErrorCode::kInvalidData, "arm \"{}\": {} units", a.name, a.n);
    if (policy != BanditPolicy::kThompsonBeta) continue;
    // 0/1 rewards have sum of squares equal to their sum; money or counts do not.
    const bool binary = a.sum >= 0 && a.sum <= static_cast<double>(a.n) &&
                        std::abs(a.sum_squares - a.sum) <= 1e-9 * std::max(1.0, a.sum);
    if (!binary) {
      Fail(ErrorCode::kInvalidData,
           "arm \"{}\": the rewards are not 0/1 (mean {:.6g} over {} units), but the thompson "
           "policy models "
           "conversions. Possible fix: for money or another continuous metric use the "
           "thompson-gaussian policy",
           a.name, a.n ? a.sum / static_cast<double>(a.n) : 0.0, a.n);
    }
  }
}

}  // namespace

constexpr EnumName<BanditPolicy> kPolicyNames[] = {
    {BanditPolicy::kThompsonBeta, "thompson"},
    {BanditPolicy::kThompsonGaussian, "thompson-gaussian"},
    {BanditPolicy::kUcb1, "ucb1"},
    {BanditPolicy::kFixed, "fixed"}};

BanditPolicy ParseBanditPolicy(std::string_view name) {
  return ParseName(kPolicyNames, name, "bandit policy", "policies");
}

std::string_view BanditPolicyName(BanditPolicy policy) { return NameOf(kPolicyNames, policy); }

std::vector<ArmStats> ArmStatsFromTable(const Table& table, const std::string& variant_column,
                                        const std::string& metric_column) {
  const Column& variant = table.column(variant_column);
  const Column& metric = table.column(metric_column);
  if (metric.type() != DataType::kBool && !IsNumeric(metric.type())) {
    Fail(ErrorCode::kInvalidArgument,
         "metric column {} has type {}; rewards must be bool, int64 or double",
         QuoteForMessage(metric_column), DataTypeName(metric.type()));
  }
  std::map<std::string, ArmStats> arms;
  for (size_t i = 0; i < table.num_rows(); ++i) {
    if (variant.IsNull(i) || metric.IsNull(i)) continue;
    const std::string name = variant.FormatValue(i);
    ArmStats& a = arms[name];
    a.name = name;
    const double x = metric.NumericAt(i);
    a.n += 1;
    a.sum += x;
    a.sum_squares += x * x;
  }
  std::vector<ArmStats> out;
  for (auto& [name, a] : arms) out.push_back(std::move(a));
  return out;
}

std::vector<double> Ucb1Scores(const std::vector<ArmStats>& arms) {
  int64_t total = 0;
  for (const auto& a : arms) total += a.n;
  std::vector<double> scores(arms.size());
  for (size_t k = 0; k < arms.size(); ++k) {
    const double n = static_cast<double>(arms[k].n);
    scores[k] = arms[k].n == 0
                    ? std::numeric_limits<double>::infinity()
                    : arms[k].sum / n + std::sqrt(2.0 * std::log(static_cast<double>(total)) / n);
  }
  return scores;
}

std::vector<double> AllocateTraffic(BanditPolicy policy, const std::vector<ArmStats>& arms,
                                    uint64_t seed, int draws) {
  CheckArms(arms, policy);
  std::vector<double> share(arms.size(), 0.0);
  if (policy == BanditPolicy::kFixed) {
    std::fill(share.begin(), share.end(), 1.0 / static_cast<double>(arms.size()));
  } else if (policy == BanditPolicy::kUcb1) {
    share[ArgMax(Ucb1Scores(arms))] = 1.0;
  } else {
    Rng rng(seed);
    std::vector<double> sample(arms.size());
    for (int i = 0; i < draws; ++i) {
      DrawThompson(policy, arms, rng, sample);
      share[ArgMax(sample)] += 1.0;
    }
    for (auto& s : share) s /= draws;
  }
  return share;
}

BanditRun SimulateBandit(BanditPolicy policy, const std::vector<double>& rates, int64_t horizon,
                         int checkpoints, uint64_t seed) {
  if (rates.size() < 2)
    Fail(ErrorCode::kInvalidArgument, "simulation needs at least 2 arms (got {})", rates.size());
  for (double r : rates) {
    if (!(r >= 0.0 && r <= 1.0))
      Fail(ErrorCode::kOutOfRange, "arm rate {} is out of range [0, 1]", r);
  }
  if (horizon <= 0 || checkpoints <= 0)
    Fail(ErrorCode::kInvalidArgument, "horizon and checkpoints must be positive");
  BanditRun run;
  run.policy = policy;
  const double best = *std::max_element(rates.begin(), rates.end());
  std::vector<ArmStats> arms(rates.size());
  Rng rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<double> sample(rates.size());
  double regret = 0.0;
  int64_t next_checkpoint = std::max<int64_t>(1, horizon / checkpoints);
  for (int64_t user = 0; user < horizon; ++user) {
    size_t arm = 0;
    if (policy == BanditPolicy::kFixed) {
      arm = static_cast<size_t>(user % static_cast<int64_t>(rates.size()));  // a balanced split
    } else if (policy == BanditPolicy::kUcb1) {
      arm = ArgMax(Ucb1Scores(arms));
    } else {
      DrawThompson(policy, arms, rng, sample);
      arm = ArgMax(sample);
    }
    const double reward = unit(rng) < rates[arm] ? 1.0 : 0.0;
    arms[arm].n += 1;
    arms[arm].sum += reward;
    arms[arm].sum_squares += reward * reward;
    regret += best - rates[arm];
    run.reward += rates[arm];
    if (user + 1 == next_checkpoint || user + 1 == horizon) {
      run.checkpoints.push_back(user + 1);
      run.cumulative_regret.push_back(regret);
      next_checkpoint += std::max<int64_t>(1, horizon / checkpoints);
    }
  }
  for (const auto& a : arms) run.pulls.push_back(a.n);
  return run;
}

Allocation AllocateFromTable(const Table& results, const AllocateRequest& request, uint64_t seed) {
  Allocation out;
  out.policy = ParseBanditPolicy(request.policy);
  const auto arms = ArmStatsFromTable(results, request.variant_column, request.metric_column);
  const auto share = AllocateTraffic(out.policy, arms, seed);
  const auto ucb = Ucb1Scores(arms);
  for (size_t k = 0; k < arms.size(); ++k) out.arms.push_back({arms[k], share[k], ucb[k]});
  return out;
}

nlohmann::json Allocation::ToJson() const {
  nlohmann::json list = nlohmann::json::array();
  for (const ArmAllocation& a : arms) {
    list.push_back({{"variant", a.stats.name},
                    {"n", a.stats.n},
                    {"mean", a.mean()},
                    {"share", a.share},
                    {"ucb1", std::isfinite(a.ucb1) ? nlohmann::json(a.ucb1) : nlohmann::json()}});
  }
  return {{"policy", BanditPolicyName(policy)}, {"arms", list}};
}

BanditComparison CompareBandits(const std::vector<double>& rates, int64_t horizon, int checkpoints,
                                uint64_t seed) {
  BanditComparison out;
  out.rates = rates;
  out.horizon = horizon;
  for (BanditPolicy p : {BanditPolicy::kFixed, BanditPolicy::kThompsonBeta, BanditPolicy::kUcb1})
    out.runs.push_back(SimulateBandit(p, rates, horizon, checkpoints, seed));
  return out;
}

nlohmann::json BanditComparison::ToJson() const {
  nlohmann::json list = nlohmann::json::array();
  for (const BanditRun& run : runs) {
    list.push_back({{"policy", BanditPolicyName(run.policy)},
                    {"checkpoints", run.checkpoints},
                    {"cumulative_regret", run.cumulative_regret},
                    {"pulls", run.pulls},
                    {"expected_conversions", run.reward}});
  }
  return {{"rates", rates}, {"horizon", horizon}, {"runs", list}};
}

}  // namespace prospect::experiment
