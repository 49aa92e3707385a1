// CsrMatrix built with Eigen's triplet assembly (sorting and summing duplicates), then held in
// the scipy layout so callers and the public header need no Eigen.
#include "prospect/linalg/sparse.hpp"

#include <Eigen/SparseCore>
#include <algorithm>
#include <limits>
#include <unordered_map>

#include "prospect/common/error.hpp"

namespace prospect {

CsrMatrix CsrMatrix::FromTriplets(size_t rows, size_t cols, std::span<const Triplet> entries) {
  constexpr size_t kMaxIndex = static_cast<size_t>(std::numeric_limits<int32_t>::max());
  if (rows > kMaxIndex || cols > kMaxIndex) {
    Fail(ErrorCode::kInvalidArgument,
         "sparse matrix: {} × {} is larger than the {} rows or columns it can index", rows, cols,
         kMaxIndex);
  }
  std::vector<Eigen::Triplet<double, int64_t>> triplets;
  triplets.reserve(entries.size());
  for (size_t k = 0; k < entries.size(); ++k) {
    const Triplet& t = entries[k];
    if (t.row >= rows || t.col >= cols) {
      Fail(ErrorCode::kInvalidArgument,
           "sparse matrix: entry {} is at ({}, {}), outside {} rows × {} columns", k, t.row, t.col,
           rows, cols);
    }
    triplets.emplace_back(static_cast<int64_t>(t.row), static_cast<int64_t>(t.col), t.value);
  }
  Eigen::SparseMatrix<double, Eigen::RowMajor, int64_t> m(static_cast<int64_t>(rows),
                                                          static_cast<int64_t>(cols));
  m.setFromTriplets(triplets.begin(), triplets.end());  // sums duplicates, sorts each row's columns
  m.makeCompressed();
  CsrMatrix out;
  out.rows_ = rows;
  out.cols_ = cols;
  out.indptr_.assign(m.outerIndexPtr(), m.outerIndexPtr() + rows + 1);
  out.indices_.resize(static_cast<size_t>(m.nonZeros()));
  std::transform(m.innerIndexPtr(), m.innerIndexPtr() + m.nonZeros(), out.indices_.begin(),
                 [](int64_t j) { return static_cast<int32_t>(j); });
  out.values_.assign(m.valuePtr(), m.valuePtr() + m.nonZeros());
  return out;
}

std::span<const int32_t> CsrMatrix::RowIndices(size_t i) const {
  const auto b = static_cast<size_t>(indptr_[i]), e = static_cast<size_t>(indptr_[i + 1]);
  return std::span<const int32_t>(indices_).subspan(b, e - b);
}

std::span<const double> CsrMatrix::RowValues(size_t i) const {
  const auto b = static_cast<size_t>(indptr_[i]), e = static_cast<size_t>(indptr_[i + 1]);
  return std::span<const double>(values_).subspan(b, e - b);
}

CsrMatrix CsrMatrix::Transpose() const {
  std::vector<Triplet> entries;
  entries.reserve(nnz());
  for (size_t i = 0; i < rows_; ++i) {
    const auto cols = RowIndices(i);
    const auto vals = RowValues(i);
    for (size_t k = 0; k < cols.size(); ++k)
      entries.push_back({static_cast<size_t>(cols[k]), i, vals[k]});
  }
  return FromTriplets(cols_, rows_, entries);
}

DenseMatrix CsrMatrix::ToDense() const {
  DenseMatrix out(rows_, cols_);
  for (size_t i = 0; i < rows_; ++i) {
    const auto cols = RowIndices(i);
    const auto vals = RowValues(i);
    for (size_t k = 0; k < cols.size(); ++k) out(i, static_cast<size_t>(cols[k])) = vals[k];
  }
  return out;
}

namespace {

// Numbers ids in order of first appearance. A null id is an error naming the column and row.
std::vector<size_t> Factorize(const Column& ids, const std::string& name,
                              std::vector<std::string>& labels) {
  std::unordered_map<std::string, size_t> code;
  std::vector<size_t> out(ids.size());
  for (size_t r = 0; r < ids.size(); ++r) {
    if (ids.IsNull(r))
      Fail(ErrorCode::kInvalidData, "interactions: column {} is empty at row {}", name, r + 1);
    auto [it, inserted] = code.emplace(ids.FormatValue(r), labels.size());
    if (inserted) labels.push_back(it->first);
    out[r] = it->second;
  }
  return out;
}

}  // namespace

InteractionMatrix InteractionsFromTable(const Table& table, const std::string& row_column,
                                        const std::string& col_column,
                                        const std::string& value_column) {
  const Column* values = nullptr;
  if (!value_column.empty()) {
    values = &table.column(value_column);
    if (!IsNumeric(values->type()) && values->type() != DataType::kBool) {
      Fail(ErrorCode::kInvalidArgument,
           "interactions: value column {} is {}; expected a number or bool column", value_column,
           DataTypeName(values->type()));
    }
  }
  InteractionMatrix out;
  const std::vector<size_t> rows = Factorize(table.column(row_column), row_column, out.row_ids);
  const std::vector<size_t> cols = Factorize(table.column(col_column), col_column, out.col_ids);
  std::vector<CsrMatrix::Triplet> entries(table.num_rows());
  for (size_t r = 0; r < entries.size(); ++r) {
    double v = 1;
    if (values) {
      if (values->IsNull(r)) {
        Fail(ErrorCode::kInvalidData, "interactions: column {} is empty at row {}", value_column,
             r + 1);
      }
      v = values->NumericAt(r);
    }
    entries[r] = {rows[r], cols[r], v};
  }
  out.matrix = CsrMatrix::FromTriplets(out.row_ids.size(), out.col_ids.size(), entries);
  return out;
}

}  // namespace prospect
