// Column: an immutable typed vector with a validity mask. Built by ColumnBuilder or the From*
// factories; shared between tables by shared_ptr<const Column>.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "prospect/table/types.hpp"

namespace prospect {

class Column;
using ColumnPtr = std::shared_ptr<const Column>;

class Column {
 public:
  DataType type() const { return type_; }
  size_t size() const { return size_; }
  size_t null_count() const { return null_count_; }
  bool IsNull(size_t row) const { return !valid_.empty() && valid_[row] == 0; }
  /// Validity mask: empty when the column has no nulls, else one byte per row (1 = valid).
  std::span<const uint8_t> validity() const { return valid_; }

  /// kInt64, kDate, kTimestamp storage. Null slots hold 0.
  std::span<const int64_t> ints() const { return ints_; }
  /// kDouble storage. Null slots hold 0.0.
  std::span<const double> doubles() const { return doubles_; }
  /// kBool storage, 0 or 1. Null slots hold 0.
  std::span<const uint8_t> bools() const { return bools_; }
  /// kCategorical codes (index into dictionary(); -1 for null) and its dictionary.
  std::span<const int32_t> codes() const { return codes_; }
  const std::vector<std::string>& dictionary() const { return dictionary_; }
  /// Text of a kString or kCategorical cell ("" for null).
  std::string_view StringAt(size_t row) const;

  /// Numeric view of a cell for int64/double/bool/date/timestamp (NaN for null or strings).
  double NumericAt(size_t row) const;

  /// The cell as text in the canonical export form ("" for null): shortest round-trip
  /// doubles, "true"/"false", ISO dates and timestamps.
  std::string FormatValue(size_t row) const;
  void AppendFormatted(std::string& out, size_t row) const;

  /// Rows `rows` of this column, in that order.
  ColumnPtr Take(std::span<const size_t> rows) const;

  // Factories take ownership of the vectors. `valid` may be empty (no nulls) or one byte per row.
  static ColumnPtr FromInts(DataType type, std::vector<int64_t> values, std::vector<uint8_t> valid = {});
  static ColumnPtr FromDoubles(std::vector<double> values, std::vector<uint8_t> valid = {});
  static ColumnPtr FromBools(std::vector<uint8_t> values, std::vector<uint8_t> valid = {});
  static ColumnPtr FromStrings(std::vector<uint64_t> offsets, std::string bytes, std::vector<uint8_t> valid = {});
  static ColumnPtr FromCategorical(std::vector<int32_t> codes, std::vector<std::string> dictionary);
  /// Convenience for tests and small data: a kString column from a vector of strings.
  static ColumnPtr FromStringVector(const std::vector<std::string>& values, std::vector<uint8_t> valid = {});

  /// Re-encodes a kString column as kCategorical (or returns it unchanged if it is already).
  static ColumnPtr DictionaryEncode(const Column& column);

 private:
  friend class ColumnBuilder;
  Column() = default;
  void FinishValidity();

  DataType type_ = DataType::kInt64;
  size_t size_ = 0;
  size_t null_count_ = 0;
  std::vector<uint8_t> valid_;
  std::vector<int64_t> ints_;
  std::vector<double> doubles_;
  std::vector<uint8_t> bools_;
  std::vector<uint64_t> offsets_;
  std::string bytes_;
  std::vector<int32_t> codes_;
  std::vector<std::string> dictionary_;
};

/// Appends values one by one; Finish() yields the immutable Column.
class ColumnBuilder {
 public:
  explicit ColumnBuilder(DataType type);
  void Reserve(size_t rows);
  void AppendNull();
  void AppendInt(int64_t value);        // kInt64, kDate, kTimestamp
  void AppendDouble(double value);      // kDouble
  void AppendBool(bool value);          // kBool
  void AppendString(std::string_view value);  // kString, kCategorical
  size_t size() const { return size_; }
  DataType type() const { return type_; }
  ColumnPtr Finish();

 private:
  void MarkValid(bool valid);
  DataType type_;
  size_t size_ = 0;
  bool any_null_ = false;
  std::vector<uint8_t> valid_;
  std::vector<int64_t> ints_;
  std::vector<double> doubles_;
  std::vector<uint8_t> bools_;
  std::vector<uint64_t> offsets_{0};
  std::string bytes_;
};

}  // namespace prospect
