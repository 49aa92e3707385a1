// Type inference: a column's type guessed from sampled cells, and how an inferred type widens when
// later cells do not fit it. Private to src/io.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_set>

#include "io/cell_parse.hpp"
#include "prospect/table/types.hpp"

namespace prospect::io {

/// Infers a column's type from sampled non-null cells. Categorical: a string column whose
/// distinct values are at most half of its non-null sampled cells and at most 65536.
class TypeGuesser {
 public:
  /// `text_only`: only date, timestamp, categorical or string (JSON string values). `decimal`:
  /// the decimal separator of numbers. Numbers with a leading zero make a column text; blank
  /// cells (spaces only) are left out, as they load as null in a non-text column.
  explicit TypeGuesser(bool text_only = false, char decimal = '.');
  void Observe(std::string_view text);
  DataType Result() const;
  DateOrder order() const {
    return evidence_.first_over_12 ? DateOrder::kDayFirst : DateOrder::kMonthFirst;
  }
  size_t observed() const { return observed_; }

 private:
  bool maybe_bool_, maybe_int_, maybe_double_, maybe_date_ = true, maybe_timestamp_ = true;
  char decimal_;
  size_t observed_ = 0;
  size_t blank_ = 0;
  DateOrderEvidence evidence_;
  bool distinct_overflow_ = false;
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>()(text); }
  };
  std::unordered_set<std::string, TextHash, std::equal_to<>> distinct_;
};

/// Widens `a` to also hold `b` (inferred types only): string absorbs everything, double absorbs
/// int64, timestamp absorbs date.
DataType WidenType(DataType a, DataType b);

}  // namespace prospect::io
