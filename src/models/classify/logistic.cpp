// Logistic regression. Two solvers:
//  - "lbfgs" (the default for L2): minimises scikit-learn LogisticRegression()'s objective,
//      Σᵢ cᵢ [log(1 + e^zᵢ) − yᵢ zᵢ] + ‖w‖² / (2C),  zᵢ = xᵢ·w + b,  intercept b not penalised,
//    with L-BFGS (LBFGSpp, Debian liblbfgspp-dev; strong-Wolfe line search, 10 corrections, and
//    scipy's L-BFGS-B stopping rules: gradient norm ≤ tol or relative decrease ≤ 2.2e-9 at the
//    default tol, as sklearn; both scale with tol). The
//    loss and gradient take one pass over the rows, in fixed chunks summed in order, so the
//    model is the same for any thread count. Chosen by measurement over liblinear's primal
//    trust-region Newton, which was 3x slower on bank marketing at the same AUC (BENCHMARKS.md).
//  - "liblinear" (Fan et al. 2008; the only one for L1): primal trust-region Newton (L2) or
//    coordinate descent (L1); the intercept is liblinear's bias feature, regularised like the
//    weights, as sklearn's solver="liblinear".
#include <LBFGS.h>
#include <linear.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>

#include "models/classify/families.hpp"
#include "models/classify/liblinear_problem.hpp"
#include "models/linear_terms.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/params.hpp"

namespace prospect {
namespace {

struct LogisticParams {
  std::string penalty = "l2";
  double c = 1.0;
  std::string class_weight = "none";
  double tol = 1e-4;
  std::string solver = "auto";
  int64_t max_iter = 100;

  static const ParamSchema<LogisticParams>& Schema() {
    static const ParamSchema<LogisticParams> schema(
        "logistic",
        {{"penalty", &LogisticParams::penalty, "l1 or l2 regularisation", {"l1", "l2"}},
         {"c", &LogisticParams::c, "inverse regularisation strength", 1e-8, 1e8},
         {"class_weight", &LogisticParams::class_weight, "none or balanced", {"none", "balanced"}},
         {"tol", &LogisticParams::tol, "solver tolerance", 1e-12, 1},
         {"solver",
          &LogisticParams::solver,
          "auto (lbfgs for l2, liblinear for l1), lbfgs (intercept not penalised) or liblinear",
          {"auto", "lbfgs", "liblinear"}},
         {"max_iter", &LogisticParams::max_iter, "lbfgs iterations at most", 1, 1000000}});
    return schema;
  }
};

// The lbfgs objective and its gradient over θ = (w, b); see the top of the file.
class LogisticLoss {
 public:
  LogisticLoss(const DenseMatrixView& x, std::span<const double> y,
               std::span<const double> row_weights, const double class_weights[2], double c,
               int threads)
      : x_(x), y_(y), row_weights_(row_weights), c_(c), threads_(threads) {
    class_weights_[0] = class_weights[0];
    class_weights_[1] = class_weights[1];
    // Chunks of a fixed size: their partial sums, added in order, do not depend on the threads.
    chunks_ = std::max<size_t>(1, (x.rows() + kChunkRows - 1) / kChunkRows);
    partial_.assign(chunks_ * (x.cols() + 2), 0.0);
  }

  double operator()(const Eigen::VectorXd& theta, Eigen::VectorXd& grad) {
    const size_t d = x_.cols(), stride = d + 2;  // per chunk: d weight gradients, intercept, loss
    const double* w = theta.data();
    const double b = theta[static_cast<Eigen::Index>(d)];
#pragma omp parallel for num_threads(threads_) schedule(static)
    for (size_t k = 0; k < chunks_; ++k) {
      double* part = &partial_[k * stride];
      std::fill(part, part + stride, 0.0);
      const size_t end = std::min(x_.rows(), (k + 1) * kChunkRows);
      for (size_t r = k * kChunkRows; r < end; ++r) {
        const double* row = x_.Row(r);
        double z = b;
        for (size_t j = 0; j < d; ++j) z += w[j] * row[j];
        const double weight =
            class_weights_[y_[r] > 0.5 ? 1 : 0] * (row_weights_.empty() ? 1.0 : row_weights_[r]);
        // log(1 + e^z) − y z, and its derivative σ(z) − y, without overflow (one exp per row).
        const double e = std::exp(-std::abs(z));
        const double log1pexp = std::max(z, 0.0) + std::log1p(e);
        const double sigma = z > 0 ? 1 / (1 + e) : e / (1 + e);
        part[d + 1] += weight * (log1pexp - y_[r] * z);
        const double residual = weight * (sigma - y_[r]);
        for (size_t j = 0; j < d; ++j) part[j] += residual * row[j];
        part[d] += residual;
      }
    }
    grad.setZero();
    double value = 0;
    for (size_t k = 0; k < chunks_; ++k) {
      const double* part = &partial_[k * stride];
      for (size_t j = 0; j <= d; ++j) grad[static_cast<Eigen::Index>(j)] += part[j];
      value += part[d + 1];
    }
    double norm2 = 0;
    for (size_t j = 0; j < d; ++j) {
      grad[static_cast<Eigen::Index>(j)] += w[j] / c_;
      norm2 += w[j] * w[j];
    }
    value += norm2 / (2 * c_);
    if (value < best_value_) {  // the line search may give up near the optimum: keep the best point
      best_value_ = value;
      best_ = theta;
    }
    return value;
  }

