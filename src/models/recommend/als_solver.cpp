// Implicit ALS's least squares (see als_solver.hpp).
#include "models/recommend/als_solver.hpp"

namespace prospect::als {
namespace {

using Vector = Eigen::VectorXd;
using ConstRow = Eigen::Map<const Eigen::VectorXf>;

ConstRow RowOf(std::span<const float> y, size_t f, int32_t i) {
  return ConstRow(y.data() + static_cast<size_t>(i) * f, static_cast<Eigen::Index>(f));
}

double Confidence(std::span<const double> weights, size_t k, double alpha) {
  return 1 + alpha * weights[k];
}

}  // namespace

Gram GramOf(std::span<const float> y, size_t rows, size_t f, double regularization) {
  const Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> m(
      y.data(), static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(f));
  Gram gram = (m.transpose() * m).cast<double>();
  gram.diagonal().array() += regularization;
  return gram;
}

namespace {

// A = YᵀY + λI + Σₖ (cₖ − 1) yₖyₖᵀ (lower triangle) and b = Σₖ cₖ yₖ of one history.
void BuildSystem(std::span<const float> y, size_t f, const Gram& gram,
                 std::span<const int32_t> items, std::span<const double> weights, double alpha,
                 Gram* a, Vector* b) {
  *a = gram;
  *b = Vector::Zero(static_cast<Eigen::Index>(f));
  Vector yi(static_cast<Eigen::Index>(f));  // one buffer: no allocation per item
  for (size_t k = 0; k < items.size(); ++k) {
    const double c = Confidence(weights, k, alpha);
    yi = RowOf(y, f, items[k]).cast<double>();
    a->selfadjointView<Eigen::Lower>().rankUpdate(yi, c - 1);
    *b += c * yi;
  }
}

}  // namespace

void SolveExact(std::span<const float> y, size_t f, const Gram& gram,
                std::span<const int32_t> items, std::span<const double> weights, double alpha,
                float* x) {
  Gram a;
  Vector b;
  BuildSystem(y, f, gram, items, weights, alpha, &a, &b);
  const Vector solution = a.selfadjointView<Eigen::Lower>().llt().solve(b);
  for (size_t j = 0; j < f; ++j) x[j] = static_cast<float>(solution[static_cast<Eigen::Index>(j)]);
}

std::vector<double> Contributions(std::span<const float> y, size_t f, const Gram& gram,
                                  std::span<const int32_t> items, std::span<const double> weights,
                                  double alpha, int32_t target) {
  Gram a;
  Vector b;
  BuildSystem(y, f, gram, items, weights, alpha, &a, &b);
  // W y_target, once; then one dot per history item.
  const Vector w_target =
      a.selfadjointView<Eigen::Lower>().llt().solve(Vector(RowOf(y, f, target).cast<double>()));
  std::vector<double> out(items.size());
  for (size_t k = 0; k < items.size(); ++k)
    out[k] = Confidence(weights, k, alpha) * w_target.dot(RowOf(y, f, items[k]).cast<double>());
  return out;
}

void SolveCg(std::span<const float> y, size_t f, const Eigen::MatrixXf& gram,
             std::span<const int32_t> items, std::span<const double> weights, double alpha,
             int steps, float* x) {
  using VectorF = Eigen::VectorXf;
  const auto n = static_cast<Eigen::Index>(f);
  Eigen::Map<VectorF> xv(x, n);
  // r = b − A x
  VectorF r = -gram * xv;
  for (size_t k = 0; k < items.size(); ++k) {
    const auto c = static_cast<float>(Confidence(weights, k, alpha));
    const ConstRow yi = RowOf(y, f, items[k]);
    r.noalias() += (c - (c - 1) * yi.dot(xv)) * yi;
  }
  VectorF p = r, ap(n);
  float rs_old = r.squaredNorm();
  for (int step = 0; step < steps && rs_old > 1e-20f; ++step) {
    ap.noalias() = gram * p;
    for (size_t k = 0; k < items.size(); ++k) {
      const auto c = static_cast<float>(Confidence(weights, k, alpha));
      const ConstRow yi = RowOf(y, f, items[k]);
      ap.noalias() += ((c - 1) * yi.dot(p)) * yi;
    }
    const float step_size = rs_old / p.dot(ap);
    xv += step_size * p;
    r -= step_size * ap;
    const float rs_new = r.squaredNorm();
    p = r + (rs_new / rs_old) * p;
    rs_old = rs_new;
  }
}

double Loss(const float* x, const float* y, size_t users, size_t items, size_t f,
            std::span<const int64_t> indptr, std::span<const int32_t> indices,
            std::span<const double> weights, double alpha, double regularization) {
  using Rows =
      Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
  const Rows xm(x, static_cast<Eigen::Index>(users), static_cast<Eigen::Index>(f));
  const Rows ym(y, static_cast<Eigen::Index>(items), static_cast<Eigen::Index>(f));
  const Eigen::MatrixXf yty = ym.transpose() * ym;
  Eigen::VectorXf projected(static_cast<Eigen::Index>(f));
  double loss = 0;
  for (size_t u = 0; u < users; ++u) {
    const auto xu = xm.row(static_cast<Eigen::Index>(u));
    // Every pair as if unobserved (c = 1, p = 0), then the observed pairs corrected. Products in
    // float, sums in double.
    projected.noalias() = yty * xu.transpose();
    loss += xu.dot(projected.transpose());
    for (auto k = static_cast<size_t>(indptr[u]); k < static_cast<size_t>(indptr[u + 1]); ++k) {
      const double c = 1 + alpha * weights[k];
      const double s = xu.dot(ym.row(indices[k]));
      loss += c * (1 - s) * (1 - s) - s * s;
    }
  }
  return loss +
         regularization * (xm.cast<double>().squaredNorm() + ym.cast<double>().squaredNorm());
}

}  // namespace prospect::als
