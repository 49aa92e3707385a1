// Sequential testing that stays valid under continuous monitoring: the mixture sequential
// probability ratio test (mSPRT) with a normal mixing distribution, after Johari, Koomen, Pekelis
// & Walsh (2017), "Peeking at A/B Tests: Why it matters, and what to do about it" (KDD).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

namespace prospect::experiment {

/// Default mixing standard deviation, in units of the metric's pooled standard deviation sigma:
/// the mixture puts the effect theta ~ N(0, tau^2) with tau = kDefaultTauSd * sigma. It is tuned
/// to effects of about a tenth of a standard deviation (Johari et al. recommend tau of the order
/// of the effects one expects); larger tau favours detecting large effects early.
inline constexpr double kDefaultTauSd = 0.1;

/// One look at the data. With an estimate d of the difference, its variance V (s_t^2/n_t +
/// s_c^2/n_c) and mixing variance tau^2, the mixture likelihood ratio against theta = 0 is
///   Lambda = sqrt(V / (V + tau^2)) exp(tau^2 d^2 / (2 V (V + tau^2))),
/// the always-valid p-value of this look is min(1, 1/Lambda), and the 1 - alpha confidence
/// sequence is d -/+ sqrt(V (V + tau^2) / tau^2 (log((V + tau^2) / V) - 2 log alpha)).
struct MsprtLook {
  double lambda = 1.0;
  double p_value = 1.0;  ///< of this look alone; SequentialTest keeps the running minimum
  double ci_low = 0.0;
  double ci_high = 0.0;
};
MsprtLook Msprt(double estimate, double variance, double tau2, double alpha);

/// Follows one comparison across looks: the always-valid p-value is the running minimum of the
/// per-look p-values and the confidence sequence the running intersection of the intervals,
/// both of which keep the 1 - alpha guarantee at any stopping time.
class SequentialTest {
 public:
  SequentialTest(double tau2, double alpha) : tau2_(tau2), alpha_(alpha) {}
  /// Adds a look; returns the running always-valid p-value and intersected confidence sequence.
  MsprtLook Update(double estimate, double variance);
  double p_value() const { return p_value_; }

 private:
  double tau2_;
  double alpha_;
  double p_value_ = 1.0;
  double low_ = -1e308;
  double high_ = 1e308;
};

/// A/A simulation of peeking: `experiments` experiments with Bernoulli(rate) outcomes in both
/// arms, a look after every `look_every` users (split evenly) up to `max_users`. Counts how often
/// naive peeking (stop at the first two-proportion z p < alpha) and the mSPRT (always-valid
/// p < alpha at any look) declare a difference that does not exist.
struct PeekingSimulation {
  int experiments = 0;
  int looks = 0;
  double naive_false_positive_rate = 0.0;
  double msprt_false_positive_rate = 0.0;
  double fixed_horizon_false_positive_rate = 0.0;  ///< one test at max_users, for reference
  double alpha = 0.05;
  nlohmann::json ToJson() const;
};
PeekingSimulation SimulateAaPeeking(int experiments, int max_users, int look_every, double rate,
                                    double alpha, double tau_sd, uint64_t seed);

}  // namespace prospect::experiment
