// Eigen interop (private: Eigen3::Eigen is linked PRIVATE, so only library sources include this).
// Views map DenseMatrix storage without copying.
#pragma once

#include <Eigen/Dense>

#include "prospect/linalg/dense.hpp"

namespace prospect {

using EigenRowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// A read-only Eigen map over a row-major view (no copy).
inline Eigen::Map<const EigenRowMatrix> AsEigen(const DenseMatrixView& x) {
  return Eigen::Map<const EigenRowMatrix>(x.data(), static_cast<Eigen::Index>(x.rows()),
                                          static_cast<Eigen::Index>(x.cols()));
}
inline Eigen::Map<EigenRowMatrix> AsEigen(DenseMatrix& x) {
  return Eigen::Map<EigenRowMatrix>(x.data(), static_cast<Eigen::Index>(x.rows()),
                                    static_cast<Eigen::Index>(x.cols()));
}
/// Copies any Eigen matrix expression into a DenseMatrix.
template <typename Derived>
DenseMatrix ToDense(const Eigen::MatrixBase<Derived>& m) {
  DenseMatrix out(static_cast<size_t>(m.rows()), static_cast<size_t>(m.cols()));
  AsEigen(out) = m;
  return out;
}

}  // namespace prospect
