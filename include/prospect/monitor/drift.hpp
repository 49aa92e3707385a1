// Drift between a reference and a current data set, column by column and for a model's score,
// with the tests and thresholds Evidently uses by default, so its users get the same answers:
// for a reference of at most 1,000 rows, the two-sample KS test (numbers with more than 5
// distinct values), chi-squared (more than 2 values) or a two-proportion z-test, drifting at
// p < 0.05; for a larger reference, the Wasserstein distance over the reference's standard
// deviation (numbers with more than 5 values) or the Jensen-Shannon distance, drifting at 0.1 or
// more. The data set drifts when at least half of its columns do. Every column also gets its PSI
// with the usual bands. Tests and thresholds can be chosen per column in prospect.toml:
//
//   [monitor.drift]
//   drift_share = 0.5             # the share of drifting columns that makes the data set drift
//   method = "psi"                # every column (default: chosen per column as above)
//   [monitor.drift.columns.age]
//   method = "ks"
//   threshold = 0.01
//
// Each side is read a chunk at a time into mergeable ColumnSummary values (summary.hpp).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/monitor/summary.hpp"
#include "prospect/store/store.hpp"

namespace prospect::monitor {

enum class DriftMethod { kKs, kChiSquare, kZ, kWasserstein, kJensenShannon, kPsi };

struct DriftMethodInfo {
  DriftMethod method;
  std::string_view name;   ///< in prospect.toml and JSON: ks, chisquare, z, wasserstein, ...
  std::string_view title;  ///< for people: "KS p-value", "Wasserstein distance (normed)", ...
  double default_threshold;
  bool p_value;  ///< a p-value drifts below its threshold; a distance at or above it
  bool numeric_only;
};
const DriftMethodInfo& DescribeDriftMethod(DriftMethod method);
/// kInvalidArgument listing the names when `name` is none of them.
DriftMethod ParseDriftMethod(std::string_view name);

/// Evidently's default test for a column: by the reference's row count (non-missing values), the
/// kind, and the number of distinct values on both sides together.
DriftMethod ChooseDriftMethod(int64_t reference_count, ValueKind kind, size_t distinct_values);

/// The [monitor.drift] section of prospect.toml.
struct DriftConfig {
  double drift_share = 0.5;
  std::optional<DriftMethod> method;  ///< for every column; unset = chosen per column
  std::optional<double> threshold;    ///< for every column; unset = the method's default
  struct ColumnRule {
    std::optional<DriftMethod> method;
    std::optional<double> threshold;
  };
  std::map<std::string, ColumnRule> columns;

  /// kInvalidData naming the key and value when the section is malformed.
  static DriftConfig FromJson(const nlohmann::json& section);
};

/// The PSI bands: below 0.1 "stable", below 0.25 "moderate", else "significant".
std::string_view PsiBand(double psi);

struct ColumnDrift {
  std::string column;
  ValueKind kind = ValueKind::kNumeric;
  DriftMethod method = DriftMethod::kKs;
  bool method_configured = false;  ///< prospect.toml named the method (else Evidently's choice)
  double value = 0;                ///< the p-value or the distance
  double threshold = 0;
  bool drifted = false;
  double psi = 0;
  int64_t reference_count = 0, current_count = 0;
  int64_t reference_missing = 0, current_missing = 0;
  size_t distinct_values = 0;  ///< both sides together
  bool exact = true;           ///< false when a side's summary is a sketch
  nlohmann::json ToJson() const;
};

/// One column's drift from its two summaries.
ColumnDrift CompareColumn(const std::string& name, const ColumnSummary& reference,
                          const ColumnSummary& current, const DriftConfig& config);

struct DriftReport {
  std::string reference;  ///< what was compared, as the request named it
  std::string current;
  std::string model;  ///< the reference model's name, when the reference is a model
  std::vector<ColumnDrift> columns;
  std::vector<std::pair<std::string, std::string>> skipped;  ///< column, why
  double drift_share = 0.5;
  size_t drifted = 0;
  bool dataset_drift = false;
  /// The share of compared columns that drift (0 when none were compared).
  double DriftedShare() const;
  nlohmann::json ToJson() const;
};

/// Compares the columns two summary lists hold at the same positions under `names`. A column a
/// side has no values of is skipped, with the reason.
DriftReport CompareSummaries(const std::vector<std::string>& names,
                             const std::vector<ColumnSummary>& reference,
                             const std::vector<ColumnSummary>& current, const DriftConfig& config);

/// Compares the columns of two in-memory tables (every column both have, dates and timestamps
/// skipped), each summarised a column per thread.
DriftReport CompareTables(const Table& reference, const Table& current, const DriftConfig& config,
                          const Context& ctx);

/// Part of a table's rows in stored order, as fractions: [from, to) of the row count.
struct RowRange {
  double from = 0;
  double to = 1;
  /// "A:B" with each side a percentage ("70%") or a fraction ("0.7"), either side may be empty:
  /// ":30%" is the first 30 %, "70%:" the last 30 %. kInvalidArgument naming `text` otherwise.
  static RowRange Parse(std::string_view text);
  bool whole() const { return from == 0 && to == 1; }
};

/// Summaries of `columns` of stored table `table`, over `rows`, read a chunk at a time.
std::vector<ColumnSummary> SummarizeStoredTable(Store& store, const std::string& table,
                                                const std::vector<std::string>& columns,
                                                const RowRange& rows, const Context& ctx);

struct DriftRequest {
  /// A table, or a model (its training table, its input columns and its score). "model:NAME"
  /// means the model even when a table has that name.
  std::string reference;
  std::string current;
  std::vector<std::string> columns;  ///< empty: every column both sides have
  std::vector<std::string> exclude;
  RowRange reference_rows, current_rows;
};

/// Stores `report` as the latest object of kind "drift_report", named after its model (when the
/// reference is one) or its current table, and audits it; `prospect report`, the dashboard and
/// /metrics read it from there.
void SaveDriftReport(Store& store, const DriftReport& report);

/// The drift report of `request`. With a model as reference, the model's score on both sides is
/// compared too, as the column "score:MODEL".
DriftReport MeasureDrift(Store& store, const DriftRequest& request, const DriftConfig& config,
                         const Context& ctx);

}  // namespace prospect::monitor
