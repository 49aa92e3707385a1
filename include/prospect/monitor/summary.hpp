// ColumnSummary: what drift statistics need of one column, built a chunk at a time and merged,
// so comparing two tables costs one pass over each and memory that grows with the number of
// distinct values, not rows. Numbers keep their sorted distinct values with counts; categories
// (text, dictionary codes, booleans) their sorted distinct texts with counts.
//
// Exact while a numeric column has at most kExactLimit distinct values: every statistic computed
// from it then equals the one computed from the raw rows. Past that the summary becomes a sketch:
// each value is rounded to kSketchBits significant bits (a relative error of at most 2^-12),
// which bounds its size by the number of binades the data spans, and stays mergeable.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "prospect/table/column.hpp"

namespace prospect::monitor {

/// How a column is compared: as numbers or as categories (Evidently's "num" and "cat").
enum class ValueKind { kNumeric, kCategorical };
std::string_view ValueKindName(ValueKind kind);

/// kNumeric for int64 and double columns, kCategorical for text, categorical and bool; nullopt
/// for dates and timestamps, which drift by construction as time passes.
std::optional<ValueKind> ValueKindOf(DataType type);

class ColumnSummary {
 public:
  static constexpr size_t kExactLimit = size_t{1} << 16;
  static constexpr int kSketchBits = 12;

  ColumnSummary() = default;
  explicit ColumnSummary(ValueKind kind) : kind_(kind) {}

  /// The summary of `column`'s values; nulls and non-finite numbers are counted in missing().
  /// kInvalidArgument for a date or timestamp column.
  static ColumnSummary Of(const Column& column);
  /// Adds `other`'s values (same kind; kInternal otherwise).
  void Merge(const ColumnSummary& other);

  ValueKind kind() const { return kind_; }
  /// Values summarised (nulls and non-finite numbers left out).
  int64_t count() const { return count_; }
  int64_t missing() const { return missing_; }
  /// False once the values were rounded to kSketchBits bits.
  bool exact() const { return exact_; }
  size_t distinct() const { return counts_.size(); }

  /// kNumeric: the sorted distinct values; counts() holds how often each occurs.
  std::span<const double> values() const { return values_; }
  /// kCategorical: the sorted distinct texts (booleans as "false" and "true").
  const std::vector<std::string>& categories() const { return categories_; }
  std::span<const int64_t> counts() const { return counts_; }

  /// kNumeric: mean and population standard deviation (numpy's np.std, ddof 0).
  double Mean() const;
  double StdDev() const;

 private:
  void RoundToSketch();

  ValueKind kind_ = ValueKind::kNumeric;
  int64_t count_ = 0;
  int64_t missing_ = 0;
  bool exact_ = true;
  std::vector<double> values_;
  std::vector<std::string> categories_;
  std::vector<int64_t> counts_;
};

/// `value` rounded to `bits` significant bits (ties away from zero); zero, infinities and NaN
/// unchanged.
double RoundToSignificantBits(double value, int bits);

}  // namespace prospect::monitor
