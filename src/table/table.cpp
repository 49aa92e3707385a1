// Schema and Table: construction checks, lookup by name, projection and row selection.
#include "prospect/table/table.hpp"

#include <fmt/format.h>

#include <cmath>
#include <unordered_map>

#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"

namespace prospect {

Schema::Schema(std::vector<Field> fields) : fields_(std::move(fields)) {
  for (size_t i = 0; i < fields_.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (fields_[i].name == fields_[j].name) {
        Fail(ErrorCode::kInvalidData, "duplicate column name \"{}\" (columns {} and {})",
             fields_[i].name, j + 1, i + 1);
      }
    }
  }
}

int Schema::IndexOf(std::string_view name) const {
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

std::vector<std::string> Schema::Names() const {
  std::vector<std::string> names;
  names.reserve(fields_.size());
  for (const auto& f : fields_) names.push_back(f.name);
  return names;
}

nlohmann::json Schema::ToJson() const {
  nlohmann::json columns = nlohmann::json::array();
  for (const auto& f : fields_)
    columns.push_back({{"name", f.name}, {"type", DataTypeName(f.type)}});
  return columns;
}

nlohmann::json TableToJson(const Table& table) {
  nlohmann::json rows = nlohmann::json::array();
  for (size_t r = 0; r < table.num_rows(); ++r) {
    nlohmann::json row = nlohmann::json::array();
    for (size_t c = 0; c < table.num_columns(); ++c) {
      const Column& col = *table.column(c);
      if (col.IsNull(r)) {
        row.push_back(nullptr);
      } else if (IsIntegerStorage(col.type())) {
        row.push_back(col.ints()[r]);
      } else if (col.type() == DataType::kDouble) {
        const double v = col.doubles()[r];
        if (std::isfinite(v)) {
          row.push_back(v);
        } else {
          row.push_back(std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf"));
        }
      } else if (col.type() == DataType::kBool) {
        row.push_back(col.bools()[r] != 0);
      } else {
        row.push_back(col.StringAt(r));
      }
    }
    rows.push_back(std::move(row));
  }
  return {{"columns", table.schema().ToJson()}, {"rows", std::move(rows)}};
}

Table TableFromJson(const nlohmann::json& json) {
  const auto bad = [](std::string_view what) {
    Fail(ErrorCode::kInvalidData, "stored table: {}", what);
  };
  if (!json.is_object() || !json.contains("columns") || !json.contains("rows") ||
      !json["columns"].is_array() || !json["rows"].is_array())
    bad("expected {\"columns\": [...], \"rows\": [...]}");
  std::vector<Field> fields;
  std::vector<ColumnBuilder> builders;
  for (const nlohmann::json& c : json["columns"]) {
    const auto type = ParseDataType(c.value("type", std::string()));
    if (!type || !c.contains("name") || !c["name"].is_string())
      bad("a column without name or type");
    fields.push_back({c["name"].get<std::string>(), *type});
    builders.emplace_back(*type);
  }
  for (const nlohmann::json& row : json["rows"]) {
    if (!row.is_array() || row.size() != fields.size()) bad("a row of the wrong length");
    for (size_t c = 0; c < fields.size(); ++c) {
      const nlohmann::json& cell = row[c];
      ColumnBuilder& b = builders[c];
      if (cell.is_null()) {
        b.AppendNull();
      } else if (IsIntegerStorage(fields[c].type) && cell.is_number_integer()) {
        b.AppendInt(cell.get<int64_t>());
      } else if (fields[c].type == DataType::kDouble && cell.is_number()) {
        b.AppendDouble(cell.get<double>());
      } else if (fields[c].type == DataType::kDouble && cell.is_string()) {
        const std::string v = cell.get<std::string>();
        if (v != "nan" && v != "inf" && v != "-inf") bad("a double that is not a number");
        b.AppendDouble(v == "nan" ? std::nan("") : (v == "inf" ? HUGE_VAL : -HUGE_VAL));
      } else if (fields[c].type == DataType::kBool && cell.is_boolean()) {
        b.AppendBool(cell.get<bool>());
      } else if ((fields[c].type == DataType::kString ||
                  fields[c].type == DataType::kCategorical) &&
                 cell.is_string()) {
        b.AppendString(cell.get<std::string>());
      } else {
        bad(fmt::format("column {}: {} is not a {}", fields[c].name, cell.dump(),
                        DataTypeName(fields[c].type)));
      }
    }
  }
  std::vector<ColumnPtr> columns;
  for (ColumnBuilder& b : builders) columns.push_back(b.Finish());
  return Table(Schema(std::move(fields)), std::move(columns));
}

nlohmann::json RowsToJson(const Table& table, size_t limit) {
  nlohmann::json rows = nlohmann::json::array();
  for (size_t r = 0; r < table.num_rows() && r < limit; ++r) {
    nlohmann::json row = nlohmann::json::object();
    for (size_t c = 0; c < table.num_columns(); ++c) {
      const Column& col = *table.column(c);
      nlohmann::json& cell = row[table.schema().field(c).name];
      if (col.IsNull(r)) {
        cell = nullptr;
      } else if (col.type() == DataType::kInt64) {
        cell = col.ints()[r];  // exact, and an integer in JSON (42, not 42.0)
      } else if (col.type() == DataType::kDouble) {
        cell = col.doubles()[r];
      } else if (col.type() == DataType::kBool) {
        cell = col.NumericAt(r) != 0;
      } else {
        cell = col.FormatValue(r);
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

Table::Table(Schema schema, std::vector<ColumnPtr> columns)
    : schema_(std::move(schema)), columns_(std::move(columns)) {
  PROSPECT_CHECK(schema_.size() == columns_.size());
  num_rows_ = columns_.empty() ? 0 : columns_[0]->size();
  for (size_t i = 0; i < columns_.size(); ++i) {
    PROSPECT_CHECK(columns_[i] != nullptr);
    PROSPECT_CHECK(columns_[i]->type() == schema_.field(i).type);
    PROSPECT_CHECK(columns_[i]->size() == num_rows_);
  }
}

size_t Table::ColumnIndex(std::string_view name) const {
  const int i = schema_.IndexOf(name);
  if (i < 0) {
    Fail(ErrorCode::kNotFound, "no column \"{}\". {}Columns: {}.", name,
         DidYouMean(name, schema_.Names()), Join(schema_.Names(), ", "));
  }
  return static_cast<size_t>(i);
}

const Column& Table::column(std::string_view name) const { return *columns_[ColumnIndex(name)]; }

Table Table::Select(const std::vector<std::string>& names) const {
  std::vector<Field> fields;
  std::vector<ColumnPtr> columns;
  for (const auto& n : names) {
    const size_t i = ColumnIndex(n);
    fields.push_back(schema_.field(i));
    columns.push_back(columns_[i]);
  }
  return Table(Schema(std::move(fields)), std::move(columns));
}

Table Table::Take(std::span<const size_t> rows) const {
  std::vector<ColumnPtr> columns;
  columns.reserve(columns_.size());
  for (const auto& c : columns_) columns.push_back(c->Take(rows));
  Table out(schema_, std::move(columns));
  if (columns_.empty()) out.num_rows_ = rows.size();
  return out;
}

Table Table::WithColumn(const std::string& name, ColumnPtr column) const {
  PROSPECT_CHECK(column != nullptr);
  if (!columns_.empty() && column->size() != num_rows_) {
    Fail(ErrorCode::kInvalidArgument, "column \"{}\" has {} rows; the table has {}", name,
         column->size(), num_rows_);
  }
  std::vector<Field> fields = schema_.fields();
  std::vector<ColumnPtr> columns = columns_;
  const int i = schema_.IndexOf(name);
  if (i >= 0) {
    fields[static_cast<size_t>(i)].type = column->type();
    columns[static_cast<size_t>(i)] = std::move(column);
  } else {
    fields.push_back({name, column->type()});
    columns.push_back(std::move(column));
  }
  return Table(Schema(std::move(fields)), std::move(columns));
}

namespace {

// Column c's values (as `values` gives them: ints, doubles or bools) of every part, in order.
template <typename T>
ColumnVector<T> Concatenate(const std::vector<Table>& parts, size_t c, size_t total,
                            std::span<const T> (Column::*values)() const) {
  ColumnVector<T> out;
  out.reserve(total);
  for (const auto& p : parts) {
    const std::span<const T> v = (*p.column(c).*values)();
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}

}  // namespace

Table ConcatTables(const std::vector<Table>& parts) {
  if (parts.empty()) return Table();
  if (parts.size() == 1) return parts[0];
  const Schema& schema = parts[0].schema();
  size_t total = 0;
  for (const auto& p : parts) {
    PROSPECT_CHECK(p.num_columns() == schema.size());
    total += p.num_rows();
  }
  std::vector<ColumnPtr> columns;
  for (size_t c = 0; c < schema.size(); ++c) {
    const DataType type = schema.field(c).type;
    bool any_null = false;
    for (const auto& p : parts) any_null |= p.column(c)->null_count() > 0;
    ColumnVector<uint8_t> valid;
    if (any_null) {
      valid.reserve(total);
      for (const auto& p : parts) {
        const Column& col = *p.column(c);
        if (col.validity().empty()) {
          valid.insert(valid.end(), col.size(), 1);
        } else {
          valid.insert(valid.end(), col.validity().begin(), col.validity().end());
        }
      }
    }
    switch (type) {
      case DataType::kDouble:
        columns.push_back(
            Column::FromDoubles(Concatenate(parts, c, total, &Column::doubles), std::move(valid)));
        break;
      case DataType::kBool:
        columns.push_back(
            Column::FromBools(Concatenate(parts, c, total, &Column::bools), std::move(valid)));
        break;
      case DataType::kString:
      case DataType::kCategorical: {
        ColumnVector<uint64_t> offsets{0};
        offsets.reserve(total + 1);
        ColumnText bytes;
        for (const auto& p : parts) {
          const Column& col = *p.column(c);
          for (size_t r = 0; r < col.size(); ++r) {
            bytes += col.StringAt(r);
            offsets.push_back(bytes.size());
          }
        }
        ColumnPtr s = Column::FromStrings(std::move(offsets), std::move(bytes), std::move(valid));
        columns.push_back(type == DataType::kCategorical ? Column::DictionaryEncode(*s) : s);
        break;
      }
      default:
        columns.push_back(
            Column::FromInts(type, Concatenate(parts, c, total, &Column::ints), std::move(valid)));
    }
  }
  return Table(schema, std::move(columns));
}

Table LookupJoin(const Table& left, std::string_view left_key, const Table& right,
                 std::string_view right_key) {
  const Column &lk = left.column(left_key), &rk = right.column(right_key);
  std::unordered_map<std::string, size_t> row_of;
  row_of.reserve(rk.size());
  for (size_t r = 0; r < rk.size(); ++r) {
    if (rk.IsNull(r)) continue;
    if (!row_of.emplace(rk.FormatValue(r), r).second) {
      Fail(ErrorCode::kInvalidData, "{} {} appears more than once; a lookup needs one row per {}",
           right_key, QuoteForMessage(rk.FormatValue(r)), right_key);
    }
  }
  std::vector<size_t> rows(lk.size(), Column::kNoRow);
  for (size_t r = 0; r < lk.size(); ++r) {
    if (lk.IsNull(r)) continue;
    const auto it = row_of.find(lk.FormatValue(r));
    if (it != row_of.end()) rows[r] = it->second;
  }
  Table out = left;
  for (size_t c = 0; c < right.num_columns(); ++c) {
    const std::string& name = right.schema().fields()[c].name;
    if (name == right_key || left.HasColumn(name)) continue;
    out = out.WithColumn(name, right.column(c)->TakeOrNull(rows));
  }
  return out;
}

}  // namespace prospect
