// Which columns of a survey table (and of the tables joined to it) the survey functions read:
// the score, the customer id, a join key in another table. Private to src/survey.
#pragma once

#include <optional>
#include <string>

#include "prospect/survey/survey.hpp"
#include "prospect/table/table.hpp"

namespace prospect::survey_internal {

/// kNotFound "table T has no column "C". Did you mean …? Columns: …" unless `t` has `column`.
void RequireColumn(const Table& t, const std::string& table, const std::string& column);

/// `requested` when given (it must exist), else the scale's usual score column names.
std::string ScoreColumn(const Table& t, const std::string& table, const std::string& requested,
                        SurveyScale scale);

/// The customer id of a survey table: `requested`, else its key (when the table has it), else
/// customer_id, else its first column.
std::string IdColumn(const Table& t, const std::string& table, const std::string& requested,
                     const std::optional<std::string>& key);

/// The key of a table joined to the responses on the customer id: `requested`, else its key,
/// else its column named like the responses' id, else customer_id (which it must then have).
std::string JoinKey(const Table& t, const std::string& table, const std::string& requested,
                    const std::optional<std::string>& key, const std::string& responses_id);

}  // namespace prospect::survey_internal
