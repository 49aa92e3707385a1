// Table: a schema plus equally long immutable columns. The unit every module consumes.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "prospect/table/column.hpp"
#include "prospect/table/types.hpp"

namespace prospect {

struct Field {
  std::string name;
  DataType type;
};

class Schema {
 public:
  Schema() = default;
  explicit Schema(std::vector<Field> fields);
  size_t size() const { return fields_.size(); }
  const Field& field(size_t i) const { return fields_[i]; }
  const std::vector<Field>& fields() const { return fields_; }
  /// Index of a column by exact name, or -1.
  int IndexOf(std::string_view name) const;
  std::vector<std::string> Names() const;
  /// [{"name", "type"}, ...] in column order, as `tables --json` and ingest report them.
  nlohmann::json ToJson() const;

 private:
  std::vector<Field> fields_;
};

class Table {
 public:
  Table() = default;
  /// Checks that every column's type matches the schema and all have the same length.
  Table(Schema schema, std::vector<ColumnPtr> columns);

  const Schema& schema() const { return schema_; }
  size_t num_rows() const { return num_rows_; }
  size_t num_columns() const { return columns_.size(); }
  const ColumnPtr& column(size_t i) const { return columns_[i]; }
  const std::vector<ColumnPtr>& columns() const { return columns_; }
  /// Column by name; throws kNotFound naming the valid columns (with a suggestion).
  const Column& column(std::string_view name) const;
  size_t ColumnIndex(std::string_view name) const;
  bool HasColumn(std::string_view name) const { return schema_.IndexOf(name) >= 0; }

  /// These columns, in this order.
  Table Select(const std::vector<std::string>& names) const;
  /// These rows, in this order.
  Table Take(std::span<const size_t> rows) const;
  /// Appends or replaces a column by name.
  Table WithColumn(const std::string& name, ColumnPtr column) const;

 private:
  Schema schema_;
  std::vector<ColumnPtr> columns_;
  size_t num_rows_ = 0;
};

/// Vertically concatenates tables with identical schemas (the inputs of one parallel parse).
Table ConcatTables(const std::vector<Table>& parts);

/// The first `limit` rows as JSON objects keyed by column name: numbers as numbers, bools as
/// bools, nulls as null, every other value as its text (dates and timestamps formatted).
nlohmann::json RowsToJson(const Table& table, size_t limit);

/// The whole table as JSON that TableFromJson turns back into the same table, types and nulls
/// included: {"columns": [{name, type}], "rows": [[cell, ...], ...]}; dates and timestamps as their
/// stored integers, doubles that JSON cannot hold as "nan", "inf" or "-inf". For small tables kept
/// inside stored objects (the rows an undo puts back).
nlohmann::json TableToJson(const Table& table);
/// Inverse of TableToJson; kInvalidData when `json` is not of that shape.
Table TableFromJson(const nlohmann::json& json);

/// `left` with the columns of `right` added (all but its key and any name `left` already has):
/// each left row gets the right row whose `right_key` equals its `left_key` (compared as text),
/// or nulls where none does. kInvalidData naming the value when `right_key` repeats one;
/// kNotFound for a missing key column.
Table LookupJoin(const Table& left, std::string_view left_key, const Table& right,
                 std::string_view right_key);

}  // namespace prospect
