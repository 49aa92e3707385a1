// From a transaction log to what the CLV models read: per customer the repeat purchases x
// (frequency), the time of the last one since the first purchase t_x (recency), the time since the
// first purchase T (age) and the mean value of the repeat purchases, up to a calibration end; and
// the purchases and spend after it (the holdout), to check predictions against.
//
// Conventions (those of the literature and of lifetimes' summary_data_from_transaction_data):
//   - purchases are counted per calendar day (UTC): several on one day are one purchase, their
//     values summed;
//   - the first purchase day starts the customer's clock and is not a repeat purchase; x = the
//     other purchase days before the end;
//   - times are in days, or weeks = days / 7 (months, years: see TimeUnit); T runs to the end of
//     the calibration day;
//   - monetary = the mean value of the repeat purchase days (0 when x = 0; the first purchase is
//     left out, as Gamma-Gamma needs);
//   - customers whose first purchase is after the calibration end are not in the summary.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/table/table.hpp"

namespace prospect::clv {

/// The unit of t_x, T and the horizon. Months and years are of average length (30.4375 and
/// 365.25 days): the periods of a subscription model, where a renewal is matched to the period
/// nearest its day.
enum class TimeUnit { kDay, kWeek, kMonth, kYear };
std::string_view TimeUnitName(TimeUnit unit);
/// "day", "week", "month" or "year"; kInvalidArgument naming the allowed values otherwise.
TimeUnit ParseTimeUnit(std::string_view name);
/// 1, 7, 30.4375 or 365.25.
double DaysPerUnit(TimeUnit unit);

struct SummaryRequest {
  std::string customer_column = "customer_id";
  std::string date_column;   ///< a date or timestamp column
  std::string value_column;  ///< optional: what each transaction is worth
  TimeUnit unit = TimeUnit::kWeek;
  /// Last day of the calibration period (days since 1970-01-01), inclusive; default: the last
  /// transaction day (no holdout).
  std::optional<int64_t> calibration_end;
  /// Last day of the holdout period, inclusive; default: the last transaction day.
  std::optional<int64_t> observation_end;
  /// Every transaction a purchase at its timestamp (T to the end of the calibration day), instead
  /// of one purchase per day with times in whole days: for continuous-time data, where merging
  /// a day's purchases biases the fit. Needs a timestamp column.
  bool exact_times = false;
};

struct CustomerSummary {
  std::vector<std::string> ids;
  /// x: repeat purchase days in calibration (with exact_times, repeat purchases); t_x and T
  /// from the first purchase day (or time) to the last one and to the calibration end, in the
  /// unit.
  std::vector<double> frequency;
  std::vector<double> recency;
  std::vector<double> age;
  std::vector<double> monetary;           ///< mean value of the repeat purchase days (0 when x = 0)
  std::vector<double> holdout_purchases;  ///< purchase days after the calibration end
  std::vector<double> holdout_value;      ///< their summed value
  TimeUnit unit = TimeUnit::kWeek;
  int64_t first_day = 0, calibration_end = 0, observation_end = 0;  ///< days since the epoch
  double holdout_length = 0;  ///< observation_end − calibration_end, in the unit
  size_t transactions = 0;    ///< rows read (with an id and a date)
  size_t skipped_rows = 0;    ///< rows without a customer id or date

  size_t size() const { return ids.size(); }
  /// The summary as a table: customer id, frequency, recency, T, monetary, holdout_purchases,
  /// holdout_value.
  Table ToTable(const std::string& id_column) const;
};

/// Summarises `transactions`. kInvalidArgument for a missing column or a value column that is not
/// numeric; kInvalidData when no transaction falls in the calibration period.
CustomerSummary Summarise(const Table& transactions, const SummaryRequest& request,
                          const Context& ctx);

/// Customers with identical (x, t_x, T) grouped, so that fits cost per distinct history: the
/// distinct rows, sorted by (x, t_x, T), and how many customers each stands for.
struct GroupedHistories {
  std::vector<double> frequency, recency, age, count;
  double customers = 0;
};
GroupedHistories GroupHistories(const CustomerSummary& summary);

}  // namespace prospect::clv
