// CsrMatrix built with Eigen's triplet assembly (sorting and summing duplicates), then held in
// the scipy layout so callers and the public header need no Eigen.
#include "prospect/linalg/sparse.hpp"

#include <Eigen/SparseCore>
#include <algorithm>
#include <cmath>
#include <functional>
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

CsrMatrix CsrMatrix::FromArrays(size_t rows, size_t cols, std::vector<int64_t> indptr,
                                std::vector<int32_t> indices, std::vector<double> values) {
  const size_t nnz = indices.size();
  if (indptr.size() != rows + 1 || indptr.front() != 0 ||
      indptr.back() != static_cast<int64_t>(nnz) || values.size() != nnz) {
    Fail(ErrorCode::kInvalidData,
         "sparse matrix: {} row offsets, {} columns and {} values do not form {} rows",
         indptr.size(), nnz, values.size(), rows);
  }
  for (size_t i = 0; i < rows; ++i) {
    if (indptr[i + 1] < indptr[i])
      Fail(ErrorCode::kInvalidData, "sparse matrix: row {} ends before it starts", i);
    for (auto k = static_cast<size_t>(indptr[i]); k < static_cast<size_t>(indptr[i + 1]); ++k) {
      if (indices[k] < 0 || static_cast<size_t>(indices[k]) >= cols ||
          (k > static_cast<size_t>(indptr[i]) && indices[k] <= indices[k - 1])) {
        Fail(ErrorCode::kInvalidData,
             "sparse matrix: row {} names column {} (of {}), out of range or out of order", i,
             indices[k], cols);
      }
      if (!std::isfinite(values[k]))
        Fail(ErrorCode::kInvalidData, "sparse matrix: row {} holds {}", i, values[k]);
    }
  }
  CsrMatrix out;
  out.rows_ = rows;
  out.cols_ = cols;
  out.indptr_ = std::move(indptr);
  out.indices_ = std::move(indices);
  out.values_ = std::move(values);
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

struct TextHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Numbers row_at(0 .. n-1) of `ids`. Text columns are looked up in place; other types are
// formatted into one reused buffer, so a row costs no allocation unless its id is new.
template <typename RowAt>
IdNumbers Number(const Column& ids, size_t n, RowAt row_at, std::string_view name,
                 std::string_view what) {
  IdNumbers out;
  out.of_row.resize(n);
  std::unordered_map<std::string, size_t, TextHash, std::equal_to<>> number_of;
  std::string scratch;
  const bool text_column = IsStringLike(ids.type());
  for (size_t k = 0; k < n; ++k) {
    const size_t r = row_at(k);
    if (ids.IsNull(r))
      Fail(ErrorCode::kInvalidData, "{}: column {} is empty at row {}", what, name, r + 1);
    std::string_view text;
    if (text_column) {
      text = ids.StringAt(r);
    } else {
      scratch.clear();
      ids.AppendFormatted(scratch, r);
      text = scratch;
    }
    auto it = number_of.find(text);
    if (it == number_of.end()) {
      it = number_of.emplace(std::string(text), out.ids.size()).first;
      out.ids.emplace_back(text);
    }
    out.of_row[k] = it->second;
  }
  return out;
}

}  // namespace

IdNumbers NumberIds(const Column& ids, std::string_view name, std::string_view what) {
  return Number(
      ids, ids.size(), [](size_t k) { return k; }, name, what);
}

IdNumbers NumberIds(const Column& ids, std::span<const size_t> rows, std::string_view name,
                    std::string_view what) {
  for (const size_t r : rows) PROSPECT_CHECK(r < ids.size());
  return Number(
      ids, rows.size(), [&](size_t k) { return rows[k]; }, name, what);
}

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
  IdNumbers rows = NumberIds(table.column(row_column), row_column, "interactions");
  IdNumbers cols = NumberIds(table.column(col_column), col_column, "interactions");
  out.row_ids = std::move(rows.ids);
  out.col_ids = std::move(cols.ids);
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
    entries[r] = {rows.of_row[r], cols.of_row[r], v};
  }
  out.matrix = CsrMatrix::FromTriplets(out.row_ids.size(), out.col_ids.size(), entries);
  return out;
}

}  // namespace prospect
