// mSPRT always-valid p-values and confidence sequences (Johari et al. 2017), and the A/A peeking
// simulation that shows why they are needed.
#include "prospect/experiment/sequential.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include "prospect/common/error.hpp"
#include "prospect/common/rng.hpp"
#include "prospect/experiment/stats.hpp"

namespace prospect::experiment {

MsprtLook Msprt(double estimate, double variance, double tau2, double alpha) {
  if (!(tau2 > 0.0))
    Fail(ErrorCode::kOutOfRange, "mSPRT mixing variance tau^2 = {} must be positive", tau2);
  MsprtLook look;
  if (!(variance > 0.0)) {
    look.ci_low = look.ci_high = estimate;
    look.p_value = estimate == 0.0 ? 1.0 : 0.0;
    look.lambda = estimate == 0.0 ? 1.0 : INFINITY;
    return look;
  }
  const double log_lambda = 0.5 * std::log(variance / (variance + tau2)) +
                            tau2 * estimate * estimate / (2.0 * variance * (variance + tau2));
  look.lambda = std::exp(log_lambda);
  look.p_value = std::min(1.0, std::exp(-log_lambda));
  const double half = std::sqrt(variance * (variance + tau2) / tau2 *
                                (std::log((variance + tau2) / variance) - 2.0 * std::log(alpha)));
  look.ci_low = estimate - half;
  look.ci_high = estimate + half;
  return look;
}

MsprtLook SequentialTest::Update(double estimate, double variance) {
  MsprtLook look = Msprt(estimate, variance, tau2_, alpha_);
  p_value_ = std::min(p_value_, look.p_value);
  low_ = std::max(low_, look.ci_low);
  high_ = std::min(high_, look.ci_high);
  look.p_value = p_value_;
  look.ci_low = low_;
  look.ci_high = high_;
  return look;
}

PeekingSimulation SimulateAaPeeking(int experiments, int max_users, int look_every, double rate,
                                    double alpha, double tau_sd, uint64_t seed) {
  if (experiments <= 0 || max_users <= 0 || look_every <= 1 || look_every > max_users) {
    Fail(ErrorCode::kInvalidArgument,
         "peeking simulation: need experiments > 0 and 1 < look_every <= max_users");
  }
  PeekingSimulation out;
  out.experiments = experiments;
  out.looks = max_users / look_every;
  out.alpha = alpha;
  const double sigma = std::sqrt(rate * (1.0 - rate));
  const double tau2 = tau_sd * tau_sd * sigma * sigma;
  int naive = 0, msprt = 0, fixed = 0;
  for (int e = 0; e < experiments; ++e) {
    Rng rng(DeriveSeed(seed, static_cast<uint64_t>(e)));
    std::binomial_distribution<int64_t> batch(look_every / 2, rate);
    int64_t x_t = 0, x_c = 0, n_t = 0, n_c = 0;
    bool naive_hit = false, msprt_hit = false;
    for (int look = 0; look < out.looks; ++look) {
      // Users arrive alternately, so each block of look_every users adds half to each arm; the
      // successes of a block are a binomial draw.
      x_t += batch(rng);
      x_c += batch(rng);
      n_t += look_every / 2;
      n_c += look_every / 2;
      const TestResult z = TwoProportionZTest(x_t, n_t, x_c, n_c, alpha);
      if (z.p_value < alpha) naive_hit = true;
      const double p_t = static_cast<double>(x_t) / static_cast<double>(n_t);
      const double p_c = static_cast<double>(x_c) / static_cast<double>(n_c);
      const double variance =
          p_t * (1 - p_t) / static_cast<double>(n_t) + p_c * (1 - p_c) / static_cast<double>(n_c);
      if (Msprt(p_t - p_c, variance, tau2, alpha).p_value < alpha) msprt_hit = true;
      if (look == out.looks - 1 && z.p_value < alpha) ++fixed;
    }
    naive += naive_hit;
    msprt += msprt_hit;
  }
  out.naive_false_positive_rate = static_cast<double>(naive) / experiments;
  out.msprt_false_positive_rate = static_cast<double>(msprt) / experiments;
  out.fixed_horizon_false_positive_rate = static_cast<double>(fixed) / experiments;
  return out;
}

nlohmann::json PeekingSimulation::ToJson() const {
  return {{"experiments", experiments},
          {"looks", looks},
          {"alpha", alpha},
          {"naive_false_positive_rate", naive_false_positive_rate},
          {"msprt_false_positive_rate", msprt_false_positive_rate},
          {"fixed_horizon_false_positive_rate", fixed_horizon_false_positive_rate}};
}

}  // namespace prospect::experiment
