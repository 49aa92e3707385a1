// Maximum likelihood for the CLV models: the log-likelihood of positive parameters maximised over
// their logarithms with L-BFGS (LBFGSpp; a backtracking line search to the strong Wolfe
// conditions, which steps back from where a model is undefined), standard errors from the inverse
// Hessian, and convergence reported, never thrown: a fit that stops early says why and what to
// try.
//
// Why log parameters: every parameter of BG/NBD, Pareto/NBD, Gamma-Gamma and sBG is positive, and
// on the log scale the optimiser needs no bounds (lifetimes does the same). The objective is the
// mean negative log-likelihood per customer, so its tolerance means the same at any data size.
// The Hessian is of the log-likelihood in the parameters themselves (not their logs), by central
// differences of the analytic gradient; standard errors are the square roots of the diagonal of
// its negated inverse (NaN, with a diagnostic, when it is not positive definite: a parameter the
// data cannot pin down).
#pragma once

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace prospect::clv {

struct MleProblem {
  std::vector<std::string> names;  ///< the parameters, in order
  /// The log-likelihood summed over customers at `params` (all > 0), its gradient with respect to
  /// them written to `gradient`. May return −inf or NaN where the model is undefined.
  std::function<double(std::span<const double> params, std::span<double> gradient)> log_likelihood;
  double customers = 1;  ///< the number of customers summed over (scales the objective)
};

struct MleOptions {
  int max_iterations = 1000;
  /// Stop when the gradient of the mean negative log-likelihood (in log parameters) is below this.
  double gradient_tolerance = 1e-8;
};

struct MleResult {
  std::vector<std::string> names;
  std::vector<double> params;
  std::vector<double> standard_errors;  ///< NaN where the Hessian does not give one
  double log_likelihood = 0;
  double gradient_norm = 0;  ///< of the mean log-likelihood in log parameters, at the end
  int iterations = 0;        ///< L-BFGS iterations; −1 when the line search stopped the solver
  int evaluations = 0;  ///< of the log-likelihood and its gradient, line-search trials included
  bool converged = false;
  /// Why the fit stopped where it did, and what to try when it did not converge; empty when it
  /// converged cleanly.
  std::vector<std::string> diagnostics;

  double Param(std::string_view name) const;
  nlohmann::json ToJson() const;
};

/// Below this a fit's dropout (the mean dropout probability per purchase, or the share of customers
/// lost over the longest history) is at the edge where customers never leave.
inline constexpr double kNoDropout = 1e-3;
/// When `dropout` (what `measure` names, e.g. "the mean dropout probability a/(a + b)") is below
/// kNoDropout: marks the fit not converged, with a note that says what the edge means
/// (`parameters`, the dropout's, are not identified there) and what to try. Otherwise, when the
/// dropout's shape parameter (result.params[shape]: a or s; 0 means nobody leaves) is within two
/// standard errors of 0, notes that the data barely show dropout (the fit stays converged).
void CheckDropout(MleResult& result, double dropout, std::string_view measure,
                  std::string_view parameters, size_t shape);

/// Maximises problem.log_likelihood from `start` (all > 0; one per name). Never throws for a
/// fit that fails to converge: see MleResult::converged and diagnostics. kInvalidArgument for a
/// start of the wrong size or not positive.
MleResult MaximiseLikelihood(const MleProblem& problem, const std::vector<double>& start,
                             const MleOptions& options = {});

}  // namespace prospect::clv
