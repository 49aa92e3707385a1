// DenseMatrix helpers: construction checks, matrices from Table columns with standard scaling,
// finiteness checks.
#include "prospect/linalg/dense.hpp"

#include <algorithm>
#include <cmath>

#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"

namespace prospect {

DenseMatrixView::DenseMatrixView(std::span<const double> data, size_t rows, size_t cols)
    : data_(data.data()), rows_(rows), cols_(cols) {
  if (data.size() != rows * cols) {
    Fail(ErrorCode::kInvalidArgument, "matrix view: {} values cannot be {} rows × {} columns",
         data.size(), rows, cols);
  }
}

DenseMatrix::DenseMatrix(std::vector<double> values, size_t rows, size_t cols)
    : rows_(rows), cols_(cols), data_(std::move(values)) {
  if (data_.size() != rows * cols) {
    Fail(ErrorCode::kInvalidArgument, "matrix: {} values cannot be {} rows × {} columns",
         data_.size(), rows, cols);
  }
}

DenseMatrix TakeRows(const DenseMatrixView& x, std::span<const size_t> rows) {
  DenseMatrix out(rows.size(), x.cols());
  for (size_t i = 0; i < rows.size(); ++i) std::copy_n(x.Row(rows[i]), x.cols(), out.Row(i));
  return out;
}

DenseMatrix MatrixFromTable(const Table& table, const std::vector<std::string>& columns,
                            Scaling scaling, ScalingStats* stats, const Context& ctx) {
  if (columns.empty())
    Fail(ErrorCode::kInvalidArgument, "no feature columns given: name at least one numeric column");
  const size_t n = table.num_rows();
  const size_t d = columns.size();
  DenseMatrix out(n, d);
  ScalingStats local;
  local.columns = columns;
  local.mean.assign(d, 0.0);
  local.scale.assign(d, 1.0);
  for (size_t j = 0; j < d; ++j) {
    const Column& col = table.column(columns[j]);  // throws kNotFound with suggestions
    if (IsStringLike(col.type())) {
      Fail(ErrorCode::kInvalidArgument,
           "column {} is {}, not numeric. Clustering needs numeric columns; encode it first "
           "(one-hot or "
           "frequency encoding) or leave it out of --features.",
           QuoteForMessage(columns[j]), DataTypeName(col.type()));
    }
    if (col.null_count() > 0) {
      size_t row = 0;
      while (row < n && !col.IsNull(row)) ++row;
      Fail(ErrorCode::kInvalidData,
           "column {} has {} missing values (first at row {}). Possible fix: impute them first "
           "(prospect "
           "quality) or leave the column out of --features.",
           QuoteForMessage(columns[j]), col.null_count(), row + 1);
    }
    for (size_t i = 0; i < n; ++i) out(i, j) = col.NumericAt(i);
  }
  CheckFinite(out.view(), "feature matrix");
  if (scaling == Scaling::kStandard && n > 0) {
    // Two-pass mean and variance per column (numerically stable enough for features).
#pragma omp parallel for num_threads(ctx.threads()) schedule(static)
    for (size_t j = 0; j < d; ++j) {
      double sum = 0;
      for (size_t i = 0; i < n; ++i) sum += out(i, j);
      const double mean = sum / static_cast<double>(n);
      double ss = 0;
      for (size_t i = 0; i < n; ++i) ss += (out(i, j) - mean) * (out(i, j) - mean);
      const double sd = std::sqrt(ss / static_cast<double>(n));
      local.mean[j] = mean;
      local.scale[j] = sd > 0 ? sd : 1.0;
    }
    ApplyScaling(out, local);
  }
  if (stats != nullptr) *stats = std::move(local);
  return out;
}

void ApplyScaling(DenseMatrix& matrix, const ScalingStats& stats) {
  const size_t d = matrix.cols();
  if (stats.mean.size() != d || stats.scale.size() != d) {
    Fail(ErrorCode::kInvalidArgument, "scaling was fitted on {} columns but the matrix has {}",
         stats.mean.size(), d);
  }
  for (size_t i = 0; i < matrix.rows(); ++i) {
    double* row = matrix.Row(i);
    for (size_t j = 0; j < d; ++j) row[j] = (row[j] - stats.mean[j]) / stats.scale[j];
  }
}

void CheckFinite(const DenseMatrixView& x, std::string_view what) {
  const size_t total = x.rows() * x.cols();
  const double* p = x.data();
  for (size_t k = 0; k < total; ++k) {
    if (!std::isfinite(p[k])) {
      Fail(ErrorCode::kInvalidData,
           "{} has a non-finite value ({}) at row {}, column {}. Possible fix: impute or drop "
           "missing and "
           "infinite values before clustering.",
           what, p[k], k / x.cols() + 1, k % x.cols() + 1);
    }
  }
}

double SquaredDistance(const double* a, const double* b, size_t d) {
  double s = 0;
  for (size_t j = 0; j < d; ++j) {
    const double t = a[j] - b[j];
    s += t * t;
  }
  return s;
}

}  // namespace prospect
