// Dense matrices for learning: DenseMatrix (owning) and DenseMatrixView (borrowed), both n × d,
// ROW-MAJOR, float64 — stated once here (as faiss does in Index.h) and used by every model.
// float64 because profiles, CART and the scikit-learn peers all work in float64.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/table/table.hpp"

namespace prospect {

/// A borrowed n × d row-major float64 matrix. Cheap to copy; the owner must outlive it.
class DenseMatrixView {
 public:
  DenseMatrixView() = default;
  /// data holds rows × cols values, row-major. Throws kInvalidArgument if data.size() differs.
  DenseMatrixView(std::span<const double> data, size_t rows, size_t cols);
  DenseMatrixView(const double* data, size_t rows, size_t cols)
      : data_(data), rows_(rows), cols_(cols) {}

  size_t rows() const { return rows_; }
  size_t cols() const { return cols_; }
  bool empty() const { return rows_ == 0; }
  const double* data() const { return data_; }
  const double* Row(size_t i) const { return data_ + i * cols_; }
  double operator()(size_t i, size_t j) const { return data_[i * cols_ + j]; }
  std::span<const double> values() const { return {data_, rows_ * cols_}; }

 private:
  const double* data_ = nullptr;
  size_t rows_ = 0;
  size_t cols_ = 0;
};

/// An owned n × d row-major float64 matrix.
class DenseMatrix {
 public:
  DenseMatrix() = default;
  DenseMatrix(size_t rows, size_t cols, double fill = 0.0)
      : rows_(rows), cols_(cols), data_(rows * cols, fill) {}
  /// Takes row-major values; throws kInvalidArgument if values.size() != rows * cols.
  DenseMatrix(std::vector<double> values, size_t rows, size_t cols);

  size_t rows() const { return rows_; }
  size_t cols() const { return cols_; }
  double* data() { return data_.data(); }
  const double* data() const { return data_.data(); }
  double* Row(size_t i) { return data_.data() + i * cols_; }
  const double* Row(size_t i) const { return data_.data() + i * cols_; }
  double& operator()(size_t i, size_t j) { return data_[i * cols_ + j]; }
  double operator()(size_t i, size_t j) const { return data_[i * cols_ + j]; }
  const std::vector<double>& values() const { return data_; }
  std::vector<double>& mutable_values() { return data_; }
  DenseMatrixView view() const { return DenseMatrixView(data_.data(), rows_, cols_); }
  operator DenseMatrixView() const { return view(); }  // NOLINT(google-explicit-constructor)

 private:
  size_t rows_ = 0;
  size_t cols_ = 0;
  std::vector<double> data_;
};

/// Rows `rows` of `x`, in that order.
DenseMatrix TakeRows(const DenseMatrixView& x, std::span<const size_t> rows);

/// How MatrixFromTable scales each column.
enum class Scaling { kNone, kStandard };

/// Per-column statistics of standard scaling: x' = (x − mean) / scale. scale is the population
/// standard deviation (ddof = 0, as sklearn's StandardScaler); a constant column gets scale 1.
struct ScalingStats {
  std::vector<std::string> columns;
  std::vector<double> mean;
  std::vector<double> scale;
};

/// Builds an n × d matrix from numeric columns (int64, double, bool, date, timestamp) of a table,
/// in the given order. Nulls are an error (kInvalidData, naming the column and the first null
/// row: impute first); string/categorical columns are kInvalidArgument. With kStandard, fills
/// `stats` (if given) so the same scaling can be applied later with ApplyScaling.
DenseMatrix MatrixFromTable(const Table& table, const std::vector<std::string>& columns,
                            Scaling scaling, ScalingStats* stats, const Context& ctx);

/// Applies fitted scaling in place; throws kInvalidArgument if the column count differs.
void ApplyScaling(DenseMatrix& matrix, const ScalingStats& stats);

/// Throws kInvalidData naming the first row and column that holds NaN or ±inf.
void CheckFinite(const DenseMatrixView& x, std::string_view what);

/// Squared Euclidean distance between two d-vectors.
double SquaredDistance(const double* a, const double* b, size_t d);

}  // namespace prospect
