// "linear": ridge regression, min ‖y − Xβ − b‖² + α‖β‖² with the intercept b not penalised (as
// sklearn's Ridge): features and target are centred (weighted), then the normal equations
// (XᵀWX + αI)β = XᵀW y are solved by Cholesky (LDLᵀ) in Eigen; α = 0 is ordinary least squares
// through a complete orthogonal decomposition (the minimum-norm solution when X is rank-deficient).
#include <Eigen/Dense>
#include <cmath>

#include "models/linear_terms.hpp"
#include "models/regress/families.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/params.hpp"

namespace prospect {
namespace {

struct LinearParams {
  double alpha = 1.0;

  static const ParamSchema<LinearParams>& Schema() {
    static const ParamSchema<LinearParams> schema(
        "linear", {{"alpha", &LinearParams::alpha,
                    "L2 penalty on the coefficients (0 = ordinary least squares)", 0, 1e12}});
    return schema;
  }
};

class LinearRegressor final : public LinearModel<Regressor, LinearParams> {
 public:
  using LinearModel::LinearModel;

  void FitChecked(const Dataset& data, const Context& ctx) override {
    const size_t n = data.x.rows(), d = data.x.cols();
    using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Eigen::Map<const RowMatrix> x(data.x.values().data(), static_cast<Eigen::Index>(n),
                                        static_cast<Eigen::Index>(d));
    const Eigen::Map<const Eigen::VectorXd> y(data.y.data(), static_cast<Eigen::Index>(n));
    Eigen::VectorXd w = Eigen::VectorXd::Ones(static_cast<Eigen::Index>(n));
    if (!data.weights.empty())
      w = Eigen::Map<const Eigen::VectorXd>(data.weights.data(), static_cast<Eigen::Index>(n));
    const double total = w.sum();
    if (!(total > 0)) Fail(ErrorCode::kInvalidData, "linear: the row weights sum to {}", total);
    const Eigen::RowVectorXd x_mean = (w.transpose() * x) / total;
    const double y_mean = w.dot(y) / total;
    const RowMatrix xc = x.rowwise() - x_mean;
    const Eigen::VectorXd sw = w.array().sqrt();
    const RowMatrix xs = xc.array().colwise() * sw.array();
    const Eigen::VectorXd ys = (y.array() - y_mean) * sw.array();
    ctx.ThrowIfCancelled();
    Eigen::VectorXd beta;
    if (params_.alpha > 0) {
      Eigen::MatrixXd gram = xs.transpose() * xs;
      gram.diagonal().array() += params_.alpha;
      beta = gram.ldlt().solve(xs.transpose() * ys);
    } else {
      beta = Eigen::MatrixXd(xs).completeOrthogonalDecomposition().solve(ys);
    }
    terms_.coef.assign(beta.data(), beta.data() + d);
    terms_.intercept = y_mean - x_mean.dot(beta);
    for (double c : terms_.coef) {
      if (!std::isfinite(c))
        Fail(ErrorCode::kInvalidData,
             "linear: the least-squares solution is not finite; raise alpha");
    }
  }

  std::vector<double> Predict(const DenseMatrixView& x, const Context&) const override {
    CheckPredictInput(x);
    return terms_.Margins(x);
  }
};

}  // namespace

ModelFactory<Regressor> LinearRegressorFactory() {
  return FactoryOf<Regressor, LinearRegressor, LinearParams>();
}

}  // namespace prospect
