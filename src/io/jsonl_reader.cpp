// JSON Lines reader (simdjson): one object per line, keys become columns in first-seen order,
// missing keys are null, nested objects and arrays are kept as JSON text in string columns.
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <unordered_map>

#include "io/column_chunk.hpp"
#include "io/csv_internal.hpp"
#include "io/read_report.hpp"
#include "io/type_inference.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"

namespace prospect::io {
namespace {

enum class Kind : uint8_t { kNull, kBool, kInt, kDouble, kString, kNested };

struct Cell {
  uint32_t column;
  Kind kind;
  uint64_t offset;  // text in the arena
  uint64_t size;
};

struct Row {
  int64_t line;
  size_t first_cell;  // cells [first_cell, next row's first_cell)
  size_t raw_begin, raw_end;
};

// A JSON value type: how the reader keeps its values, and what messages call it.
struct ValueKind {
  Kind kind;
  std::string_view name;
};
ValueKind KindOf(simdjson::dom::element_type t) {
  switch (t) {
    case simdjson::dom::element_type::ARRAY: return {Kind::kNested, "an array"};
    case simdjson::dom::element_type::OBJECT: return {Kind::kNested, "an object"};
    case simdjson::dom::element_type::STRING: return {Kind::kString, "a string"};
    case simdjson::dom::element_type::INT64: return {Kind::kInt, "a number"};
    case simdjson::dom::element_type::UINT64: return {Kind::kDouble, "a number"};  // beyond int64
    case simdjson::dom::element_type::DOUBLE: return {Kind::kDouble, "a number"};
    case simdjson::dom::element_type::BOOL: return {Kind::kBool, "a boolean"};
    case simdjson::dom::element_type::NULL_VALUE: return {Kind::kNull, "null"};
  }
  return {Kind::kNull, "a value"};
}

template <typename Number>
void AppendNumber(std::string& out, Number value) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, r.ptr);
}

// Appends the text a value is kept as: numbers in their shortest round-trip form, nested values as
// minified JSON, nothing for null.
void AppendValueText(std::string& out, simdjson::dom::element value) {
  switch (value.type()) {
    case simdjson::dom::element_type::NULL_VALUE: break;
    case simdjson::dom::element_type::BOOL:
      out += value.get_bool().value() ? "true" : "false";
      break;
    case simdjson::dom::element_type::INT64: AppendNumber(out, value.get_int64().value()); break;
    case simdjson::dom::element_type::UINT64: AppendNumber(out, value.get_uint64().value()); break;
    case simdjson::dom::element_type::DOUBLE: AppendNumber(out, value.get_double().value()); break;
    case simdjson::dom::element_type::STRING: out += value.get_string().value(); break;
    case simdjson::dom::element_type::ARRAY:
    case simdjson::dom::element_type::OBJECT: out += simdjson::minify(value); break;
  }
}

}  // namespace

