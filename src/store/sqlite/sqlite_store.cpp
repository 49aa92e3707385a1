// SQLite store. Tables are stored as ordinary SQL tables named as the user named them (so they can
// be queried with sqlite3); the logical types live in the catalogue (prospect_columns). Dates and
// timestamps are stored as ISO text, booleans as 0/1.
#include "store/sqlite/sqlite_store.hpp"

#include <sqlite3.h>

#include <unordered_map>
#include <unordered_set>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"

namespace prospect {
namespace {

// Each entry migrates the store from version i to i+1. Never edit a released entry: append.
const char* const kMigrations[] = {
    R"sql(
CREATE TABLE prospect_tables(
  name TEXT PRIMARY KEY,
  rows INTEGER NOT NULL,
  key_column TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL);
CREATE TABLE prospect_columns(
  table_name TEXT NOT NULL REFERENCES prospect_tables(name) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  PRIMARY KEY (table_name, position));
CREATE TABLE prospect_ingests(
  id INTEGER PRIMARY KEY,
  table_name TEXT NOT NULL,
  source TEXT NOT NULL,
  mode TEXT NOT NULL,
  rows_read INTEGER NOT NULL,
  rows_loaded INTEGER NOT NULL,
  rows_rejected INTEGER NOT NULL,
  rows_deduplicated INTEGER NOT NULL,
  at TEXT NOT NULL);
CREATE TABLE prospect_objects(
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  meta TEXT NOT NULL,
  body BLOB,
  created_at TEXT NOT NULL,
  PRIMARY KEY (kind, name, version));
CREATE TABLE prospect_audit(
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL);
)sql",
};
constexpr int kSchemaVersion = static_cast<int>(sizeof(kMigrations) / sizeof(kMigrations[0]));

std::string QuoteIdent(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string_view SqlType(DataType type) {
  switch (type) {
    case DataType::kInt64:
    case DataType::kBool: return "INTEGER";
    case DataType::kDouble: return "REAL";
    default: return "TEXT";
  }
}

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
        SQLITE_OK) {
      Fail(ErrorCode::kIo, "store: cannot prepare statement: {}", sqlite3_errmsg(db));
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  sqlite3_stmt* get() { return stmt_; }
  /// Steps once; true if a row is available.
  bool Step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    Fail(rc == SQLITE_FULL ? ErrorCode::kResourceExhausted : ErrorCode::kIo, "store: {}",
         sqlite3_errmsg(db_));
  }
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  void Bind(int i, std::string_view text) {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  }
  void BindCopy(int i, const std::string& text) {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void Bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void BindBlob(int i, const std::string& bytes) {
    sqlite3_bind_blob(stmt_, i, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
  }
  std::string Text(int i) {
    const unsigned char* p = sqlite3_column_text(stmt_, i);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<size_t>(sqlite3_column_bytes(stmt_, i)))
             : std::string();
  }
  int64_t Int(int i) { return sqlite3_column_int64(stmt_, i); }
  bool IsNull(int i) { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::string& path) : path_(path) {
    // NOMUTEX: a Store is used by one thread at a time, so SQLite need not lock the connection on
    // every call (those lock calls were about 13 % of `prospect score`'s samples on bank).
    if (sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      db_ = nullptr;
      Fail(ErrorCode::kIo, "cannot open store {}: {}", path, msg);
    }
    sqlite3_busy_timeout(db_, 10000);
    try {
      Exec("PRAGMA journal_mode=WAL");
      Exec("PRAGMA synchronous=NORMAL");
      Exec("PRAGMA foreign_keys=ON");
      Migrate();
    } catch (...) {
      sqlite3_close(db_);  // the destructor does not run when the constructor throws
      throw;
    }
  }
  ~SqliteStore() override { sqlite3_close(db_); }

  std::vector<TableInfo> ListTables() override {
    std::vector<TableInfo> out;
    Statement s(db_, "SELECT name FROM prospect_tables ORDER BY name");
    std::vector<std::string> names;
    while (s.Step()) names.push_back(s.Text(0));
    for (const auto& n : names) out.push_back(*FindTable(n));
    return out;
  }

  std::optional<TableInfo> FindTable(const std::string& name) override {
    Statement s(
        db_,
        "SELECT rows, key_column, created_at, updated_at FROM prospect_tables WHERE name = ?1");
    s.Bind(1, name);
    if (!s.Step()) return std::nullopt;
    TableInfo info;
    info.name = name;
    info.rows = s.Int(0);
    if (!s.IsNull(1)) info.key = s.Text(1);
    info.created_at = s.Text(2);
    info.updated_at = s.Text(3);
    Statement c(db_,
                "SELECT name, type FROM prospect_columns WHERE table_name = ?1 ORDER BY position");
    c.Bind(1, name);
    std::vector<Field> fields;
    while (c.Step()) {
      const std::string type_name = c.Text(1);
      const auto type = ParseDataType(type_name);
      if (!type)
        Fail(ErrorCode::kInvalidData, "store: table {} has a column of unknown type \"{}\"", name,
             type_name);
      fields.push_back({c.Text(0), *type});
    }
    info.schema = Schema(std::move(fields));
    return info;
  }

  void Scan(const std::string& name, const std::vector<std::string>& columns, size_t rows_per_chunk,
            const ChunkCallback& on_chunk, const Context& ctx) override {
    if (rows_per_chunk == 0)
      Fail(ErrorCode::kInvalidArgument, "store: rows_per_chunk must be at least 1");
    const auto info = FindTable(name);
    if (!info) NotFound(name);
    const Schema& stored = info->schema;
    std::vector<Field> fields;
    for (const std::string& column : columns) {
      const int i = stored.IndexOf(column);
      if (i < 0) {
        Fail(ErrorCode::kNotFound, "table {} has no column \"{}\". {}Columns: {}.", name, column,
             DidYouMean(column, stored.Names()), Join(stored.Names(), ", "));
      }
      fields.push_back(stored.field(static_cast<size_t>(i)));
    }
    const Schema schema = columns.empty() ? stored : Schema(std::move(fields));
    std::string sql = "SELECT ";
    for (size_t i = 0; i < schema.size(); ++i)
      sql += (i ? ", " : "") + QuoteIdent(schema.field(i).name);
    sql += " FROM " + QuoteIdent(name) + " ORDER BY rowid";
    Statement s(db_, sql);
    const size_t total = static_cast<size_t>(info->rows);
    std::vector<ColumnBuilder> builders;
    auto start_chunk = [&](size_t done) {
      builders.clear();
      for (const auto& f : schema.fields()) {
        builders.emplace_back(f.type);
        builders.back().Reserve(std::min(rows_per_chunk, total - std::min(done, total)));
      }
    };
    auto finish_chunk = [&] {
      std::vector<ColumnPtr> built;
      for (auto& b : builders) built.push_back(b.Finish());
      on_chunk(Table(schema, std::move(built)));
    };
    start_chunk(0);
    size_t row = 0, in_chunk = 0;
    bool emitted = false;
    while (s.Step()) {
      for (size_t c = 0; c < schema.size(); ++c)
        AppendCell(s, static_cast<int>(c), schema.field(c), name, row, builders[c]);
      ++row;
      if (++in_chunk == rows_per_chunk) {
        finish_chunk();
        emitted = true;
        in_chunk = 0;
        start_chunk(row);
      }
      if (row % 65536 == 0) {
        ctx.ThrowIfCancelled();
        ctx.Progress("load", row, static_cast<uint64_t>(info->rows));
      }
    }
    if (in_chunk > 0 || !emitted) finish_chunk();
  }

  void WriteTable(const std::string& name, const Table& table, const WriteOptions& options,
                  const Context& ctx) override {
    CheckTableName(name);
    Transaction tx(this);
    const auto existing = FindTable(name);
    std::optional<std::string> key = options.key;
    const bool append = options.mode == WriteMode::kAppend && existing.has_value();
    if (append) {
      CheckSameSchema(name, existing->schema, table.schema());
      if (key && existing->key && *key != *existing->key) {
        Fail(ErrorCode::kInvalidArgument,
             "table {} is keyed on \"{}\"; --key {} differs. Use --mode replace to change the key",
             name, *existing->key, *key);
      }
      if (!key) key = existing->key;
    }
    int key_index = -1;
    if (key) {
      key_index = table.schema().IndexOf(*key);
      if (key_index < 0) {
        Fail(ErrorCode::kInvalidArgument, "--key {}: no such column. {}Columns: {}.", *key,
             DidYouMean(*key, table.schema().Names()), Join(table.schema().Names(), ", "));
      }
    }
    // Rows to write: all, or the last row for each key.
    std::vector<size_t> rows;
    int64_t deduplicated = 0;
    if (key_index >= 0) {
      const Column& kc = *table.column(static_cast<size_t>(key_index));
      std::unordered_map<std::string, size_t> last;
      for (size_t r = 0; r < table.num_rows(); ++r) {
        if (kc.IsNull(r)) {
          Fail(ErrorCode::kInvalidData,
               "table {}: key column \"{}\" is empty in data row {}; keys must not be null", name,
               *key, r + 1);
        }
        last[kc.FormatValue(r)] = r;
      }
      for (size_t r = 0; r < table.num_rows(); ++r) {
        if (last[kc.FormatValue(r)] == r) rows.push_back(r);
      }
      deduplicated = static_cast<int64_t>(table.num_rows() - rows.size());
    }
    const std::string now = NowUtc();
    int64_t stored_rows = 0;
    if (!append) {
      Exec("DROP TABLE IF EXISTS " + QuoteIdent(name));
      Exec("DELETE FROM prospect_tables WHERE name = " + QuoteLiteral(name));
      std::string create = "CREATE TABLE " + QuoteIdent(name) + " (";
      for (size_t i = 0; i < table.num_columns(); ++i) {
        create += (i ? ", " : "") + QuoteIdent(table.schema().field(i).name) + " " +
                  std::string(SqlType(table.schema().field(i).type));
      }
      Exec(create + ")");
      Statement t(db_,
                  "INSERT INTO prospect_tables(name, rows, key_column, created_at, updated_at) "
                  "VALUES (?1, 0, ?2, ?3, ?3)");
      t.Bind(1, name);
      if (key) t.Bind(2, *key);
      t.Bind(3, now);
      t.Step();
      Statement c(
          db_,
          "INSERT INTO prospect_columns(table_name, position, name, type) VALUES (?1, ?2, ?3, ?4)");
      for (size_t i = 0; i < table.num_columns(); ++i) {
        c.Reset();
        c.Bind(1, name);
        c.Bind(2, static_cast<int64_t>(i));
        c.Bind(3, table.schema().field(i).name);
        c.Bind(4, DataTypeName(table.schema().field(i).type));
        c.Step();
      }
    } else {
      stored_rows = existing->rows;
    }
    if (key) {
      Exec("CREATE UNIQUE INDEX IF NOT EXISTS " + QuoteIdent("prospect_key_" + name) + " ON " +
           QuoteIdent(name) + "(" + QuoteIdent(*key) + ")");
      Statement k(db_, "UPDATE prospect_tables SET key_column = ?1 WHERE name = ?2");
      k.Bind(1, *key);
      k.Bind(2, name);
      k.Step();
    }
    if (append && key_index >= 0) {
      // Upsert: a new row replaces the stored row with the same key.
      Statement del(db_,
                    "DELETE FROM " + QuoteIdent(name) + " WHERE " + QuoteIdent(*key) + " = ?1");
      const Column& kc = *table.column(static_cast<size_t>(key_index));
      std::string cell;
      for (size_t r : rows) {
        del.Reset();
        BindCell(del, 1, kc, r, cell);
        del.Step();
        const int64_t changed = sqlite3_changes(db_);
        stored_rows -= changed;
        deduplicated += changed;
      }
    }
    InsertRows(name, table, key_index >= 0 ? &rows : nullptr, ctx);
    stored_rows += static_cast<int64_t>(key_index >= 0 ? rows.size() : table.num_rows());
    Statement u(db_, "UPDATE prospect_tables SET rows = ?1, updated_at = ?2 WHERE name = ?3");
    u.Bind(1, stored_rows);
    u.Bind(2, now);
    u.Bind(3, name);
    u.Step();
    if (options.history) {
      const IngestRecord& h = *options.history;
      Statement i(db_,
                  "INSERT INTO prospect_ingests(table_name, source, mode, rows_read, rows_loaded, "
                  "rows_rejected, "
                  "rows_deduplicated, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
      i.Bind(1, name);
      i.Bind(2, h.source);
      i.Bind(3, h.mode);
      i.Bind(4, h.rows_read);
      i.Bind(5, static_cast<int64_t>(key_index >= 0 ? rows.size() : table.num_rows()));
      i.Bind(6, h.rows_rejected);
      i.Bind(7, deduplicated);
      i.Bind(8, now);
      i.Step();
    }
    tx.Commit();
  }

  void DropTable(const std::string& name) override {
    Transaction tx(this);
    if (!FindTable(name)) NotFound(name);
    Exec("DROP TABLE IF EXISTS " + QuoteIdent(name));
    Exec("DELETE FROM prospect_tables WHERE name = " + QuoteLiteral(name));
    tx.Commit();
  }

  std::vector<IngestRecord> IngestHistory(const std::string& table) override {
    Statement s(db_,
                "SELECT id, source, mode, rows_read, rows_loaded, rows_rejected, "
                "rows_deduplicated, at FROM "
                "prospect_ingests WHERE table_name = ?1 ORDER BY id");
    s.Bind(1, table);
    std::vector<IngestRecord> out;
    while (s.Step()) {
      IngestRecord r;
      r.id = s.Int(0);
      r.table = table;
      r.source = s.Text(1);
      r.mode = s.Text(2);
      r.rows_read = s.Int(3);
      r.rows_loaded = s.Int(4);
      r.rows_rejected = s.Int(5);
      r.rows_deduplicated = s.Int(6);
      r.at = s.Text(7);
      out.push_back(std::move(r));
    }
    return out;
  }

  int64_t PutObject(const std::string& kind, const std::string& name, const nlohmann::json& meta,
                    const std::string& body) override {
    Transaction tx(this);
    Statement v(
        db_,
        "SELECT COALESCE(MAX(version), 0) FROM prospect_objects WHERE kind = ?1 AND name = ?2");
    v.Bind(1, kind);
    v.Bind(2, name);
    v.Step();
    const int64_t version = v.Int(0) + 1;
    Statement s(db_,
                "INSERT INTO prospect_objects(kind, name, version, meta, body, created_at) VALUES "
                "(?1, ?2, ?3, ?4, ?5, ?6)");
    const std::string meta_text = meta.dump();
    const std::string now = NowUtc();
    s.Bind(1, kind);
    s.Bind(2, name);
    s.Bind(3, version);
    s.Bind(4, meta_text);
    s.BindBlob(5, body);
    s.Bind(6, now);
    s.Step();
    tx.Commit();
    return version;
  }

  std::optional<StoredObject> GetObject(const std::string& kind, const std::string& name,
                                        int64_t version) override {
    Statement s(
        db_,
        version > 0
            ? "SELECT version, meta, body, created_at FROM prospect_objects WHERE kind = ?1 AND "
              "name = ?2 AND version = ?3"
            : "SELECT version, meta, body, created_at FROM prospect_objects WHERE kind = ?1 AND "
              "name = ?2 ORDER BY version DESC LIMIT 1");
    s.Bind(1, kind);
    s.Bind(2, name);
    if (version > 0) s.Bind(3, version);
    if (!s.Step()) return std::nullopt;
    StoredObject o;
    o.kind = kind;
    o.name = name;
    o.version = s.Int(0);
    o.meta = nlohmann::json::parse(s.Text(1));
    const void* blob = sqlite3_column_blob(s.get(), 2);
    o.body.assign(static_cast<const char*>(blob),
                  static_cast<size_t>(sqlite3_column_bytes(s.get(), 2)));
    o.created_at = s.Text(3);
    return o;
  }

  std::vector<StoredObject> ListObjects(const std::string& kind) override {
    Statement s(db_,
                "SELECT name, MAX(version) FROM prospect_objects WHERE kind = ?1 GROUP BY name "
                "ORDER BY name");
    s.Bind(1, kind);
    std::vector<std::pair<std::string, int64_t>> keys;
    while (s.Step()) keys.emplace_back(s.Text(0), s.Int(1));
    std::vector<StoredObject> out;
    for (const auto& [name, version] : keys) {
      auto o = GetObject(kind, name, version);
      o->body.clear();
      out.push_back(std::move(*o));
    }
    return out;
  }

  void Audit(const std::string& action, const std::string& detail) override {
    Statement s(db_, "INSERT INTO prospect_audit(at, action, detail) VALUES (?1, ?2, ?3)");
    const std::string now = NowUtc();
    s.Bind(1, now);
    s.Bind(2, action);
    s.Bind(3, detail);
    s.Step();
  }

  int SchemaVersion() override {
    Statement s(db_, "SELECT version FROM prospect_schema_version");
    return s.Step() ? static_cast<int>(s.Int(0)) : 0;
  }

 private:
  // BEGIN IMMEDIATE ... COMMIT; rolls back in the destructor unless committed.
  class Transaction {
   public:
    explicit Transaction(SqliteStore* store) : store_(store) { store_->Exec("BEGIN IMMEDIATE"); }
    ~Transaction() {
      if (!committed_) sqlite3_exec(store_->db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    void Commit() {
      store_->Exec("COMMIT");
      committed_ = true;
    }

   private:
    SqliteStore* store_;
    bool committed_ = false;
  };

  void Exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      const int code = sqlite3_errcode(db_);
      Fail(code == SQLITE_FULL ? ErrorCode::kResourceExhausted : ErrorCode::kIo, "store {}: {}",
           path_, msg);
    }
  }

  static std::string QuoteLiteral(std::string_view text) {
    std::string out = "'";
    for (char c : text) {
      if (c == '\'') out += '\'';
      out += c;
    }
    return out + "'";
  }

  void Migrate() {
    Exec("CREATE TABLE IF NOT EXISTS prospect_schema_version(version INTEGER NOT NULL)");
    int version = SchemaVersion();
    if (version > kSchemaVersion) {
      Fail(ErrorCode::kFailedPrecondition,
           "store {} has schema version {}, newer than this prospect understands ({}); upgrade "
           "prospect",
           path_, version, kSchemaVersion);
    }
    while (version < kSchemaVersion) {
      Transaction tx(this);
      Exec(kMigrations[version]);
      Exec("DELETE FROM prospect_schema_version");
      Exec("INSERT INTO prospect_schema_version(version) VALUES (" + std::to_string(version + 1) +
           ")");
      tx.Commit();
      ++version;
    }
  }

  // One stored cell into its column builder; `row` (0-based) names it in an error.
  static void AppendCell(Statement& s, int ci, const Field& field, const std::string& table,
                         size_t row, ColumnBuilder& b) {
    if (s.IsNull(ci)) {
      b.AppendNull();
      return;
    }
    switch (field.type) {
      case DataType::kInt64: b.AppendInt(sqlite3_column_int64(s.get(), ci)); return;
      case DataType::kBool: b.AppendBool(sqlite3_column_int64(s.get(), ci) != 0); return;
      case DataType::kDouble: b.AppendDouble(sqlite3_column_double(s.get(), ci)); return;
      case DataType::kString:
      case DataType::kCategorical: {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), ci));
        b.AppendString(std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(s.get(), ci))));
        return;
      }
      case DataType::kDate:
      case DataType::kTimestamp: {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), ci));
        const std::string_view text(p, static_cast<size_t>(sqlite3_column_bytes(s.get(), ci)));
        int64_t v = 0;
        const bool ok =
            field.type == DataType::kDate ? ParseIsoDate(text, &v) : ParseIsoTimestamp(text, &v);
        if (!ok) {
          Fail(ErrorCode::kInvalidData, "store: table {} row {} column {}: {} is not a stored {}",
               table, row + 1, field.name, QuoteForMessage(text), DataTypeName(field.type));
        }
        b.AppendInt(v);
        return;
      }
    }
  }

  [[noreturn]] void NotFound(const std::string& name) {
    std::vector<std::string> names;
    Statement s(db_, "SELECT name FROM prospect_tables ORDER BY name");
    while (s.Step()) names.push_back(s.Text(0));
    Fail(ErrorCode::kNotFound, "no table \"{}\" in the workspace. {}Tables: {}.", name,
         DidYouMean(name, names),
         names.empty() ? std::string("none yet (use prospect ingest)") : Join(names, ", "));
  }

  static void CheckSameSchema(const std::string& name, const Schema& stored,
                              const Schema& incoming) {
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
           "replace, or make "
           "the columns match",
           name, describe(stored), describe(incoming));
    }
  }

  static void BindCell(Statement& s, int index, const Column& col, size_t r, std::string& scratch) {
    if (col.IsNull(r)) {
      sqlite3_bind_null(s.get(), index);
      return;
    }
    switch (col.type()) {
      case DataType::kInt64: s.Bind(index, col.ints()[r]); break;
      case DataType::kBool: s.Bind(index, static_cast<int64_t>(col.bools()[r])); break;
      case DataType::kDouble: sqlite3_bind_double(s.get(), index, col.doubles()[r]); break;
      case DataType::kString:
      case DataType::kCategorical: s.Bind(index, col.StringAt(r)); break;
      case DataType::kDate:
        scratch.clear();
        AppendDate(scratch, col.ints()[r]);
        s.BindCopy(index, scratch);
        break;
      case DataType::kTimestamp:
        scratch.clear();
        AppendTimestamp(scratch, col.ints()[r]);
        s.BindCopy(index, scratch);
        break;
    }
  }

  void InsertRows(const std::string& name, const Table& table, const std::vector<size_t>* rows,
                  const Context& ctx) {
    std::string sql = "INSERT INTO " + QuoteIdent(name) + " VALUES (";
    for (size_t i = 0; i < table.num_columns(); ++i)
      sql += (i ? ", ?" : "?") + std::to_string(i + 1);
    Statement s(db_, sql + ")");
    const size_t n = rows ? rows->size() : table.num_rows();
    std::string scratch;
    for (size_t i = 0; i < n; ++i) {
      const size_t r = rows ? (*rows)[i] : i;
      for (size_t c = 0; c < table.num_columns(); ++c)
        BindCell(s, static_cast<int>(c + 1), *table.column(c), r, scratch);
      s.Step();
      sqlite3_reset(s.get());
      if ((i + 1) % 65536 == 0) {
        ctx.ThrowIfCancelled();
        ctx.Progress("store", i + 1, n);
      }
    }
  }

  std::string path_;
  sqlite3* db_ = nullptr;
};

}  // namespace

std::unique_ptr<Store> OpenSqliteStore(const std::string& path) {
  return std::make_unique<SqliteStore>(path);
}

}  // namespace prospect
