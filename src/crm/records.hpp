// Reading and changing CRM tables a record at a time. CRM tables are small beside events and
// orders, so a change rewrites the table it touches under the object's key. Private to src/crm.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "prospect/crm/crm.hpp"
#include "prospect/store/store.hpp"
#include "prospect/table/table.hpp"

namespace prospect::crm_internal {

/// The object's table; kNotFound "no people yet: prospect crm import people FILE" when absent.
Table LoadCrmTableOrFail(Store& store, CrmObject object, const Context& ctx);

/// The row whose key (compared as text) is `id`, or nullopt / kNotFound naming the object.
std::optional<size_t> FindRecord(const Table& table, CrmObject object, const std::string& id);
size_t FindRecordOrFail(const Table& table, CrmObject object, const std::string& id);

/// Writes `table` back as the object's table (replacing it, under the object's key).
void WriteCrmTable(Store& store, CrmObject object, const Table& table, const Context& ctx);

/// `table` with `column` of `row` set (the column added when absent: text, or a timestamp).
Table WithText(const Table& table, size_t row, const std::string& column, const std::string& value);
Table WithTime(const Table& table, size_t row, const std::string& column, int64_t micros);

/// Appends `rows` to the object's table (creating it). When the two differ in columns, each
/// gets the other's as nulls; a column both have with other types is kInvalidData (text and
/// categorical text mix freely).
void AppendCrmRows(Store& store, CrmObject object, const Table& rows, const Context& ctx);

/// Rows of crm_stage_changes being built: opportunity_id, customer_id, stage, from_stage (text;
/// "" is null) and changed_at (timestamp).
class StageChangeRows {
 public:
  void Add(const std::string& opportunity_id, const std::string& customer_id,
           const std::string& stage, const std::string& from_stage, int64_t changed_at);
  size_t size() const { return stages_.size(); }
  Table Finish() const;

 private:
  std::vector<std::string> opportunities_, people_, stages_, from_;
  std::vector<int64_t> at_;
};

/// A date or timestamp cell as UTC microseconds; nullopt for null or another type.
std::optional<int64_t> CellMicros(const Column& column, size_t row);

/// A column of `rows` nulls of `type`.
ColumnPtr NullColumn(DataType type, size_t rows);

}  // namespace prospect::crm_internal
