// From an interaction table (events, orders, ratings: one row per user–item event) to the
// users × items matrix a Recommender fits on: a weight per row (event-type weights, explicit
// ratings over a threshold, time decay), then one entry per (user, item). Ids are told apart by
// their text and numbered in order of first appearance, as InteractionsFromTable does.
#pragma once

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "prospect/linalg/sparse.hpp"
#include "prospect/table/table.hpp"

namespace prospect {

struct InteractionSpec {
  std::string user_column{};
  std::string item_column{};
  /// A number per row (a rating, a quantity); empty: every row weighs 1.
  std::string value_column{};
  /// Explicit ratings: rows whose value is below are dropped, the rest weigh 1 (positives).
  /// NaN: values are weights as they are.
  double min_value = std::nan("");
  /// Event types (view, cart, purchase): the weight of each type; a type not listed is dropped.
  std::string type_column{};
  std::map<std::string, double> type_weights{};
  /// With half_life_days > 0, a row's weight halves for every half-life it is older than the
  /// table's latest time (units: InteractionWeights).
  std::string time_column{};
  double half_life_days = 0;
  /// With window_days > 0, only rows less than window_days older than the latest time are kept:
  /// popularity over a recent window is what is trending.
  double window_days = 0;
  /// A repeated (user, item) keeps its largest weight instead of the sum of its rows.
  bool deduplicate = false;

  /// The spec as JSON (for summaries and saved models).
  nlohmann::json ToJson() const;
  /// The spec ToJson wrote; kInvalidData naming the field that is missing or of the wrong type.
  static InteractionSpec FromJson(const nlohmann::json& j);
};

/// The weight of every row of `table` under `spec`; 0 for a dropped row. Missing columns are
/// kNotFound; a null user, item, value or time, a value column that is not a number, a negative
/// value used as a weight: kInvalidData / kInvalidArgument naming the column and the 1-based row.
/// Time decay reads a timestamp column in microseconds, a date column in days and an int64
/// column in seconds (Unix time, as MovieLens stores it). "The latest time" is the latest of
/// `reference_rows` (all rows when empty): an evaluation passes its training rows, so decay and
/// window end where training ends, not where the held-out rows do.
std::vector<double> InteractionWeights(const Table& table, const InteractionSpec& spec,
                                       std::span<const size_t> reference_rows = {});

/// The users × items matrix of `rows` of `table` (ascending row indices; all when empty), with
/// `weights` from InteractionWeights; rows of weight 0 are left out, and so are users and items
/// that only such rows name.
InteractionMatrix BuildInteractions(const Table& table, const InteractionSpec& spec,
                                    std::span<const double> weights,
                                    std::span<const size_t> rows = {});

/// `rows` of `table` in the users and items of `trained` (a matrix BuildInteractions made):
/// rows naming a user or an item it does not know are left out and counted.
struct MappedInteractions {
  CsrMatrix matrix;  ///< trained.row_ids.size() × trained.col_ids.size()
  size_t rows_unknown_user = 0;
  size_t rows_unknown_item = 0;
};
MappedInteractions MapInteractions(const Table& table, const InteractionSpec& spec,
                                   std::span<const double> weights, std::span<const size_t> rows,
                                   const InteractionMatrix& trained);

/// Appends each of `ids` that `m` does not hold yet as an item without interactions (catalogue
/// items nobody chose, which content-based models can still recommend).
void AddItems(InteractionMatrix* m, std::span<const std::string> ids);

/// `trained` with the kept rows of `table` added (for an update without a refit): known users
/// and items keep their indices, new ones are appended in order of first appearance, and an
/// entry that exists already gains the new weight (summed, or the larger with deduplicate).
/// `changed_users` receives the users (old or new) that gained entries, ascending.
InteractionMatrix ExtendInteractions(const InteractionMatrix& trained, const Table& table,
                                     const InteractionSpec& spec, std::span<const double> weights,
                                     std::vector<int32_t>* changed_users);

}  // namespace prospect
