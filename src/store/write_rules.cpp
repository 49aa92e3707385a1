// Write and lookup rules shared by the Store backends (see write_rules.hpp).
#include "store/write_rules.hpp"

#include <unordered_map>

#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"

namespace prospect::store_rules {

void CheckSameSchema(const std::string& table, const Schema& stored, const Schema& incoming) {
  auto describe = [](const Schema& s) {
    std::vector<std::string> parts;
    for (const auto& f : s.fields())
      parts.push_back(f.name + ":" + std::string(DataTypeName(f.type)));
    return Join(parts, ", ");
  };
  bool same = stored.size() == incoming.size();
  for (size_t i = 0; same && i < stored.size(); ++i) {
    same = stored.field(i).name == incoming.field(i).name &&
           (stored.field(i).type == incoming.field(i).type ||
            (IsStringLike(stored.field(i).type) && IsStringLike(incoming.field(i).type)));
  }
  if (!same) {
    Fail(ErrorCode::kInvalidData,
         "cannot append to table {}: its columns are ({}) but the new data has ({}). Use --mode "
         "replace, or make the columns match",
         table, describe(stored), describe(incoming));
  }
}

std::optional<std::string> AppendKey(const std::string& table,
                                     const std::optional<std::string>& key,
                                     const std::optional<std::string>& stored_key) {
  if (key && stored_key && *key != *stored_key) {
    Fail(ErrorCode::kInvalidArgument,
         "table {} is keyed on \"{}\"; --key {} differs. Use --mode replace to change the key",
         table, *stored_key, *key);
  }
  return key ? key : stored_key;
}

std::vector<size_t> LastRowPerKey(const std::string& table, const std::string& key,
                                  const Column& keys) {
  std::unordered_map<std::string, size_t> last;
  for (size_t r = 0; r < keys.size(); ++r) {
    if (keys.IsNull(r)) {
      Fail(ErrorCode::kInvalidData,
           "table {}: key column \"{}\" is empty in data row {}; keys must not be null", table, key,
           r + 1);
    }
    last[keys.FormatValue(r)] = r;
  }
  std::vector<size_t> rows;
  for (size_t r = 0; r < keys.size(); ++r) {
    if (last[keys.FormatValue(r)] == r) rows.push_back(r);
  }
  return rows;
}

size_t KeyColumnIndex(const std::string& key, const Schema& schema) {
  const int index = schema.IndexOf(key);
  if (index < 0) {
    Fail(ErrorCode::kInvalidArgument, "--key {}: no such column. {}Columns: {}.", key,
         DidYouMean(key, schema.Names()), Join(schema.Names(), ", "));
  }
  return static_cast<size_t>(index);
}

void TableNotFound(const std::string& name, const std::vector<std::string>& tables) {
  Fail(ErrorCode::kNotFound, "no table \"{}\" in the workspace. {}Tables: {}.", name,
       DidYouMean(name, tables),
       tables.empty() ? std::string("none yet (use prospect ingest)") : Join(tables, ", "));
}

void ColumnNotFound(const std::string& table, const std::string& column, const Schema& schema) {
  Fail(ErrorCode::kNotFound, "table {} has no column \"{}\". {}Columns: {}.", table, column,
       DidYouMean(column, schema.Names()), Join(schema.Names(), ", "));
}

}  // namespace prospect::store_rules