Table ReadJsonlText(std::string_view text, const std::string& name, const ReadOptions& options,
                    const Context& ctx, ReadReport* report) {
  ReadReport local_report;
  ReadReport& rep = report ? *report : local_report;
  rep = ReadReport{};
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  const bool reject = options.on_error == OnError::kReject;

  std::vector<std::string> names;
  std::unordered_map<std::string, uint32_t> column_of;
  std::vector<Cell> cells;
  std::vector<Row> rows;
  std::string arena;
  std::vector<RejectRow> rejects;
  std::vector<uint32_t> seen_in_row;  // per column: last row index + 1 that set it
  simdjson::dom::parser parser;
  std::vector<Cell> row_cells;
  std::string row_text;

  size_t pos = 0;
  int64_t line = 0;
  while (pos < text.size()) {
    ++line;
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view raw = text.substr(pos, eol - pos);
    const size_t raw_begin = pos;
    pos = eol + 1;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (Trim(raw).empty()) continue;
    if ((line & 0xFFF) == 0) ctx.ThrowIfCancelled();
    ++rep.rows_read;
    std::string error, reason, column;
    simdjson::dom::element doc;
    const auto parse_error = parser.parse(raw.data(), raw.size(), true).get(doc);
    row_cells.clear();
    row_text.clear();
    if (parse_error) {
      reason = fmt::format("invalid JSON ({})", simdjson::error_message(parse_error));
      error = fmt::format(
          "{}:{}: {}. Possible fixes: put one complete JSON object on each line, or use --on-error "
          "reject.",
          name, line, reason);
    } else if (!doc.is_object()) {
      reason = fmt::format("expected a JSON object, found {}", KindOf(doc.type()).name);
      error = fmt::format(
          "{}:{}: {}. Each line must be one object such as {{\"id\": 1, \"name\": \"x\"}}. "
          "Possible fix: use --on-error reject to skip such lines.",
          name, line, reason);
    } else {
      // Keys and values, in order.
      std::vector<std::pair<std::string, Cell>> pending;
      for (auto [key, value] : doc.get_object()) {
        Cell cell{0, KindOf(value.type()).kind, row_text.size(), 0};
        AppendValueText(row_text, value);
        cell.size = row_text.size() - cell.offset;
        std::string key_text(key);
        for (const auto& p : pending) {
          if (p.first == key_text) {
            reason = fmt::format("key {} appears twice in one object", QuoteForMessage(key_text));
            column = key_text;
            break;
          }
        }
        if (!reason.empty()) {
          error =
              fmt::format("{}:{}: {}. Possible fixes: keep one of them, or use --on-error reject.",
                          name, line, reason);
          break;
        }
        pending.emplace_back(std::move(key_text), cell);
      }
      if (error.empty()) {
        const size_t arena_base = arena.size();
        arena += row_text;
        const size_t first = cells.size();
        for (auto& [key, cell] : pending) {
          auto [it, inserted] = column_of.emplace(key, static_cast<uint32_t>(names.size()));
          if (inserted) names.push_back(key);
          cell.column = it->second;
          cell.offset += arena_base;
          cells.push_back(cell);
        }
        rows.push_back({line, first, raw_begin, raw_begin + raw.size()});
      }
    }
    if (!error.empty()) {
      if (!reject) Fail(ErrorCode::kInvalidData, "{}", error);
      rejects.push_back({line, column, "", reason, std::string(raw)});
    }
  }
  if (names.empty() && rows.empty() && rejects.empty()) {
    Fail(ErrorCode::kInvalidData,
         "{} is empty: no JSON objects. Possible fix: check that this is the right file.", name);
  }

  // Column types: declared, else from the JSON kinds (strings further by their text).
  const size_t ncols = names.size();
  const NullMatcher nulls(options.null_values);
  std::vector<ColumnSpec> specs(ncols);
  {
    std::vector<uint8_t> kinds(ncols, 0);  // bit per Kind
    std::vector<TypeGuesser> guessers(ncols, TypeGuesser(true));
    for (const Cell& cell : cells) {
      if (cell.kind == Kind::kNull) continue;
      const std::string_view t(arena.data() + cell.offset, cell.size);
      if (cell.kind == Kind::kString && (t.empty() || nulls.IsNull(t, true))) continue;
      kinds[cell.column] |= uint8_t(1u << static_cast<int>(cell.kind));
      if (cell.kind == Kind::kString &&
          guessers[cell.column].observed() < std::max<size_t>(options.sample_rows, 1)) {
        guessers[cell.column].Observe(t);
      }
    }
    for (size_t c = 0; c < ncols; ++c) {
      specs[c] = SpecFor(names[c], options);
      if (specs[c].declared) continue;
      const uint8_t k = kinds[c];
      const auto bit = [](Kind kind) { return uint8_t(1u << static_cast<int>(kind)); };
      if (k == 0 || (k & bit(Kind::kNested))) {
        specs[c].type = DataType::kString;
      } else if (k == bit(Kind::kBool)) {
        specs[c].type = DataType::kBool;
      } else if (k == bit(Kind::kInt)) {
        specs[c].type = DataType::kInt64;
      } else if ((k & ~(bit(Kind::kInt) | bit(Kind::kDouble))) == 0) {
        specs[c].type = DataType::kDouble;
      } else if (k == bit(Kind::kString)) {
        specs[c].type = guessers[c].Result();
        specs[c].order = guessers[c].order();
      } else {
        specs[c].type = DataType::kString;
      }
    }
  }
  WarnAboutUnknownTypedColumns(options, names, name, &rep);

  // Build the columns row by row (a bad declared cell rejects its whole row).
  std::vector<ColumnChunk> columns;
  std::vector<RejectRow> cell_rejects;
  for (int attempt = 0;; ++attempt) {
    columns.clear();
    columns.resize(ncols);
    cell_rejects.clear();
    for (size_t c = 0; c < ncols; ++c) columns[c].Init(specs[c].type, rows.size());
    std::vector<std::optional<DataType>> widen(ncols);
    std::vector<const Cell*> by_column(ncols);
    size_t kept = 0;
    for (size_t r = 0; r < rows.size(); ++r) {
      std::fill(by_column.begin(), by_column.end(), nullptr);
      const size_t end = r + 1 < rows.size() ? rows[r + 1].first_cell : cells.size();
      for (size_t i = rows[r].first_cell; i < end; ++i) by_column[cells[i].column] = &cells[i];
      for (size_t c = 0; c < ncols; ++c) {
        const Cell* cell = by_column[c];
        if (!cell || cell->kind == Kind::kNull) {
          columns[c].AppendNull();
          continue;
        }
        const std::string_view t(arena.data() + cell->offset, cell->size);
        const bool quoted = cell->kind == Kind::kString;
        const NullMatcher& matcher = nulls;
        DataType widen_to;
        CellStatus st;
        if (!quoted && !t.empty()) {
          // Numbers, bools and nested JSON are never null markers.
          static const NullMatcher kNoMarkers({});
          st = columns[c].Append(specs[c], kNoMarkers, t, true, false, 0, &widen_to);
        } else {
          st = columns[c].Append(specs[c], matcher, t, quoted, false, 0, &widen_to);
        }
        if (st == CellStatus::kOk) continue;
        if (st == CellStatus::kWiden) {
          widen[c] = widen[c] ? WidenType(*widen[c], widen_to) : widen_to;
          continue;
        }
        std::string reason;
        if (st == CellStatus::kBadUtf8) {
          reason = "invalid UTF-8";
        } else {
          reason = fmt::format("{} is not {}", QuoteForMessage(t), TypeWithArticle(specs[c].type));
        }
        if (!reject) {
          Fail(ErrorCode::kInvalidData, "{}:{} (column \"{}\"): {}. {}", name, rows[r].line,
               specs[c].name, reason, kCellFixes);
        }
        for (size_t k = 0; k < ncols; ++k) columns[k].Truncate(kept);
        cell_rejects.push_back(
            {rows[r].line, specs[c].name, std::string(t), reason,
             std::string(text.substr(rows[r].raw_begin, rows[r].raw_end - rows[r].raw_begin))});
        goto next_row;
      }
      ++kept;
    next_row:;
    }
    bool widened = false;
    for (size_t c = 0; c < ncols; ++c) {
      if (!widen[c]) continue;
      const DataType t = WidenType(specs[c].type, *widen[c]);
      if (t != specs[c].type) {
        specs[c].type = t;
        widened = true;
      }
    }
    if (!widened || attempt >= 16) break;
  }
  for (auto& r : cell_rejects) rejects.push_back(std::move(r));
  std::sort(rejects.begin(), rejects.end(),
            [](const RejectRow& a, const RejectRow& b) { return a.line < b.line; });
  ReportRejects(rejects, options, &rep);
  std::vector<ColumnPtr> out(ncols);
  for (size_t c = 0; c < ncols; ++c) out[c] = ColumnChunk::Merge(specs[c].type, {&columns[c]});
  return TableOf(specs, std::move(out));
}

}  // namespace prospect::io
