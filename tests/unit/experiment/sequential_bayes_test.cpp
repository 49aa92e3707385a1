// mSPRT (closed form and the A/A peeking simulation), Beta-Binomial and Normal Bayesian
// comparisons against scipy quad, and bandit allocation / regret.
#include <gtest/gtest.h>

#include <chrono>

#include "fixtures.hpp"
#include "prospect/common/error.hpp"
#include "prospect/experiment/bandit.hpp"
#include "prospect/experiment/bayes.hpp"
#include "prospect/experiment/sequential.hpp"

namespace prospect::experiment {
namespace {

using testing::Fixtures;
using testing::Rel;

TEST(ExperimentSequential, MsprtMatchesTheClosedForm) {
  for (const auto& c : Fixtures()["msprt"]) {
    const MsprtLook look = Msprt(c["estimate"], c["variance"], c["tau2"], c["alpha"]);
    EXPECT_TRUE(Rel(look.p_value, c["p"], 1e-12)) << c.dump();
    EXPECT_TRUE(Rel(look.ci_low, c["ci"][0], 1e-12)) << c.dump();
    EXPECT_TRUE(Rel(look.ci_high, c["ci"][1], 1e-12)) << c.dump();
  }
}

TEST(ExperimentSequential, RunningPValueNeverIncreasesAndSequenceOnlyShrinks) {
  SequentialTest test(0.01, 0.05);
  const MsprtLook a = test.Update(0.3, 0.01);
  const MsprtLook b = test.Update(0.0, 0.005);
  EXPECT_LE(b.p_value, a.p_value);
  EXPECT_GE(b.ci_low, a.ci_low);
  EXPECT_LE(b.ci_high, a.ci_high);
}

// Acceptance: 2000 A/A experiments, a look after every 100 users up to 10000 users (100 looks).
// Naive peeking at p < 0.05 finds "effects" far more often than 5 %; the mSPRT does not.
TEST(ExperimentSequential, AaPeekingSimulationKeepsMsprtBelowAlphaAndNaiveAbove) {
  const auto start = std::chrono::steady_clock::now();
  const PeekingSimulation sim = SimulateAaPeeking(2000, 10000, 100, 0.1, 0.05, kDefaultTauSd, 7);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "A/A peeking: %d experiments, %d looks: naive FPR %.4f, mSPRT FPR %.4f, fixed-horizon FPR "
      "%.4f (%.2fs)\n",
      sim.experiments, sim.looks, sim.naive_false_positive_rate, sim.msprt_false_positive_rate,
      sim.fixed_horizon_false_positive_rate, seconds);
  EXPECT_EQ(sim.looks, 100);
  EXPECT_LE(sim.msprt_false_positive_rate, 0.05);
  EXPECT_GT(sim.naive_false_positive_rate, 0.05);
  // The single fixed-horizon test is calibrated: 5 % +- 3 binomial standard errors.
  EXPECT_NEAR(sim.fixed_horizon_false_positive_rate, 0.05, 3 * std::sqrt(0.05 * 0.95 / 2000));
}

TEST(ExperimentBayes, BetaBinomialMatchesScipyQuadrature) {
  for (const auto& c : Fixtures()["bayes"]) {
    const auto counts = c["counts"].get<std::vector<int64_t>>();
    const Posterior t = BetaPosterior(counts[0], counts[1]);
    const Posterior ctl = BetaPosterior(counts[2], counts[3]);
    EXPECT_EQ(t.alpha, c["posterior_t"][0].get<double>());
    EXPECT_EQ(ctl.beta, c["posterior_c"][1].get<double>());
    EXPECT_TRUE(Rel(t.ci_low, c["ci_t"][0], 1e-9));
    EXPECT_TRUE(Rel(t.ci_high, c["ci_t"][1], 1e-9));
    const BayesComparison b = CompareBeta(t, ctl, 0.05, 1, 20000);
    EXPECT_TRUE(Rel(b.prob_beat_control, c["prob_beat_control"], 1e-6)) << c.dump();
    EXPECT_TRUE(Rel(b.expected_loss_treatment, c["expected_loss_treatment"], 1e-6)) << c.dump();
    EXPECT_LT(b.diff_low, b.diff_mean);
    EXPECT_GT(b.diff_high, b.diff_mean);
  }
}

TEST(ExperimentBayes, ProbabilitiesOfTheTwoDirectionsSumToOne) {
  EXPECT_NEAR(ProbBetaGreater(13, 90, 20, 80) + ProbBetaGreater(20, 80, 13, 90), 1.0, 1e-12);
  EXPECT_NEAR(ProbBetaGreater(5, 5, 5, 5), 0.5, 1e-12);
  // Fractional shapes take the numerical-integration path; it must agree with the exact sum.
  EXPECT_NEAR(ProbBetaGreater(20.5, 80.5, 13.5, 90.5) + ProbBetaGreater(13.5, 90.5, 20.5, 80.5),
              1.0, 1e-9);
  EXPECT_NEAR(ProbBetaGreater(20.000001, 80, 13, 90), ProbBetaGreater(20, 80, 13, 90), 1e-6);
}

TEST(ExperimentBayes, NormalModelIsClosedForm) {
  const Posterior t = NormalPosterior({1000, 10.5, 4.0});
  const Posterior c = NormalPosterior({1000, 10.0, 4.0});
  const BayesComparison b = CompareNormal(t, c, 0.05, 3, 1000);
  const double sd = std::sqrt(2 * 4.0 / 1000);
  EXPECT_NEAR(b.prob_beat_control, NormalCdf(0.5 / sd), 1e-14);
  // E[max(D,0)] - E[max(-D,0)] = E[D].
  EXPECT_NEAR(b.expected_loss_control - b.expected_loss_treatment, 0.5, 1e-12);
  EXPECT_NEAR(b.diff_low, 0.5 - 1.959963984540054 * sd, 1e-9);
}

TEST(ExperimentBandit, ThompsonSendsMostTrafficToTheClearlyBetterArm) {
  const std::vector<ArmStats> arms = {{"a", 1000, 100, 100}, {"b", 1000, 150, 150}};
  const auto share = AllocateTraffic(BanditPolicy::kThompsonBeta, arms, 1);
  EXPECT_NEAR(share[0] + share[1], 1.0, 1e-12);
  EXPECT_GT(share[1], 0.99);
  const auto gaussian = AllocateTraffic(BanditPolicy::kThompsonGaussian, arms, 1);
  EXPECT_GT(gaussian[1], 0.99);
  const auto even =
      AllocateTraffic(BanditPolicy::kThompsonBeta, {{"a", 100, 10, 10}, {"b", 100, 10, 10}}, 1);
  EXPECT_NEAR(even[0], 0.5, 0.03);
}

TEST(ExperimentBandit, Ucb1PlaysUntriedArmsFirstThenTheHighestIndex) {
  auto share = AllocateTraffic(BanditPolicy::kUcb1, {{"a", 10, 5, 5}, {"b", 0, 0, 0}}, 1);
  EXPECT_EQ(share[1], 1.0);
  const auto scores = Ucb1Scores({{"a", 100, 10, 10}, {"b", 10, 1, 1}});
  EXPECT_NEAR(scores[0], 0.1 + std::sqrt(2 * std::log(110.0) / 100), 1e-12);
  share = AllocateTraffic(BanditPolicy::kUcb1, {{"a", 100, 10, 10}, {"b", 10, 1, 1}}, 1);
  EXPECT_EQ(share[1], 1.0);  // same mean, fewer pulls: larger bonus
}

TEST(ExperimentBandit, BanditsHaveLessRegretThanAFixedSplit) {
  const std::vector<double> rates = {0.05, 0.06, 0.08};
  const BanditRun fixed = SimulateBandit(BanditPolicy::kFixed, rates, 20000, 10, 5);
  const BanditRun ts = SimulateBandit(BanditPolicy::kThompsonBeta, rates, 20000, 10, 5);
  const BanditRun ucb = SimulateBandit(BanditPolicy::kUcb1, rates, 20000, 10, 5);
  // A fixed equal split loses (0.03 + 0.02) / 3 per user exactly.
  EXPECT_NEAR(fixed.cumulative_regret.back(), 20000 * 0.05 / 3, 1.0);
  EXPECT_LT(ts.cumulative_regret.back(), fixed.cumulative_regret.back() / 3);
  EXPECT_LT(ucb.cumulative_regret.back(), fixed.cumulative_regret.back());
  EXPECT_EQ(ts.checkpoints.back(), 20000);
  EXPECT_GT(ts.pulls[2], ts.pulls[0] + ts.pulls[1]);
  EXPECT_THROW(SimulateBandit(BanditPolicy::kFixed, {0.1}, 10, 1, 1), Error);
  EXPECT_THROW(ParseBanditPolicy("epsilon"), Error);
}

}  // namespace
}  // namespace prospect::experiment
