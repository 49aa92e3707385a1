// Using a registered model on a table: scores keyed by id, per-row reasons, global importance
// and one customer's explanation. What `prospect score` and `prospect explain` run.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/models/training.hpp"
#include "prospect/table/table.hpp"

namespace prospect {

/// Two columns: the model's id column (when `table` has it; else "row", the 1-based row number)
/// and "score", ModelPackage::Score of each row.
Table ScoreTable(const ModelPackage& model, const Table& table, const Context& ctx);

/// Per-input-column contributions of one row, largest |value| first (one-hot features are summed
/// back to their column). `words` phrases each reason for a marketer.
struct Reason {
  std::string column;
  std::string value;    ///< the row's value of that column, as text
  double contribution;  ///< in the model's explanation scale
  std::string words;
};
std::vector<std::vector<Reason>> ExplainRows(const ModelPackage& model, const Table& table,
                                             size_t top, const Context& ctx);

/// Global importance per input column: the model's own (gain / |coef|) and permutation
/// importance (drop in ROC-AUC when the column is shuffled) on `table` if it has the target.
nlohmann::json GlobalImportance(const ModelPackage& model, const Table* table, const Context& ctx);

/// One customer's score and top reasons, as `prospect explain --customer` prints them.
struct CustomerExplanation {
  std::string model;
  std::string customer;
  double score = 0;
  std::vector<Reason> reasons;

  nlohmann::json ToJson() const;
};

/// Finds `customer` in the model's id column of `table` and explains its score with the `top`
/// reasons. Throws kInvalidArgument when the model has no id column, kNotFound when no row has
/// that id.
CustomerExplanation ExplainCustomer(const ModelPackage& model, const Table& table,
                                    const std::string& customer, size_t top, const Context& ctx);

}  // namespace prospect
