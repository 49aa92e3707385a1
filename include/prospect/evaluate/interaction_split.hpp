// Train/test splits of an interaction table (one row per user–item event) for evaluating
// recommenders: a global time cut-off, leave-last-out per user, and a seeded random share per user.
// Each returns row indices of the table, so the caller builds both matrices from the same rows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "prospect/table/table.hpp"

namespace prospect {

/// Conventions shared by the splits below:
///  - Users are told apart by their id's text (Column::FormatValue), as InteractionsFromTable
///    numbers them, so the split's users are the interaction matrix's rows. The user column may
///    have any type.
///  - The time column is timestamp, date or int64 (another type is kInvalidArgument). Only the
///    order of times matters, except to SplitByTime, whose cutoff is a timestamp (below).
///  - A missing column is kNotFound naming it; a null user or time is kInvalidData naming the
///    column and the 1-based row. A split whose train or test side would be empty throws
///    (kInvalidArgument when a parameter causes it, kInvalidData when the data does): neither
///    side can be evaluated without the other.
///  - Deterministic: the same table and parameters give the same split. Single-threaded;
///    thread-safe (no shared state).

/// Row indices of one split of an interaction table.
struct InteractionSplit {
  std::vector<size_t> train_rows, test_rows;  ///< row indices of the input table, ascending
  std::string method;                         ///< "time", "leave_last_out", "random_per_user"
  /// {"method", the parameters ("time_column" and "cutoff" (+ "cutoff_time" for a timestamp or
  /// date column) and "train_fraction"; "user_column", "time_column"; "user_column",
  /// "test_fraction", "seed"), "train_rows", "test_rows", and for the per-user splits "users" and
  /// "users_in_test"}
  nlohmann::json summary;
};

/// Global time cut-off: rows with time < cutoff train, time >= cutoff test. The cutoff is a
/// timestamp in microseconds since 1970-01-01 UTC (the Column timestamp unit); a date column's day
/// d compares as its midnight, d · 86 400 000 000 µs, and an int64 column compares in its own
/// units. Throws kInvalidArgument when the cutoff leaves one side empty, naming the time range.
InteractionSplit SplitByTime(const Table& t, const std::string& time_column, int64_t cutoff);

/// The same with the cutoff placed so that `train_fraction` of the rows fall below it: with the n
/// times sorted ascending t_0 ≤ … ≤ t_{n−1} and m = ⌊train_fraction · n⌋, the cutoff is t_m (an
/// order statistic, not an interpolated quantile, so it is a time that occurs in the data). Rows
/// tied with t_m all go to test, so no time is on both sides and train can hold fewer than m rows.
/// Throws kInvalidArgument unless 0 < train_fraction < 1 and m ≥ 1; kInvalidData when every row
/// ties with the cutoff's time (too few distinct times).
InteractionSplit SplitByTimeFraction(const Table& t, const std::string& time_column,
                                     double train_fraction);

/// Per user, the latest row is test (ties: the later row in the table), the user's other rows
/// train; users with one row stay in train (a user with nothing to learn from cannot be scored).
/// Throws kInvalidData when no user has two rows.
InteractionSplit SplitLeaveLastOut(const Table& t, const std::string& user_column,
                                   const std::string& time_column);

/// Per user, a seeded random test_fraction of their n_u rows is test: ⌊test_fraction · n_u⌋ rows,
/// at least one when n_u ≥ 2 and never all of them; users with one row stay in train.
/// Algorithm (stable, so splits can be reproduced elsewhere): the user's rows in table order are
/// shuffled by a partial Fisher–Yates — for i = 0 … n_test − 1, swap position i with position
/// i + (r mod (n_u − i)), r the next draw of Rng(DeriveSeed(seed, h)) where h is the 64-bit
/// FNV-1a hash of the user id's text — and the first n_test rows are test. A user's rows thus
/// depend on the seed, the id and that user's own rows only, never on other users or their order.
/// Throws kInvalidArgument unless 0 < test_fraction < 1; kInvalidData when no user has two rows.
InteractionSplit SplitRandomPerUser(const Table& t, const std::string& user_column,
                                    double test_fraction, uint64_t seed);

}  // namespace prospect
