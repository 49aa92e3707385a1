// Data-quality profile of a Table: per-column missingness, distinct counts, ranges, moments,
// quantiles, outliers, top categories, histograms; duplicate rows and keys; and findings in plain
// words (sentinels, mostly-numeric text, inconsistent spellings). Definitions:
// docs/user/quality.md.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/common/quantile.hpp"
#include "prospect/store/store.hpp"
#include "prospect/table/table.hpp"

namespace prospect {

/// Quantile levels reported for numeric columns (p1, p5, p25, p50, p75, p95, p99).
inline constexpr std::array<double, 7> kQualityQuantileLevels = {0.01, 0.05, 0.25, 0.5,
                                                                 0.75, 0.95, 0.99};

/// Equal-width histogram: counts[i] holds values in [edges[i], edges[i+1]) (the last bin is
/// closed). edges.size() == counts.size() + 1. A long tail is left out of the bins (see
/// ComputeHistogram) and counted in `below` / `above`, so the bulk of the data stays readable.
struct Histogram {
  std::vector<double> edges;
  std::vector<int64_t> counts;
  std::string rule;   ///< "freedman-diaconis", "sqrt", "integer" or "single"
  int64_t below = 0;  ///< values below edges.front() (a clipped lower tail)
  int64_t above = 0;  ///< values above edges.back() (a clipped upper tail)
};

/// Bins for ascending finite `sorted` values. Bin width by the Freedman–Diaconis rule
/// (2·IQR·n^(−1/3)); when IQR is 0 the square-root rule (⌈√n⌉ bins); the bin count is clamped to
/// [1, max_bins]. Integer-valued data whose range fits in max_bins gets one bin per integer
/// (rule "integer"); a constant column gets one bin ("single"). Empty input gives no bins.
/// Long tails are clipped (at least 100 values): when the values above the 99th percentile reach
/// further beyond it than the whole p1–p99 range is wide, the bins end at p99 and `above` counts
/// the rest; the same below p1 (never for whole numbers that get a bin each). Without that, one
/// extreme value puts every other value in the first bin.
Histogram ComputeHistogram(std::span<const double> sorted, bool integer_valued,
                           size_t max_bins = 50);

/// Statistics of the finite non-null values of an int64 or double column. Mean and standard
/// deviation follow pandas: std is the sample standard deviation (ddof = 1, NaN when count < 2).
struct NumericStats {
  int64_t count = 0;  ///< finite non-null values
  double min = 0, max = 0, mean = 0, std = 0;
  std::array<double, kQualityQuantileLevels.size()> quantiles{};  ///< at kQualityQuantileLevels
  double iqr_lower = 0, iqr_upper = 0;  ///< fences Q1 − 1.5·IQR and Q3 + 1.5·IQR
  int64_t iqr_outliers = 0;             ///< values strictly outside the fences
  int64_t z_outliers = 0;  ///< values with |x − mean| / std > 3 (0 when std is 0 or NaN)
  int64_t infinite = 0;    ///< ±inf cells (excluded from every statistic above)
  int64_t zeros = 0;
  int64_t negatives = 0;
  Histogram histogram;
};

/// A value and how many cells hold it.
struct ValueCount {
  std::string value;
  int64_t count = 0;
};

/// The profile of one column.
struct ColumnQuality {
  std::string name;
  DataType type = DataType::kInt64;
  int64_t count = 0;                    ///< non-null cells (NaN counts as missing, as in pandas)
  int64_t missing = 0;                  ///< null cells
  double missing_pct = 0;               ///< 100 · missing / rows (0 for an empty table)
  int64_t distinct = 0;                 ///< distinct non-null values
  std::optional<NumericStats> numeric;  ///< int64 and double columns
  std::string min_text, max_text;       ///< date and timestamp columns: ISO range
  std::vector<ValueCount> top;  ///< string, categorical, bool: most frequent first (ties by value)
};

/// One thing worth a person's attention, with a suggested fix.
struct Finding {
  std::string kind;        ///< missing, constant, duplicate_rows, duplicate_keys, sentinel,
                           ///< mostly_numeric, inconsistent_spelling, outliers, infinite
  std::string severity;    ///< "warning" or "info"
  std::string column;      ///< empty for table-wide findings
  std::string message;     ///< one sentence in plain words
  std::string suggestion;  ///< what to do, naming the exact option or config step ("" if none)
  nlohmann::json details;  ///< machine-readable facts behind the message
};

/// Everything `prospect quality TABLE` reports.
struct QualityReport {
  std::string table;
  int64_t rows = 0;
  int64_t duplicate_rows = 0;      ///< rows equal in every column to an earlier row (nulls equal)
  std::optional<std::string> key;  ///< key column checked for duplicates
  int64_t duplicate_keys = 0;      ///< rows whose key equals an earlier row's key
  std::vector<ValueCount> duplicate_key_examples;  ///< up to 5 repeated keys with their counts
  std::vector<ColumnQuality> columns;
  std::vector<Finding> findings;

  nlohmann::json ToJson() const;
};

struct QualityOptions {
  /// Key column to check for duplicates (--key, or the catalogue's key). Must exist.
  std::optional<std::string> key;
  size_t top_k = 10;         ///< categories listed per column
  size_t max_bins = 50;      ///< histogram bins at most
  double z_threshold = 3.0;  ///< z-score outlier threshold
  double iqr_factor = 1.5;   ///< IQR fence multiplier
};

/// Profiles `table` (named `table_name` in messages and suggestions). Throws kNotFound when the
/// key column does not exist. Thread-safe (reads only); uses one thread.
QualityReport ComputeQualityReport(const Table& table, const std::string& table_name,
                                   const QualityOptions& options, const Context& ctx);
/// The same for stored table `table_name` (`prospect quality TABLE`); without options.key, the
/// key the table was ingested with (if any) is checked.
QualityReport ComputeQualityReport(Store& store, const std::string& table_name,
                                   QualityOptions options, const Context& ctx);

/// Folds a category spelling for comparison: ASCII case-folded, trimmed, inner whitespace runs
/// collapsed to one space ("  Male " and "MALE" both give "male").
std::string NormalizeSpelling(std::string_view value);

}  // namespace prospect
