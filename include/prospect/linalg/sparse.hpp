// CsrMatrix: the one sparse matrix, rows × cols float64 in compressed sparse row form, laid out
// as scipy.sparse.csr_matrix (and implicit, which takes one) holds it: row i's entries are
// indices()[indptr()[i] .. indptr()[i + 1]), columns ascending, with their values(). User × item
// interactions and one-hot data use it; InteractionsFromTable is the one path from a Table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "prospect/linalg/dense.hpp"
#include "prospect/table/table.hpp"

namespace prospect {

class CsrMatrix {
 public:
  /// One (row, column, value) entry for FromTriplets.
  struct Triplet {
    size_t row = 0;
    size_t col = 0;
    double value = 0;
  };

  CsrMatrix() = default;
  /// Builds the matrix from entries in any order; entries at the same (row, column) are summed,
  /// as scipy's coo_matrix → csr_matrix does. Throws kInvalidArgument naming an entry outside
  /// rows × cols.
  static CsrMatrix FromTriplets(size_t rows, size_t cols, std::span<const Triplet> entries);

  /// The matrix from its three arrays as indptr(), indices() and values() give them (a saved
  /// matrix read back). Throws kInvalidData unless they form a valid rows × cols matrix: indptr
  /// rising from 0 to the entry count, columns inside cols and ascending in each row, finite
  /// values.
  static CsrMatrix FromArrays(size_t rows, size_t cols, std::vector<int64_t> indptr,
                              std::vector<int32_t> indices, std::vector<double> values);

  size_t rows() const { return rows_; }
  size_t cols() const { return cols_; }
  size_t nnz() const { return values_.size(); }
  std::span<const int64_t> indptr() const { return indptr_; }
  std::span<const int32_t> indices() const { return indices_; }
  std::span<const double> values() const { return values_; }
  /// Row i's column indices (ascending) and their values.
  std::span<const int32_t> RowIndices(size_t i) const;
  std::span<const double> RowValues(size_t i) const;

  /// cols × rows: the item × user matrix of a user × item one.
  CsrMatrix Transpose() const;
  DenseMatrix ToDense() const;

 private:
  size_t rows_ = 0;
  size_t cols_ = 0;
  std::vector<int64_t> indptr_{0};
  std::vector<int32_t> indices_;
  std::vector<double> values_;
};

/// A user × item matrix and the ids its rows and columns stand for.
struct InteractionMatrix {
  CsrMatrix matrix;
  std::vector<std::string> row_ids;  ///< row i is row_ids[i] (order of first appearance)
  std::vector<std::string> col_ids;  ///< column j is col_ids[j] (order of first appearance)
};

/// Ids told apart by their text (as Column::FormatValue writes it) and numbered 0, 1, … in order
/// of first appearance, as pandas.factorize does: the one numbering of users and items, shared by
/// InteractionsFromTable, the recommenders' matrices and the interaction splits.
struct IdNumbers {
  std::vector<size_t> of_row;    ///< the number of each numbered row, in the rows' order
  std::vector<std::string> ids;  ///< ids[k]: the text of number k
};
/// Numbers every row of `ids`. A null id is kInvalidData "<what>: column <name> is empty at row
/// R" (1-based).
IdNumbers NumberIds(const Column& ids, std::string_view name, std::string_view what);
/// Numbers the rows `rows` of `ids` only (of_row[k] is row rows[k]'s number).
IdNumbers NumberIds(const Column& ids, std::span<const size_t> rows, std::string_view name,
                    std::string_view what);

/// One entry per table row: row id from `row_column`, column id from `col_column` (ids as their
/// text, numbered in order of first appearance as pandas.factorize does), value from the number or
/// bool `value_column`, or 1 when it is empty (implicit feedback: counts). Repeated pairs are
/// summed. A null id or value is kInvalidData naming the column and the row (1-based); a missing
/// column is kNotFound, a value column of another type kInvalidArgument, each naming the column.
InteractionMatrix InteractionsFromTable(const Table& table, const std::string& row_column,
                                        const std::string& col_column,
                                        const std::string& value_column = "");

}  // namespace prospect
