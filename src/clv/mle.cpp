// Maximum likelihood on log parameters (see mle.hpp).
#include "prospect/clv/mle.hpp"

#include <LBFGS.h>
#include <fmt/format.h>

#include <Eigen/Dense>
#include <cmath>
#include <limits>

#include "prospect/common/error.hpp"

namespace prospect::clv {
namespace {

// The mean negative log-likelihood in u = log(params), for LBFGSpp; remembers the best point.
class LogScaleObjective {
 public:
  explicit LogScaleObjective(const MleProblem& p) : problem_(p), theta_(p.names.size()) {}

  double operator()(const Eigen::VectorXd& u, Eigen::VectorXd& grad) {
    ++evaluations_;
    const size_t k = theta_.size();
    for (size_t j = 0; j < k; ++j) theta_[j] = std::exp(u[static_cast<Eigen::Index>(j)]);
    std::vector<double> g(k, 0.0);
    double ll = 0;
    try {
      ll = problem_.log_likelihood(theta_, g);
    } catch (const Error&) {
      throw;  // prospect's own (cancellation, a bug): not the model's domain
    } catch (const std::exception&) {
      // Boost.Math refuses arguments out of its domain (NaN, overflow) by throwing: a point where
      // the model is undefined, like a NaN log-likelihood.
      ll = std::numeric_limits<double>::quiet_NaN();
    }
    grad.resize(static_cast<Eigen::Index>(k));
    bool finite = std::isfinite(ll);
    for (size_t j = 0; j < k; ++j) {
      // d(−ll/n)/du_j = −θ_j · dll/dθ_j / n
      grad[static_cast<Eigen::Index>(j)] = -theta_[j] * g[j] / problem_.customers;
      finite = finite && std::isfinite(grad[static_cast<Eigen::Index>(j)]);
    }
    if (!finite) {  // outside where the model is defined: the line search steps back
      grad.setZero();
      return std::numeric_limits<double>::infinity();
    }
    const double value = -ll / problem_.customers;
    if (value < best_value_) {
      best_value_ = value;
      best_ = u;
    }
    return value;
  }

  const Eigen::VectorXd& best() const { return best_; }
  double best_value() const { return best_value_; }
  int evaluations() const { return evaluations_; }

