// Cleaning recipes: steps declared in prospect.toml ([[cleaning.TABLE]]) are fitted once on a
// table (the median used, the clip bounds, the spelling maps), stored as JSON, and applied
// unchanged to new data later (scoring). Definitions: docs/user/quality.md.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/store/store.hpp"
#include "prospect/table/table.hpp"

namespace prospect {

/// Store object kind under which fitted recipes are kept (one object per table name).
inline constexpr const char* kCleaningObjectKind = "cleaning";

/// One fitted step. Which fields matter depends on `step`:
/// - "impute": column, method (mean|median|mode|constant), fill (the value used: a number for
///   int64/double, true/false for bool, text for string/categorical, the stored integer for
///   date/timestamp), indicator (adds bool column COL_missing, true where the cell was null).
/// - "deduplicate": columns (empty = all columns); keeps the first row of each group.
/// - "clip": column, method (iqr|quantiles|limits), lower/upper (the fitted bounds; either may be
///   absent for "limits").
/// - "map": column, values (raw text → replacement text, exact match), canonical (normalised
///   spelling → canonical spelling, see NormalizeSpelling), to_null (values that become null;
///   numbers for numeric columns, text otherwise).
struct CleaningStep {
  std::string step;
  std::string column;
  std::string method;
  nlohmann::json fill;
  bool indicator = false;
  std::vector<std::string> columns;
  std::optional<double> lower, upper;
  double factor = 1.5;            ///< clip iqr: fence multiplier
  std::vector<double> quantiles;  ///< clip quantiles: {low, high}
  nlohmann::json values = nlohmann::json::object();
  nlohmann::json canonical = nlohmann::json::object();
  nlohmann::json to_null = nlohmann::json::array();
};

/// A fitted recipe: apply it with ApplyCleaning. JSON form: docs/user/quality.md.
struct CleaningRecipe {
  std::string table;        ///< the table it was fitted on
  int64_t fitted_rows = 0;  ///< rows of that table at fit time
  std::vector<CleaningStep> steps;

  nlohmann::json ToJson() const;
  /// Throws kInvalidData naming the step and field when the JSON is not a recipe.
  static CleaningRecipe FromJson(const nlohmann::json& json);
};

/// What applying a recipe changed.
struct CleaningStepSummary {
  std::string step;
  std::string column;         ///< empty for deduplicate over all columns
  std::string description;    ///< "imputed 12 cells with median 38", "removed 3 duplicate rows"
  int64_t cells_changed = 0;  ///< imputed, clipped, mapped or set to null
  int64_t rows_removed = 0;   ///< deduplicate
};
struct CleaningSummary {
  int64_t rows_before = 0;
  int64_t rows_after = 0;
  std::vector<CleaningStepSummary> steps;
  nlohmann::json ToJson() const;
};

/// Fits the steps of `config` (the JSON array from Workspace::Section("cleaning")[TABLE]) on
/// `table`. Each step is fitted on the output of the steps before it, so the recipe applied to
/// `table` reproduces what was fitted. Throws kInvalidArgument for an unknown step, method or
/// option (naming the step's position and the valid choices), kNotFound for a missing column,
/// kInvalidData for a step that cannot apply to the column's type.
CleaningRecipe FitCleaning(const Table& table, const std::string& table_name,
                           const nlohmann::json& config, const Context& ctx);

/// Applies a fitted recipe with its stored values (never refits). Missing columns are kNotFound.
/// Column types: an int64 column stays int64 unless an imputed fill or clip bound is not a whole
/// number, in which case it becomes double (the same decision for every table, since it depends
/// only on the recipe). A map step on a categorical column yields a categorical column.
Table ApplyCleaning(const CleaningRecipe& recipe, const Table& table, const Context& ctx,
                    CleaningSummary* summary = nullptr);

/// Saves the recipe as a new version of store object ("cleaning", recipe.table); returns the
/// version.
int64_t SaveCleaningRecipe(Store& store, const CleaningRecipe& recipe);
/// The latest recipe fitted on `table`, or nullopt.
std::optional<CleaningRecipe> LoadCleaningRecipe(Store& store, const std::string& table);

/// `prospect quality TABLE --clean`: fits `steps` (as FitCleaning takes them) on stored table
/// `table`, writes the cleaned rows as `out_table` (default TABLE_clean, replacing it) and saves
/// the recipe as a new version. Audited. Nothing is written when fitting or applying fails.
struct CleanTableRequest {
  std::string table;
  std::string out_table;  ///< empty: TABLE_clean
  nlohmann::json steps;   ///< the [[cleaning.TABLE]] array of prospect.toml
};
struct CleanTableResult {
  std::string table;
  std::string out_table;
  int64_t recipe_version = 0;
  CleaningRecipe recipe;
  CleaningSummary summary;
  size_t columns = 0;  ///< of the cleaned table
  /// table, out_table, recipe_version, recipe, summary.
  nlohmann::json ToJson() const;
};
CleanTableResult CleanTable(Store& store, const CleanTableRequest& request, const Context& ctx);

}  // namespace prospect
