// Column resolution of the survey functions (see survey_columns.hpp).
#include "survey/survey_columns.hpp"

#include <vector>

#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"
#include "store/write_rules.hpp"

namespace prospect::survey_internal {

void RequireColumn(const Table& t, const std::string& table, const std::string& column) {
  if (!t.HasColumn(column)) store_rules::ColumnNotFound(table, column, t.schema());
}

std::string ScoreColumn(const Table& t, const std::string& table, const std::string& requested,
                        SurveyScale scale) {
  if (!requested.empty()) {
    RequireColumn(t, table, requested);
    return requested;
  }
  const std::vector<std::string> usual =
      scale == SurveyScale::kNps
          ? std::vector<std::string>{"score", "nps", "nps_score", "likelihood_to_recommend"}
          : std::vector<std::string>{"score", "csat", "csat_score", "satisfaction", "rating"};
  for (const std::string& name : usual) {
    if (t.HasColumn(name)) return name;
  }
  Fail(ErrorCode::kNotFound,
       "table {} has no score column (looked for {}); name the column that holds the {} scores. "
       "Columns: {}.",
       table, Join(usual, ", "), scale == SurveyScale::kNps ? "NPS" : "CSAT",
       Join(t.schema().Names(), ", "));
}

std::string IdColumn(const Table& t, const std::string& table, const std::string& requested,
                     const std::optional<std::string>& key) {
  if (!requested.empty()) {
    RequireColumn(t, table, requested);
    return requested;
  }
  if (key && t.HasColumn(*key)) return *key;
  if (t.HasColumn("customer_id")) return "customer_id";
  if (t.num_columns() == 0) Fail(ErrorCode::kInvalidData, "table {} has no columns", table);
  return t.schema().field(0).name;
}

std::string JoinKey(const Table& t, const std::string& table, const std::string& requested,
                    const std::optional<std::string>& key, const std::string& responses_id) {
  if (!requested.empty()) {
    RequireColumn(t, table, requested);
    return requested;
  }
  if (key && t.HasColumn(*key)) return *key;
  if (t.HasColumn(responses_id)) return responses_id;
  RequireColumn(t, table, "customer_id");
  return "customer_id";
}

}  // namespace prospect::survey_internal
