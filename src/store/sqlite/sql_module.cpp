// SQLite virtual tables over column chunks (see sql_module.hpp).
#include "store/sqlite/sql_module.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"
#include "store/sqlite/statement.hpp"

namespace prospect::sqlite_store {
namespace {

struct VirtualTable : sqlite3_vtab {
  sqlite3* db = nullptr;
  SqlModuleState* state = nullptr;
  TableInfo info;
};

// One numeric comparison SQLite handed to xFilter: column `position` OP value.
struct Bound {
  size_t position;
  unsigned char op;
  bool is_int;
  int64_t i;
  double d;
};

struct Cursor : sqlite3_vtab_cursor {
  std::vector<size_t> positions;  // stored positions of the columns the query uses
  std::vector<int> slot;          // table column → index into positions, -1 when unused
  std::vector<size_t> chunk_rows;
  std::vector<char> skip;  // per chunk: its min/max rule out a bound
  size_t chunk = 0, row = 0;
  int64_t first_row_of_chunk = 0;
  std::optional<Table> data;  // the current chunk's used columns
  std::string scratch;
};

VirtualTable& TableOf(sqlite3_vtab_cursor* cursor) {
  return *static_cast<VirtualTable*>(cursor->pVtab);
}

bool IsNumericStorage(DataType type) {
  return type == DataType::kInt64 || type == DataType::kDouble || type == DataType::kBool;
}

std::string_view SqlType(DataType type) {
  switch (type) {
    case DataType::kInt64:
    case DataType::kBool: return "INTEGER";
    case DataType::kDouble: return "REAL";
    default: return "TEXT";
  }
}

// Runs `body`; an exception becomes the table's error message and SQLITE_ERROR, and the first
// prospect::Error is kept for the query to rethrow with its code.
template <typename Body>
int Guard(sqlite3_vtab* table, Body body) {
  try {
    return body();
  } catch (const std::exception& e) {
    auto* vt = static_cast<VirtualTable*>(table);
    if (!vt->state->failure) vt->state->failure = std::current_exception();
    sqlite3_free(table->zErrMsg);
    table->zErrMsg = sqlite3_mprintf("%s", e.what());
    return SQLITE_ERROR;
  }
}

// -1, 0 or 1 as a is below, equal to or above b, exactly (no rounding of large integers).
int CompareIntDouble(int64_t a, double b) {
  if (b >= 9223372036854775808.0) return -1;
  if (b < -9223372036854775808.0) return 1;
  const double floor_b = std::floor(b);
  const auto whole = static_cast<int64_t>(floor_b);
  if (a != whole) return a < whole ? -1 : 1;
  return b > floor_b ? -1 : 0;
}

// -1, 0 or 1 comparing a stored min or max (column `value` of `s`) with a bound's value.
int CompareStored(Statement& s, int value, const Bound& bound) {
  if (sqlite3_column_type(s.get(), value) == SQLITE_INTEGER) {
    const int64_t v = s.Int(value);
    if (bound.is_int) return v < bound.i ? -1 : v > bound.i;
    return CompareIntDouble(v, bound.d);
  }
  const double v = sqlite3_column_double(s.get(), value);
  if (bound.is_int) return -CompareIntDouble(bound.i, v);
  return v < bound.d ? -1 : v > bound.d;
}

// True when no value in [min, max] can satisfy `bound`.
bool RulesOut(int min_vs_bound, int max_vs_bound, unsigned char op) {
  switch (op) {
    case SQLITE_INDEX_CONSTRAINT_EQ: return min_vs_bound > 0 || max_vs_bound < 0;
    case SQLITE_INDEX_CONSTRAINT_GT: return max_vs_bound <= 0;
    case SQLITE_INDEX_CONSTRAINT_GE: return max_vs_bound < 0;
    case SQLITE_INDEX_CONSTRAINT_LT: return min_vs_bound >= 0;
    case SQLITE_INDEX_CONSTRAINT_LE: return min_vs_bound > 0;
    default: return false;
  }
}

int Connect(sqlite3* db, void* aux, int argc, const char* const* argv, sqlite3_vtab** out,
            char** error) {
  auto* state = static_cast<SqlModuleState*>(aux);
  if (argc != 4) {
    *error = sqlite3_mprintf("prospect_table takes one argument, the table name");
    return SQLITE_ERROR;
  }
  std::string name = argv[3];
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"')
    name = name.substr(1, name.size() - 2);
  try {
    auto info = state->source->FindTable(name);
    if (!info) {
      *error = sqlite3_mprintf("no table \"%s\" in the workspace", name.c_str());
      return SQLITE_ERROR;
    }
    std::string declaration = "CREATE TABLE x(";
    for (size_t i = 0; i < info->schema.size(); ++i) {
      declaration += (i ? ", " : "") + QuoteIdent(info->schema.field(i).name) + " " +
                     std::string(SqlType(info->schema.field(i).type));
    }
    const int rc = sqlite3_declare_vtab(db, (declaration + ")").c_str());
    if (rc != SQLITE_OK) return rc;
    auto* table = new VirtualTable();
    table->db = db;
    table->state = state;
    table->info = std::move(*info);
    *out = table;
    return SQLITE_OK;
  } catch (const std::exception& e) {
    *error = sqlite3_mprintf("%s", e.what());
    return SQLITE_ERROR;
  }
}

int Disconnect(sqlite3_vtab* table) {
  delete static_cast<VirtualTable*>(table);
  return SQLITE_OK;
}

// The plan goes to xFilter as idxStr: the columns used (colUsed, hex), then per numeric
// constraint handed over "column:op".
int BestIndex(sqlite3_vtab* table, sqlite3_index_info* plan) {
  const auto& info = static_cast<VirtualTable*>(table)->info;
  std::string constraints;
  int handed = 0;
  for (int i = 0; i < plan->nConstraint; ++i) {
    const auto& c = plan->aConstraint[i];
    const bool comparison =
        c.op == SQLITE_INDEX_CONSTRAINT_EQ || c.op == SQLITE_INDEX_CONSTRAINT_GT ||
        c.op == SQLITE_INDEX_CONSTRAINT_GE || c.op == SQLITE_INDEX_CONSTRAINT_LT ||
        c.op == SQLITE_INDEX_CONSTRAINT_LE;
    if (!c.usable || !comparison || c.iColumn < 0 ||
        !IsNumericStorage(info.schema.field(static_cast<size_t>(c.iColumn)).type)) {
      continue;
    }
    plan->aConstraintUsage[i].argvIndex = ++handed;
    plan->aConstraintUsage[i].omit = 0;  // SQLite still checks every row: skipping is a hint
    constraints += fmt::format(";{}:{}", c.iColumn, static_cast<int>(c.op));
  }
  plan->idxStr = sqlite3_mprintf("%llx%s", static_cast<unsigned long long>(plan->colUsed),
                                 constraints.c_str());
  plan->needToFreeIdxStr = 1;
  const double rows = static_cast<double>(std::max<int64_t>(info.rows, 1));
  plan->estimatedRows = static_cast<sqlite3_int64>(handed ? rows / 4 : rows);
  plan->estimatedCost = handed ? rows / 4 : rows;
  return SQLITE_OK;
}

int Open(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
  *out = new Cursor();
  return SQLITE_OK;
}

int Close(sqlite3_vtab_cursor* cursor) {
  delete static_cast<Cursor*>(cursor);
  return SQLITE_OK;
}

// Moves to the first chunk at or after `chunk` that is not skipped, and decodes it.
void Position(Cursor& cur, VirtualTable& table, size_t chunk) {
  while (chunk < cur.chunk_rows.size() && cur.skip[chunk]) {
    cur.first_row_of_chunk += static_cast<int64_t>(cur.chunk_rows[chunk]);
    ++chunk;
  }
  cur.chunk = chunk;
  cur.row = 0;
  cur.data.reset();
  if (chunk < cur.chunk_rows.size() && !cur.positions.empty()) {
    cur.data = table.state->source->ReadChunks(table.info, cur.positions, chunk, chunk + 1,
                                               *table.state->ctx);
  }
}

int Filter(sqlite3_vtab_cursor* cursor, int, const char* plan, int argc, sqlite3_value** argv) {
  return Guard(cursor->pVtab, [&] {
    auto& cur = *static_cast<Cursor*>(cursor);
    auto& table = TableOf(cursor);
    const Schema& schema = table.info.schema;
    char* end = nullptr;
    const unsigned long long used = std::strtoull(plan, &end, 16);
    cur.positions.clear();
    cur.slot.assign(schema.size(), -1);
    for (size_t j = 0; j < schema.size(); ++j) {
      if (used & (j < 63 ? uint64_t{1} << j : uint64_t{1} << 63)) {
        cur.slot[j] = static_cast<int>(cur.positions.size());
        cur.positions.push_back(j);
      }
    }
    std::vector<Bound> bounds;
    for (int k = 0; k < argc && end && *end == ';'; ++k) {
      const size_t column = std::strtoull(end + 1, &end, 10);
      const auto op = static_cast<unsigned char>(std::strtoul(end + 1, &end, 10));
      // Only numbers: a text compared with a numeric column goes through SQLite's affinity
      // rules, which the check of every row applies anyway.
      const int kind = sqlite3_value_type(argv[k]);
      if (kind == SQLITE_INTEGER) {
        bounds.push_back({column, op, true, sqlite3_value_int64(argv[k]), 0});
      } else if (kind == SQLITE_FLOAT && !std::isnan(sqlite3_value_double(argv[k]))) {
        bounds.push_back({column, op, false, 0, sqlite3_value_double(argv[k])});
      }
    }
    cur.chunk_rows = table.state->source->ChunkRows(table.info);
    cur.skip.assign(cur.chunk_rows.size(), 0);
    if (!bounds.empty()) {
      Statement s(table.db,
                  "SELECT chunk, min_value, max_value FROM prospect_chunks WHERE table_name = ?1 "
                  "AND column_position = ?2 AND chunk >= 0 ORDER BY chunk");
      for (const Bound& bound : bounds) {
        s.Reset();
        s.Bind(1, table.info.name);
        s.Bind(2, static_cast<int64_t>(bound.position));
        while (s.Step()) {
          const auto chunk = static_cast<size_t>(s.Int(0));
          if (chunk >= cur.skip.size()) break;  // ChunkRows checked the numbering
          // An all-null chunk (no min) holds no value a comparison can match.
          if (s.IsNull(1) ||
              RulesOut(CompareStored(s, 1, bound), CompareStored(s, 2, bound), bound.op)) {
            cur.skip[chunk] = 1;
          }
        }
      }
    }
    cur.first_row_of_chunk = 0;
    Position(cur, table, 0);
    return SQLITE_OK;
  });
}

int Next(sqlite3_vtab_cursor* cursor) {
  return Guard(cursor->pVtab, [&] {
    auto& cur = *static_cast<Cursor*>(cursor);
    if (++cur.row == cur.chunk_rows[cur.chunk]) {
      cur.first_row_of_chunk += static_cast<int64_t>(cur.chunk_rows[cur.chunk]);
      Position(cur, TableOf(cursor), cur.chunk + 1);
    }
    return SQLITE_OK;
  });
}

int Eof(sqlite3_vtab_cursor* cursor) {
  const auto& cur = *static_cast<Cursor*>(cursor);
  return cur.chunk >= cur.chunk_rows.size();
}

int ColumnValue(sqlite3_vtab_cursor* cursor, sqlite3_context* out, int j) {
  auto& cur = *static_cast<Cursor*>(cursor);
  const int slot = cur.slot[static_cast<size_t>(j)];
  if (slot < 0 || !cur.data) {  // SQLite asked for a column its plan did not use
    sqlite3_result_null(out);
    return SQLITE_OK;
  }
  const Column& c = *cur.data->column(static_cast<size_t>(slot));
  const size_t r = cur.row;
  if (c.IsNull(r)) {
    sqlite3_result_null(out);
    return SQLITE_OK;
  }
  switch (c.type()) {
    case DataType::kInt64: sqlite3_result_int64(out, c.ints()[r]); break;
    case DataType::kBool: sqlite3_result_int64(out, c.bools()[r]); break;
    case DataType::kDouble: sqlite3_result_double(out, c.doubles()[r]); break;
    case DataType::kString:
    case DataType::kCategorical: {
      const std::string_view text = c.StringAt(r);
      sqlite3_result_text64(out, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      break;
    }
    case DataType::kDate:
    case DataType::kTimestamp:
      cur.scratch.clear();
      if (c.type() == DataType::kDate) {
        AppendDate(cur.scratch, c.ints()[r]);
      } else {
        AppendTimestamp(cur.scratch, c.ints()[r]);
      }
      sqlite3_result_text64(out, cur.scratch.data(), cur.scratch.size(), SQLITE_TRANSIENT,
                            SQLITE_UTF8);
      break;
  }
  return SQLITE_OK;
}

int Rowid(sqlite3_vtab_cursor* cursor, sqlite3_int64* rowid) {
  const auto& cur = *static_cast<Cursor*>(cursor);
  *rowid = cur.first_row_of_chunk + static_cast<int64_t>(cur.row) + 1;
  return SQLITE_OK;
}

sqlite3_module MakeModule() {
  sqlite3_module m{};
  m.iVersion = 1;
  m.xCreate = Connect;
  m.xConnect = Connect;
  m.xBestIndex = BestIndex;
  m.xDisconnect = Disconnect;
  m.xDestroy = Disconnect;
  m.xOpen = Open;
  m.xClose = Close;
  m.xFilter = Filter;
  m.xNext = Next;
  m.xEof = Eof;
  m.xColumn = ColumnValue;
  m.xRowid = Rowid;
  return m;  // no xUpdate: the tables are read-only
}

const sqlite3_module kModule = MakeModule();

// Allows what reading needs and nothing else; records the first refused action.
int ReadOnlyAuthorizer(void* refused, int action, const char*, const char*, const char*,
                       const char*) {
  switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_FUNCTION:
    case SQLITE_RECURSIVE: return SQLITE_OK;
    default:
      auto* first = static_cast<int*>(refused);
      if (*first < 0) *first = action;
      return SQLITE_DENY;
  }
}

// One result column, typed by its values: int64 until a real or a text arrives, then double or
// string (the values so far are converted once).
class ResultColumn {
 public:
  void Add(sqlite3_stmt* s, int i) {
    const int kind = sqlite3_column_type(s, i);
    if (kind == SQLITE_NULL) {
      builder_.AppendNull();
      return;
    }
    const DataType want = kind == SQLITE_INTEGER ? DataType::kInt64
                          : kind == SQLITE_FLOAT ? DataType::kDouble
                                                 : DataType::kString;
    if (Rank(want) > Rank(builder_.type())) Promote(want);
    switch (builder_.type()) {
      case DataType::kInt64: builder_.AppendInt(sqlite3_column_int64(s, i)); break;
      case DataType::kDouble: builder_.AppendDouble(sqlite3_column_double(s, i)); break;
      default: {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
        builder_.AppendString(
            std::string_view(text, static_cast<size_t>(sqlite3_column_bytes(s, i))));
      }
    }
    any_value_ = true;
  }
  /// The column; one with no value at all is text.
  ColumnPtr Finish() {
    if (!any_value_) Promote(DataType::kString);
    return builder_.Finish();
  }

