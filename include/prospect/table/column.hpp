// Column: an immutable typed vector with a validity mask. Built by ColumnBuilder or the From*
// factories; shared between tables by shared_ptr<const Column>.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "prospect/common/large_buffer.hpp"
#include "prospect/table/types.hpp"

namespace prospect {

class Column;
using ColumnPtr = std::shared_ptr<const Column>;

/// A column's per-row vector: std::vector on huge pages from 2 MiB up (common/large_buffer.hpp),
/// since a column of a million rows is touched for the first time as it is read, and on virtual
/// machines those first touches were most of a load's time.
template <typename T>
using ColumnVector = LargeVector<T>;
/// A kString column's bytes, on the same memory.
using ColumnText = std::basic_string<char, std::char_traits<char>, LargeBufferAllocator<char>>;

/// The vectors behind a column. A column uses those of its type's storage and leaves the others
/// empty. One layout for Column, ColumnBuilder and the readers' per-chunk columns, which hand
/// their vectors to the From* factories without copying.
struct ColumnStorage {
  ColumnVector<uint8_t> valid;  ///< empty (no nulls) or one byte per row, 1 = valid
  ColumnVector<int64_t> ints;   ///< kInt64, kDate, kTimestamp
  ColumnVector<double> doubles;
  ColumnVector<uint8_t> bools;     ///< 0 or 1
  ColumnVector<uint64_t> offsets;  ///< kString: rows + 1 offsets into `bytes`
  ColumnText bytes;
  ColumnVector<int32_t> codes;  ///< kCategorical: index into `dictionary`, -1 for null
  std::vector<std::string> dictionary;

  /// Calls `fn` with the vector holding one value per row for `type` (ints, doubles, bools or
  /// codes); kString, stored as offsets and bytes, gets no call.
  template <typename Fn>
  void ForRowValues(DataType type, Fn&& fn) {
    switch (type) {
      case DataType::kInt64:
      case DataType::kDate:
      case DataType::kTimestamp: fn(ints); break;
      case DataType::kDouble: fn(doubles); break;
      case DataType::kBool: fn(bools); break;
      case DataType::kCategorical: fn(codes); break;
      case DataType::kString: break;
    }
  }
};

class Column {
 public:
  DataType type() const { return type_; }
  size_t size() const { return size_; }
  size_t null_count() const { return null_count_; }
  bool IsNull(size_t row) const { return !data_.valid.empty() && data_.valid[row] == 0; }
  /// Validity mask: empty when the column has no nulls, else one byte per row (1 = valid).
  std::span<const uint8_t> validity() const { return data_.valid; }

  /// kInt64, kDate, kTimestamp storage. Null slots hold 0.
  std::span<const int64_t> ints() const { return data_.ints; }
  /// kDouble storage. Null slots hold 0.0.
  std::span<const double> doubles() const { return data_.doubles; }
  /// kBool storage, 0 or 1. Null slots hold 0.
  std::span<const uint8_t> bools() const { return data_.bools; }
  /// kCategorical codes (index into dictionary(); -1 for null) and its dictionary.
  std::span<const int32_t> codes() const { return data_.codes; }
  const std::vector<std::string>& dictionary() const { return data_.dictionary; }
  /// Text of a kString or kCategorical cell ("" for null).
  std::string_view StringAt(size_t row) const;

  /// Numeric view of a cell for int64/double/bool/date/timestamp (NaN for null or strings).
  double NumericAt(size_t row) const;

  /// The cell as text in the canonical export form ("" for null): shortest round-trip
  /// doubles, "true"/"false", ISO dates and timestamps.
  std::string FormatValue(size_t row) const;
  void AppendFormatted(std::string& out, size_t row) const;
  /// The rows whose FormatValue is one of `values`, in order; nulls never match. Compares
  /// integers, text and dictionary codes directly rather than formatting every cell.
  std::vector<size_t> RowsWithValueIn(const std::unordered_set<std::string>& values) const;

  /// Rows `rows` of this column, in that order.
  ColumnPtr Take(std::span<const size_t> rows) const;
  /// A row index that stands for "no row": TakeOrNull gives a null there.
  static constexpr size_t kNoRow = static_cast<size_t>(-1);
  /// Take, where kNoRow gives a null (a lookup that found nothing).
  ColumnPtr TakeOrNull(std::span<const size_t> rows) const;

  // Factories take ownership of the vectors. `valid` may be empty (no nulls) or one byte per row.
  static ColumnPtr FromInts(DataType type, ColumnVector<int64_t> values,
                            ColumnVector<uint8_t> valid = {});
  static ColumnPtr FromDoubles(ColumnVector<double> values, ColumnVector<uint8_t> valid = {});
  static ColumnPtr FromBools(ColumnVector<uint8_t> values, ColumnVector<uint8_t> valid = {});
  static ColumnPtr FromStrings(ColumnVector<uint64_t> offsets, ColumnText bytes,
                               ColumnVector<uint8_t> valid = {});
  static ColumnPtr FromCategorical(ColumnVector<int32_t> codes,
                                   std::vector<std::string> dictionary);
  /// The column a reader filled `data` for: the factory of `type` over its vectors (categorical:
  /// codes and dictionary, nulls as code -1).
  static ColumnPtr FromStorage(DataType type, ColumnStorage data);
  /// Convenience for tests and small data: a kString column from a vector of strings.
  static ColumnPtr FromStringVector(const std::vector<std::string>& values,
                                    ColumnVector<uint8_t> valid = {});

  /// Re-encodes a kString column as kCategorical (or returns it unchanged if it is already).
  static ColumnPtr DictionaryEncode(const Column& column);

 private:
  friend class ColumnBuilder;
  Column() = default;
  void FinishValidity();
  /// What every factory ends with: a column of `type` and `size` rows over `data`.
  static ColumnPtr Adopt(DataType type, size_t size, ColumnStorage data);

  DataType type_ = DataType::kInt64;
  size_t size_ = 0;
  size_t null_count_ = 0;
  ColumnStorage data_;
};

/// Appends values one by one; Finish() yields the immutable Column.
class ColumnBuilder {
 public:
  explicit ColumnBuilder(DataType type);
  void Reserve(size_t rows);
  void AppendNull();
  void AppendInt(int64_t value);              // kInt64, kDate, kTimestamp
  void AppendDouble(double value);            // kDouble
  void AppendBool(bool value);                // kBool
  void AppendString(std::string_view value);  // kString, kCategorical
  size_t size() const { return size_; }
  DataType type() const { return type_; }
  ColumnPtr Finish();

 private:
  void MarkValid(bool valid);
  DataType type_;
  size_t size_ = 0;
  bool any_null_ = false;
  ColumnStorage data_;  // strings and categoricals are gathered as text (offsets, bytes)
};

}  // namespace prospect
