// Reading request JSON: the depth limit while parsing, and field getters whose errors name the
// field, the value and what was expected (kInvalidArgument, so a 400).
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "prospect/features/pipeline.hpp"
#include "prospect/table/table.hpp"

namespace prospect::serve {

/// Parses a request body; kInvalidArgument for text that is not JSON (with the byte offset),
/// for nesting deeper than `max_depth`, and for a body that is not an object.
nlohmann::json ParseRequestBody(std::string_view body, int max_depth);

/// The common request of the hot path, {"model": NAME, "customer_id": ID} (model optional, ID a
/// string or a whole number), read without building a JSON tree or allocating once the thread
/// has read one such body: simdjson's on-demand parser and a padded copy of the body, both
/// per thread. The views stay valid until the thread's next call. False for any other body
/// (more or other fields, other types, escapes, text that is not JSON): ParseRequestBody then
/// reads it and gives the errors.
struct ScoreByIdRequest {
  std::optional<std::string_view> model;
  std::string_view customer_id;
};
bool ReadScoreById(std::string_view body, ScoreByIdRequest* out);

/// Appends `text` to `out` as a JSON string (quotes, escapes).
void AppendJsonString(std::string* out, std::string_view text);

/// A short rendering of a value for an error message (at most 60 characters).
std::string Shown(const nlohmann::json& value);

/// The field, when present and not null; kInvalidArgument naming it when of another type.
std::optional<std::string> StringField(const nlohmann::json& body, const char* name);
std::optional<double> NumberField(const nlohmann::json& body, const char* name);
std::optional<bool> BoolField(const nlohmann::json& body, const char* name);
/// A count in [0, max]; kInvalidArgument / kOutOfRange naming the field otherwise.
std::optional<size_t> CountField(const nlohmann::json& body, const char* name, size_t max);
/// An id: a string, or an integer given as a number (as text); kInvalidArgument otherwise.
std::string IdText(const nlohmann::json& value, std::string_view field);
/// An array of ids of at most `max` entries; nullopt when the field is absent.
std::optional<std::vector<std::string>> IdsField(const nlohmann::json& body, const char* name,
                                                 size_t max);

/// Appends one JSON value as a cell of `type` (null as null; ids as text or numbers; dates and
/// times as ISO text, a trailing 'Z' allowed); false when it does not fit.
bool AppendJsonCell(ColumnBuilder& builder, DataType type, const nlohmann::json& value);
/// What AppendJsonCell accepts for `type`, for error messages ("a whole number").
std::string_view JsonCellExpectation(DataType type);

/// A table of the pipeline's input columns from one JSON array of values per column (n rows
/// each): numeric columns as doubles (numbers, booleans as 0/1, null as missing), dates and
/// times as such when `types` (the features table's schema; may be null) says so, categorical
/// ones as text. `where(column, row)` names a cell in errors ("rows[3].age"). Columns the
/// pipeline does not read are ignored; a missing one is kInvalidArgument naming it.
Table InputTable(const FeaturePipeline& pipeline,
                 const std::map<std::string, const nlohmann::json*>& columns, size_t rows,
                 const Schema* types,
                 const std::function<std::string(const std::string&, size_t)>& where);

}  // namespace prospect::serve