 private:
  static int Rank(DataType t) { return t == DataType::kInt64 ? 0 : t == DataType::kDouble ? 1 : 2; }
  void Promote(DataType to) {
    const ColumnPtr so_far = builder_.Finish();
    builder_ = ColumnBuilder(to);
    builder_.Reserve(so_far->size());
    for (size_t r = 0; r < so_far->size(); ++r) {
      if (so_far->IsNull(r)) {
        builder_.AppendNull();
      } else if (to == DataType::kDouble) {
        builder_.AppendDouble(so_far->NumericAt(r));
      } else {
        builder_.AppendString(so_far->FormatValue(r));
      }
    }
  }

  ColumnBuilder builder_{DataType::kInt64};
  bool any_value_ = false;
};

}  // namespace

Table RunReadOnlyQuery(sqlite3* db, SqlModuleState* state, const std::string& sql,
                       const Context& ctx) {
  state->ctx = &ctx;
  state->failure = nullptr;
  int refused = -1;
  sqlite3_set_authorizer(db, ReadOnlyAuthorizer, &refused);
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &raw, &tail);
  sqlite3_set_authorizer(db, nullptr, nullptr);
  const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
  if (refused >= 0) {
    Fail(ErrorCode::kInvalidArgument,
         "prospect sql only reads: the statement would change the workspace or its connection "
         "(as INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, ATTACH, PRAGMA and transactions do). "
         "Query with SELECT or WITH ... SELECT; tables change through prospect ingest");
  }
  if (rc != SQLITE_OK) Fail(ErrorCode::kInvalidArgument, "sql: {}", sqlite3_errmsg(db));
  if (!stmt) Fail(ErrorCode::kInvalidArgument, "sql: the text holds no statement");
  if (std::string_view(tail).find_first_not_of(" \t\r\n;") != std::string_view::npos) {
    Fail(ErrorCode::kInvalidArgument,
         "sql: one statement at a time; the text goes on after the first: {}",
         QuoteForMessage(std::string_view(tail).substr(0, 60)));
  }
  if (!sqlite3_stmt_readonly(stmt.get()))
    Fail(ErrorCode::kInvalidArgument, "prospect sql only reads: use SELECT or WITH ... SELECT");
  const int n = sqlite3_column_count(stmt.get());
  std::vector<ResultColumn> columns(static_cast<size_t>(n));
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) names.emplace_back(sqlite3_column_name(stmt.get(), i));
  for (uint64_t rows = 1;; ++rows) {
    const int step = sqlite3_step(stmt.get());
    if (step == SQLITE_DONE) break;
    if (step != SQLITE_ROW) {
      if (state->failure) std::rethrow_exception(state->failure);
      Fail(step == SQLITE_INTERRUPT ? ErrorCode::kCancelled : ErrorCode::kInvalidArgument,
           "sql: {}", sqlite3_errmsg(db));
    }
    for (int i = 0; i < n; ++i) columns[static_cast<size_t>(i)].Add(stmt.get(), i);
    if (rows % 65536 == 0) ctx.ThrowIfCancelled();
  }
  // Names as SQLite gives them; a repeated name gets a suffix so the table stays addressable.
  std::vector<Field> fields;
  std::vector<ColumnPtr> data;
  for (int i = 0; i < n; ++i) {
    std::string name = names[static_cast<size_t>(i)];
    for (int k = 2;
         std::any_of(fields.begin(), fields.end(), [&](const Field& f) { return f.name == name; });
         ++k) {
      name = fmt::format("{}_{}", names[static_cast<size_t>(i)], k);
    }
    data.push_back(columns[static_cast<size_t>(i)].Finish());
    fields.push_back({name, data.back()->type()});
  }
  return Table(Schema(std::move(fields)), std::move(data));
}

void RegisterSqlModule(sqlite3* db, SqlModuleState* state) {
  const int rc = sqlite3_create_module_v2(db, "prospect_table", &kModule, state, nullptr);
  if (rc != SQLITE_OK)
    Fail(ErrorCode::kInternal, "store: cannot register the SQL module: {}", sqlite3_errmsg(db));
}

}  // namespace prospect::sqlite_store