 private:
  const MleProblem& problem_;
  std::vector<double> theta_;
  Eigen::VectorXd best_;
  double best_value_ = std::numeric_limits<double>::infinity();
  int evaluations_ = 0;
};

// −(Hessian of the log-likelihood in the parameters), by central differences of the gradient.
Eigen::MatrixXd ObservedInformation(const MleProblem& problem, const std::vector<double>& theta) {
  const size_t k = theta.size();
  Eigen::MatrixXd info(k, k);
  std::vector<double> plus(k), minus(k), at = theta;
  for (size_t j = 0; j < k; ++j) {
    const double h = 1e-5 * theta[j];
    at[j] = theta[j] + h;
    (void)problem.log_likelihood(at, plus);
    at[j] = theta[j] - h;
    (void)problem.log_likelihood(at, minus);
    at[j] = theta[j];
    for (size_t i = 0; i < k; ++i)
      info(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
          -(plus[i] - minus[i]) / (2 * h);
  }
  return (info + info.transpose()) / 2;
}

}  // namespace

double MleResult::Param(std::string_view name) const {
  for (size_t j = 0; j < names.size(); ++j) {
    if (names[j] == name) return params[j];
  }
  Fail(ErrorCode::kInternal, "clv: no parameter {}", name);
}

nlohmann::json MleResult::ToJson() const {
  nlohmann::json p = nlohmann::json::object(), se = nlohmann::json::object();
  for (size_t j = 0; j < names.size(); ++j) {
    p[names[j]] = params[j];
    se[names[j]] = std::isfinite(standard_errors[j]) ? nlohmann::json(standard_errors[j]) : nullptr;
  }
  return {{"params", p},
          {"standard_errors", se},
          {"log_likelihood", log_likelihood},
          {"gradient_norm", gradient_norm},
          {"iterations", iterations >= 0 ? nlohmann::json(iterations) : nullptr},
          {"evaluations", evaluations},
          {"converged", converged},
          {"diagnostics", diagnostics}};
}

void CheckDropout(MleResult& result, double dropout, std::string_view measure,
                  std::string_view parameters, size_t shape) {
  const double value = result.params[shape], se = result.standard_errors[shape];
  if (!(dropout < kNoDropout)) {
    if (value < 2 * se) {  // false for a NaN standard error
      result.diagnostics.push_back(fmt::format(
          "weak dropout: {} = {:.3g} is within two standard errors ({:.2g}) of 0, where nobody "
          "leaves: the data barely show customers leaving, so P(alive) rests on little evidence",
          result.names[shape], value, se));
    }
    return;
  }
  result.converged = false;
  result.diagnostics.push_back(fmt::format(
      "no dropout: the maximum is at the edge where {} is {:.2g}, so the data show no sign of "
      "customers leaving, {} are not identified and the model has become the NBD (P(alive) = 1 "
      "for everyone); a longer calibration period may show dropout",
      measure, dropout, parameters));
}

MleResult MaximiseLikelihood(const MleProblem& problem, const std::vector<double>& start,
                             const MleOptions& options) {
  const size_t k = problem.names.size();
  if (start.size() != k)
    Fail(ErrorCode::kInvalidArgument, "clv: {} starting values for {} parameters", start.size(), k);
  Eigen::VectorXd u(static_cast<Eigen::Index>(k));
  for (size_t j = 0; j < k; ++j) {
    if (!(start[j] > 0 && std::isfinite(start[j])))
      Fail(ErrorCode::kInvalidArgument, "clv: starting value of {} is {}: expected > 0",
           problem.names[j], start[j]);
    u[static_cast<Eigen::Index>(j)] = std::log(start[j]);
  }
  LogScaleObjective objective(problem);
  MleResult out;
  out.names = problem.names;
  {
    Eigen::VectorXd g;
    if (!std::isfinite(objective(u, g)))
      Fail(ErrorCode::kInvalidData,
           "clv: the log-likelihood is not finite at the starting values; check the summary "
           "(negative or missing recency, frequency or age)");
  }
  LBFGSpp::LBFGSParam<double> param;
  param.m = 10;
  param.epsilon = options.gradient_tolerance;
  param.epsilon_rel = 0;
  param.past = 1;
  param.delta = 1e-14;  // also stop when the objective no longer moves in double precision
  param.max_iterations = options.max_iterations;
  param.max_linesearch = 80;
  param.linesearch = LBFGSpp::LBFGS_LINESEARCH_BACKTRACKING_STRONG_WOLFE;
  // Backtracking, not Nocedal-Wright's zoom: a trial step into a region where the model is
  // undefined (an infinite objective) must simply shrink the step, not be interpolated through.
  LBFGSpp::LBFGSSolver<double, LBFGSpp::LineSearchBacktracking> solver(param);
  double value = 0;
  try {
    out.iterations = solver.minimize(objective, u, value);
  } catch (const std::exception& e) {  // a line search that cannot improve in double precision
    out.iterations = -1;               // LBFGSpp does not say how many it had made
    out.diagnostics.push_back(
        fmt::format("the line search stopped ({}) after {} evaluations; kept the best point found",
                    e.what(), objective.evaluations()));
    u = objective.best();
  }
  out.evaluations = objective.evaluations();
  Eigen::VectorXd grad;
  value = u.allFinite() ? objective(u, grad) : std::numeric_limits<double>::infinity();
  if (!std::isfinite(value) || value > objective.best_value()) {
    out.diagnostics.push_back("the last step left the model's domain; kept the best point found");
    u = objective.best();
    value = objective(u, grad);
  }
  out.gradient_norm = grad.norm();
  out.log_likelihood = -value * problem.customers;
  out.params.resize(k);
  for (size_t j = 0; j < k; ++j) out.params[j] = std::exp(u[static_cast<Eigen::Index>(j)]);
  // Converged: the gradient is flat to what double precision allows at this data size.
  out.converged = out.gradient_norm < std::max(options.gradient_tolerance, 1e-6);
  if (out.iterations >= options.max_iterations) {
    out.diagnostics.push_back(fmt::format(
        "stopped after {} iterations (the limit) with the gradient at {:.2g}: raise the limit, "
        "or fit in weeks rather than days",
        out.iterations, out.gradient_norm));
  }
  for (size_t j = 0; j < k; ++j) {
    if (std::fabs(u[static_cast<Eigen::Index>(j)]) > 25) {
      out.converged = false;
      out.diagnostics.push_back(fmt::format(
          "{} ran off to {:.3g}: the data cannot pin it down (too few repeat buyers, or a "
          "model that does not suit them); try another model or more history",
          problem.names[j], out.params[j]));
    }
  }
  if (!out.converged && out.diagnostics.empty()) {
    out.diagnostics.push_back(
        fmt::format("the gradient is still {:.2g} at the end: the likelihood is flat or rough "
                    "there; try another time unit (week) or another model",
                    out.gradient_norm));
  }

  out.standard_errors.assign(k, std::numeric_limits<double>::quiet_NaN());
  const Eigen::MatrixXd info = ObservedInformation(problem, out.params);
  const Eigen::LLT<Eigen::MatrixXd> llt(info);
  if (info.allFinite() && llt.info() == Eigen::Success) {
    const Eigen::MatrixXd cov = llt.solve(Eigen::MatrixXd::Identity(info.rows(), info.cols()));
    for (size_t j = 0; j < k; ++j) {
      const double v = cov(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(j));
      if (v >= 0) out.standard_errors[j] = std::sqrt(v);
    }
  } else {
    out.diagnostics.push_back(
        "the Hessian is not positive definite at the end: no standard errors (a parameter the "
        "data cannot pin down, or not a maximum)");
  }
  return out;
}

}  // namespace prospect::clv
