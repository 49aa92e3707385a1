// Maximum likelihood on log parameters: finds a known maximum with its standard error, steps back
// out of regions where the model is undefined, and reports a fit that cannot converge instead of
// throwing.
#include "prospect/clv/mle.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "prospect/common/error.hpp"
#include "support/expect_error.hpp"

namespace prospect::clv {
namespace {

// n Poisson counts with total k: log-likelihood k·ln λ − n·λ, maximum λ = k/n, standard error
// sqrt(λ/n).
MleProblem Poisson(double k, double n) {
  MleProblem p;
  p.names = {"lambda"};
  p.customers = n;
  p.log_likelihood = [k, n](std::span<const double> th, std::span<double> g) {
    g[0] = k / th[0] - n;
    return k * std::log(th[0]) - n * th[0];
  };
  return p;
}

TEST(MaximiseLikelihood, FindsTheMaximumAndItsStandardError) {
  const MleResult r = MaximiseLikelihood(Poisson(500, 10), {1.0});
  EXPECT_TRUE(r.converged);
  EXPECT_NEAR(r.params[0], 50, 1e-6);
  EXPECT_NEAR(r.standard_errors[0], std::sqrt(50.0 / 10), 1e-4);
  EXPECT_TRUE(r.diagnostics.empty());
  EXPECT_EQ(r.Param("lambda"), r.params[0]);
}

TEST(MaximiseLikelihood, StepsBackWhereTheModelIsUndefined) {
  // As Boost.Math does outside its domain: throw. Every λ above 55 is refused; from λ = 0.001 the
  // first long steps overshoot.
  MleProblem p = Poisson(500, 10);
  const auto inner = p.log_likelihood;
  int refused = 0;
  p.log_likelihood = [inner, &refused](std::span<const double> th, std::span<double> g) {
    if (th[0] > 55) {
      ++refused;
      throw std::overflow_error("outside the domain");
    }
    return inner(th, g);
  };
  const MleResult r = MaximiseLikelihood(p, {0.001});
  EXPECT_TRUE(r.converged) << r.ToJson().dump();
  EXPECT_NEAR(r.params[0], 50, 1e-5);
  EXPECT_GT(refused, 0);  // the test did exercise the refusal
}

TEST(MaximiseLikelihood, ADivergingParameterIsReportedNotThrown) {
  // ln λ grows without bound: no maximum.
  MleProblem p;
  p.names = {"lambda"};
  p.log_likelihood = [](std::span<const double> th, std::span<double> g) {
    g[0] = 1 / th[0];
    return std::log(th[0]);
  };
  const MleResult r = MaximiseLikelihood(p, {1.0});
  EXPECT_FALSE(r.converged);
  ASSERT_FALSE(r.diagnostics.empty());
  EXPECT_NE(r.ToJson().dump().find("lambda ran off to"), std::string::npos) << r.ToJson().dump();
}

TEST(MaximiseLikelihood, BadStartsAndOwnErrorsAreRaised) {
  ExpectError([] { (void)MaximiseLikelihood(Poisson(5, 1), {-1.0}); }, ErrorCode::kInvalidArgument,
              "clv: starting value of lambda is -1: expected > 0");
  ExpectError(
      [] {
        (void)MaximiseLikelihood(Poisson(5, 1), {1.0, 2.0});
      },
      ErrorCode::kInvalidArgument, "clv: 2 starting values for 1 parameters");
  MleProblem p = Poisson(5, 1);
  p.log_likelihood = [](std::span<const double>, std::span<double>) -> double {
    Fail(ErrorCode::kCancelled, "cancelled");
  };
  ExpectError([&] { (void)MaximiseLikelihood(p, {1.0}); }, ErrorCode::kCancelled, "cancelled");
}

}  // namespace
}  // namespace prospect::clv
