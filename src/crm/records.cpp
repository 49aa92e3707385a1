// CRM tables a record at a time (see records.hpp).
#include "records.hpp"

#include <fmt/format.h>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"

namespace prospect::crm_internal {
namespace {

// `column` with row `row` replaced by the one value of `value` (same type).
ColumnPtr Replaced(const ColumnPtr& column, size_t row, const ColumnPtr& value) {
  const Schema schema({{"v", column->type()}});
  const Table both = ConcatTables({Table(schema, {column}), Table(schema, {value})});
  std::vector<size_t> rows(column->size());
  for (size_t r = 0; r < rows.size(); ++r) rows[r] = r;
  rows[row] = column->size();  // the appended value
  return both.column(0)->Take(rows);
}

Table WithCell(const Table& table, size_t row, const std::string& column, ColumnPtr value) {
  if (!table.HasColumn(column))
    return table.WithColumn(column,
                            Replaced(NullColumn(value->type(), table.num_rows()), row, value));
  const ColumnPtr& current = table.column(table.ColumnIndex(column));
  if (current->type() == DataType::kCategorical && value->type() == DataType::kString)
    value = Column::DictionaryEncode(*value);
  if (current->type() != value->type()) {
    Fail(ErrorCode::kInvalidData, "column {} holds {} values, so it cannot take {} ones", column,
         DataTypeName(current->type()), DataTypeName(value->type()));
  }
  return table.WithColumn(column, Replaced(current, row, value));
}

}  // namespace

std::optional<int64_t> CellMicros(const Column& column, size_t row) {
  if (column.IsNull(row)) return std::nullopt;
  if (column.type() == DataType::kTimestamp) return column.ints()[row];
  if (column.type() == DataType::kDate) return column.ints()[row] * kMicrosPerDay;
  return std::nullopt;
}

ColumnPtr NullColumn(DataType type, size_t rows) {
  ColumnBuilder b(type);
  b.Reserve(rows);
  for (size_t r = 0; r < rows; ++r) b.AppendNull();
  return b.Finish();
}

Table LoadCrmTableOrFail(Store& store, CrmObject object, const Context& ctx) {
  const CrmObjectInfo& info = CrmObjectOf(object);
  if (!store.FindTable(std::string(info.table))) {
    Fail(ErrorCode::kNotFound, "no {} yet: import them with prospect crm import {} FILE", info.name,
         info.name);
  }
  return store.LoadTable(std::string(info.table), ctx);
}

std::optional<size_t> FindRecord(const Table& table, CrmObject object, const std::string& id) {
  const CrmObjectInfo& info = CrmObjectOf(object);
  PROSPECT_CHECK(!info.key.empty());
  if (!table.HasColumn(info.key))
    Fail(ErrorCode::kInvalidData, "{} has no column {}", info.table, info.key);
  const Column& keys = table.column(info.key);
  for (size_t r = 0; r < keys.size(); ++r)
    if (!keys.IsNull(r) && keys.FormatValue(r) == id) return r;
  return std::nullopt;
}

size_t FindRecordOrFail(const Table& table, CrmObject object, const std::string& id) {
  const auto row = FindRecord(table, object, id);
  if (!row) {
    const CrmObjectInfo& info = CrmObjectOf(object);
    Fail(ErrorCode::kNotFound, "no {} with {} {} in {} ({} records)", info.name, info.key,
         QuoteForMessage(id), info.table, table.num_rows());
  }
  return *row;
}

void WriteCrmTable(Store& store, CrmObject object, const Table& table, const Context& ctx) {
  const CrmObjectInfo& info = CrmObjectOf(object);
  WriteOptions write;
  if (!info.key.empty()) write.key = std::string(info.key);
  store.WriteTable(std::string(info.table), table, write, ctx);
}

Table WithText(const Table& table, size_t row, const std::string& column,
               const std::string& value) {
  return WithCell(table, row, column, Column::FromStringVector({value}));
}

Table WithTime(const Table& table, size_t row, const std::string& column, int64_t micros) {
  return WithCell(table, row, column, Column::FromInts(DataType::kTimestamp, {micros}));
}

void AppendCrmRows(Store& store, CrmObject object, const Table& rows, const Context& ctx) {
  const CrmObjectInfo& info = CrmObjectOf(object);
  const std::string table(info.table);
  const auto stored_info = store.FindTable(table);
  if (!stored_info) {
    WriteCrmTable(store, object, rows, ctx);
    return;
  }
  const Table stored = store.LoadTable(table, ctx);
  std::vector<Field> fields = stored.schema().fields();
  for (const Field& f : rows.schema().fields())
    if (!stored.HasColumn(f.name)) fields.push_back(f);
  std::vector<ColumnPtr> old_columns, new_columns;
  for (const Field& f : fields) {
    old_columns.push_back(stored.HasColumn(f.name) ? stored.column(stored.ColumnIndex(f.name))
                                                   : NullColumn(f.type, stored.num_rows()));
    if (!rows.HasColumn(f.name)) {
      new_columns.push_back(NullColumn(f.type, rows.num_rows()));
      continue;
    }
    ColumnPtr c = rows.column(rows.ColumnIndex(f.name));
    if (c->type() != f.type && IsStringLike(c->type()) && IsStringLike(f.type)) {
      ColumnBuilder text(DataType::kString);
      for (size_t r = 0; r < c->size(); ++r) {
        if (c->IsNull(r)) {
          text.AppendNull();
        } else {
          text.AppendString(c->StringAt(r));
        }
      }
      c = text.Finish();
      if (f.type == DataType::kCategorical) c = Column::DictionaryEncode(*c);
    }
    if (c->type() != f.type) {
      if (c->null_count() == c->size()) {
        c = NullColumn(f.type, c->size());
      } else {
        Fail(ErrorCode::kInvalidData, "{}.{} holds {} values; the new rows have {} ones", table,
             f.name, DataTypeName(f.type), DataTypeName(c->type()));
      }
    }
    new_columns.push_back(c);
  }
  const Schema schema(fields);
  WriteCrmTable(
      store, object,
      ConcatTables({Table(schema, std::move(old_columns)), Table(schema, std::move(new_columns))}),
      ctx);
}

void StageChangeRows::Add(const std::string& opportunity_id, const std::string& customer_id,
                          const std::string& stage, const std::string& from_stage,
                          int64_t changed_at) {
  opportunities_.push_back(opportunity_id);
  people_.push_back(customer_id);
  stages_.push_back(stage);
  from_.push_back(from_stage);
  at_.push_back(changed_at);
}

Table StageChangeRows::Finish() const {
  const auto text = [](const std::vector<std::string>& values) {
    ColumnBuilder b(DataType::kString);
    for (const std::string& v : values) {
      if (v.empty()) {
        b.AppendNull();
      } else {
        b.AppendString(v);
      }
    }
    return b.Finish();
  };
  ColumnBuilder at(DataType::kTimestamp);
  for (int64_t v : at_) at.AppendInt(v);
  return Table(Schema({{"opportunity_id", DataType::kString},
                       {"customer_id", DataType::kString},
                       {"stage", DataType::kString},
                       {"from_stage", DataType::kString},
                       {"changed_at", DataType::kTimestamp}}),
               {text(opportunities_), text(people_), text(stages_), text(from_), at.Finish()});
}

}  // namespace prospect::crm_internal