  const Eigen::VectorXd& best() const { return best_; }

 private:
  static constexpr size_t kChunkRows = 1024;
  const DenseMatrixView& x_;
  std::span<const double> y_, row_weights_;
  double class_weights_[2] = {1, 1};
  double c_;
  int threads_;
  size_t chunks_ = 1;
  std::vector<double> partial_;
  double best_value_ = std::numeric_limits<double>::infinity();
  Eigen::VectorXd best_;
};

class LogisticClassifier final : public LinearModel<Classifier, LogisticParams> {
 public:
  using LinearModel::LinearModel;

  void FitChecked(const Dataset& data, const Context& ctx) override {
    const bool lbfgs =
        params_.solver == "lbfgs" || (params_.solver == "auto" && params_.penalty == "l2");
    if (lbfgs && params_.penalty == "l1") {
      Fail(ErrorCode::kInvalidArgument,
           "logistic: solver lbfgs needs penalty l2 (the L1 penalty is not smooth); use "
           "solver=liblinear or auto");
    }
    double class_weights[2] = {1, 1};
    if (params_.class_weight == "balanced") BalancedWeights(data.y, class_weights);
    ctx.ThrowIfCancelled();
    if (lbfgs) return FitLbfgs(data, class_weights, ctx);
    FitLiblinear(data, class_weights, ctx.seed());
  }

  void FitLbfgs(const Dataset& data, const double class_weights[2], const Context& ctx) {
    const size_t d = data.x.cols();
    LogisticLoss loss(data.x, data.y, data.weights, class_weights, params_.c, ctx.threads());
    LBFGSpp::LBFGSParam<double> param;
    param.m = 10;
    param.epsilon = params_.tol;
    param.epsilon_rel = 0;
    param.past = 1;
    // scipy's L-BFGS-B default ftol (2.2e-9) at the default tol 1e-4; a tighter tol tightens it
    // too.
    param.delta = 2.220446049250313e-09 * params_.tol / 1e-4;
    param.max_iterations = static_cast<int>(params_.max_iter);
    param.linesearch = LBFGSpp::LBFGS_LINESEARCH_BACKTRACKING_STRONG_WOLFE;
    LBFGSpp::LBFGSSolver<double, LBFGSpp::LineSearchNocedalWright> solver(param);
    Eigen::VectorXd theta = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(d + 1));
    double value = 0;
    int iterations = 0;
    try {
      iterations = solver.minimize(loss, theta, value);
    } catch (const std::exception& e) {  // a line search that cannot improve in double precision
      if (loss.best().size() != theta.size())
        Fail(ErrorCode::kInternal, "logistic: L-BFGS failed: {}", e.what());
      ctx.logger().debug("logistic: L-BFGS stopped early ({}); keeping the best point found",
                         e.what());
      theta = loss.best();
    }
    ctx.logger().debug("logistic: L-BFGS took {} iterations", iterations);
    terms_.coef.assign(theta.data(), theta.data() + d);
    terms_.intercept = theta[static_cast<Eigen::Index>(d)];
  }

  void FitLiblinear(const Dataset& data, const double class_weights[2], uint64_t seed) {
    // liblinear has per-class weights only.
    if (!data.weights.empty()) {
      Fail(ErrorCode::kInvalidArgument,
           "logistic: solver liblinear does not take per-row weights; use solver=lbfgs or "
           "class_weight=balanced");
    }
    terms_ = TrainLiblinear("logistic", data.x, data.y, params_.penalty == "l1" ? L1R_LR : L2R_LR,
                            params_.c, params_.tol, class_weights, seed);
  }

  std::vector<double> PredictProba(const DenseMatrixView& x, const Context&) const override {
    CheckPredictInput(x);
    std::vector<double> out = terms_.Margins(x);
    for (double& z : out) z = 1.0 / (1.0 + std::exp(-z));
    return out;
  }
};

}  // namespace

ModelFactory<Classifier> LogisticFactory() {
  return FactoryOf<Classifier, LogisticClassifier, LogisticParams>();
}

}  // namespace prospect
