// SQLite store. A table is its catalogue rows (prospect_tables, prospect_columns) and its column
// chunks (prospect_chunks: kRowsPerChunk rows of one column each, typed binary with a checksum and
// min/max; see chunk_codec.hpp). A load reads only the chunks of the columns it asks for and
// decodes them on the Context's threads. `prospect sql` queries the tables through a virtual-table
// module over the chunks (sql_module.hpp).
#include "store/sqlite/sqlite_store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <bit>
#include <numeric>
#include <unordered_map>
#include <unordered_set>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/large_buffer.hpp"
#include "prospect/common/parallel.hpp"
#include "prospect/common/strings.hpp"
#include "store/sqlite/chunk_codec.hpp"
#include "store/sqlite/sql_module.hpp"
#include "store/sqlite/statement.hpp"
#include "store/write_rules.hpp"

namespace prospect {
namespace {

using sqlite_store::EncodedChunk;
using sqlite_store::kRowsPerChunk;
using sqlite_store::QuoteIdent;
using sqlite_store::Statement;

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
    // 2: tables become column chunks (MoveRowTablesIntoChunks moves the data in the same
    // transaction). chunk -1 of a categorical column holds its dictionary.
    R"sql(
CREATE TABLE prospect_chunks(
  table_name TEXT NOT NULL REFERENCES prospect_tables(name) ON DELETE CASCADE,
  column_position INTEGER NOT NULL,
  chunk INTEGER NOT NULL,
  rows INTEGER NOT NULL,
  null_count INTEGER NOT NULL,
  min_value,
  max_value,
  checksum INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (table_name, column_position, chunk));
)sql",
    // 3: the audit log becomes a hash chain with actors (ChainAuditLog hashes the entries made
    // before, in the same transaction); campaign plans' summaries, which were kind "audience",
    // become "campaign_plan" (saved audiences take that kind).
    R"sql(
UPDATE prospect_objects SET kind = 'campaign_plan' WHERE kind = 'audience';
ALTER TABLE prospect_audit ADD COLUMN actor TEXT NOT NULL DEFAULT '';
ALTER TABLE prospect_audit ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE prospect_audit ADD COLUMN hash TEXT NOT NULL DEFAULT '';
)sql",
};
constexpr int kSchemaVersion = static_cast<int>(sizeof(kMigrations) / sizeof(kMigrations[0]));

// Reads prospect_chunks.data of one row after another through one incremental-blob handle: the
// bytes go from SQLite's pages into the caller's buffer with no copy in between.
class BlobReader {
 public:
  explicit BlobReader(sqlite3* db) : db_(db) {}
  ~BlobReader() { sqlite3_blob_close(blob_); }
  BlobReader(const BlobReader&) = delete;
  BlobReader& operator=(const BlobReader&) = delete;

  void Read(int64_t rowid, char* out, size_t size) {
    const int rc = blob_ ? sqlite3_blob_reopen(blob_, rowid)
                         : sqlite3_blob_open(db_, "main", "prospect_chunks", "data", rowid,
                                             /*flags=*/0, &blob_);
    if (rc != SQLITE_OK) Fail(sqlite_store::CodeOf(rc), "store: {}", sqlite3_errmsg(db_));
    if (static_cast<size_t>(sqlite3_blob_bytes(blob_)) != size) {
      Fail(ErrorCode::kIo, "store: chunk row {} changed size while being read", rowid);
    }
    const int read = sqlite3_blob_read(blob_, out, static_cast<int>(size), 0);
    if (read != SQLITE_OK) Fail(sqlite_store::CodeOf(read), "store: {}", sqlite3_errmsg(db_));
  }

 private:
  sqlite3* db_;
  sqlite3_blob* blob_ = nullptr;
};

class SqliteStore final : public Store, private sqlite_store::ChunkSource {
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
      Exec("PRAGMA page_size=65536");
      Exec("PRAGMA journal_mode=WAL");
      Exec("PRAGMA synchronous=NORMAL");
      Exec("PRAGMA foreign_keys=ON");
      Migrate();
      sql_state_.source = this;
      sqlite_store::RegisterSqlModule(db_, &sql_state_);
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
    std::vector<size_t> positions;
    for (const std::string& column : columns) {
      const int i = stored.IndexOf(column);
      if (i < 0) store_rules::ColumnNotFound(name, column, stored);
      positions.push_back(static_cast<size_t>(i));
    }
    if (columns.empty()) {
      for (size_t i = 0; i < stored.size(); ++i) positions.push_back(i);
    }
    const std::vector<size_t> chunk_rows = ChunkRows(*info);
    if (chunk_rows.empty()) {
      on_chunk(ReadChunks(*info, positions, 0, 0, ctx));
      return;
    }
    // Decode a run of stored chunks at a time, hand it over in slices of rows_per_chunk rows, and
    // carry a short tail into the next run.
    const size_t run = std::max<size_t>(1, rows_per_chunk / kRowsPerChunk);
    std::optional<Table> pending;
    size_t done = 0;
    for (size_t first = 0; first < chunk_rows.size(); first += run) {
      const size_t last = std::min(chunk_rows.size(), first + run);
      Table part = ReadChunks(*info, positions, first, last, ctx);
      done += part.num_rows();
      if (pending) part = ConcatTables({*pending, part});
      pending.reset();
      size_t at = 0;
      while (part.num_rows() - at >= rows_per_chunk) {
        on_chunk(at == 0 && part.num_rows() == rows_per_chunk ? part
                                                              : Slice(part, at, rows_per_chunk));
        at += rows_per_chunk;
      }
      if (at < part.num_rows()) pending = at == 0 ? part : Slice(part, at, part.num_rows() - at);
      ctx.ThrowIfCancelled();
      ctx.Progress("load", done, static_cast<uint64_t>(info->rows));
    }
    if (pending) on_chunk(*pending);
  }

  void WriteTable(const std::string& name, const Table& table, const WriteOptions& options,
                  const Context& ctx) override {
    CheckTableName(name);
    Transaction tx(this);
    const auto existing = FindTable(name);
    std::optional<std::string> key = options.key;
    const bool append = options.mode == WriteMode::kAppend && existing.has_value();
    Table data = table;
    if (append) {
      store_rules::CheckSameSchema(name, existing->schema, table.schema());
      key = store_rules::AppendKey(name, key, existing->key);
      data = ConformTo(existing->schema, table);
    }
    const int key_index =
        key ? static_cast<int>(store_rules::KeyColumnIndex(*key, data.schema())) : -1;
    // With a key, the new data keeps the last row for each key, and on append a new row replaces
    // the stored row with its key (the stored table is rewritten without the replaced rows).
    int64_t deduplicated = 0;
    if (key_index >= 0) {
      const std::vector<size_t> rows =
          store_rules::LastRowPerKey(name, *key, *data.column(key_index));
      deduplicated = static_cast<int64_t>(data.num_rows() - rows.size());
      if (rows.size() != data.num_rows()) data = data.Take(rows);
    }
    const int64_t rows_loaded = static_cast<int64_t>(data.num_rows());
    const std::string now = NowUtc();
    if (!append) {
      DeleteFromCatalogue(name);
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
      for (size_t i = 0; i < data.num_columns(); ++i) {
        c.Reset();
        c.Bind(1, name);
        c.Bind(2, static_cast<int64_t>(i));
        c.Bind(3, data.schema().field(i).name);
        c.Bind(4, DataTypeName(data.schema().field(i).type));
        c.Step();
      }
      WriteColumns(name, data, /*appending_to=*/nullptr, ctx);
    } else if (key_index >= 0) {
      const Table stored = LoadTable(name, ctx);
      std::unordered_set<std::string> new_keys;
      const Column& new_key_column = *data.column(key_index);
      for (size_t r = 0; r < data.num_rows(); ++r) new_keys.insert(new_key_column.FormatValue(r));
      const Column& stored_key_column = *stored.column(key_index);
      std::vector<size_t> kept;
      for (size_t r = 0; r < stored.num_rows(); ++r) {
        if (!new_keys.contains(stored_key_column.FormatValue(r))) kept.push_back(r);
      }
      deduplicated += static_cast<int64_t>(stored.num_rows() - kept.size());
      data = ConcatTables({stored.Take(kept), data});
      DeleteChunks(name);
      WriteColumns(name, data, /*appending_to=*/nullptr, ctx);
    } else {
      WriteColumns(name, data, &*existing, ctx);
    }
    const int64_t stored_rows = append && key_index < 0 ? existing->rows + rows_loaded
                                                        : static_cast<int64_t>(data.num_rows());
    Statement u(db_,
                "UPDATE prospect_tables SET rows = ?1, updated_at = ?2, key_column = "
                "COALESCE(?4, key_column) WHERE name = ?3");
    u.Bind(1, stored_rows);
    u.Bind(2, now);
    u.Bind(3, name);
    if (key) u.Bind(4, *key);
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
      i.Bind(5, rows_loaded);
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
    DeleteFromCatalogue(name);
    tx.Commit();
  }

  int64_t DeleteRows(const std::string& name, const std::string& column,
                     const std::unordered_set<std::string>& values, const Context& ctx,
                     Table* deleted_rows) override {
    Transaction tx(this);
    const auto info = FindTable(name);
    if (!info) NotFound(name);
    const int position = info->schema.IndexOf(column);
    if (position < 0) store_rules::ColumnNotFound(name, column, info->schema);
    std::vector<size_t> all(info->schema.size());
    std::iota(all.begin(), all.end(), size_t{0});
    Statement update(db_,
                     "UPDATE prospect_chunks SET rows = ?4, null_count = ?5, min_value = ?6, "
                     "max_value = ?7, checksum = ?8, data = ?9 WHERE table_name = ?1 AND "
                     "column_position = ?2 AND chunk = ?3");
    Statement drop(db_, "DELETE FROM prospect_chunks WHERE table_name = ?1 AND chunk = ?2");
    const std::vector<size_t> chunk_rows = ChunkRows(*info);
    int64_t deleted = 0;
    size_t dropped_chunks = 0;
    std::vector<Table> gone_parts;
    // The column is read a run of chunks at a time; only the chunks holding a matching row are
    // decoded whole and written again.
    constexpr size_t kRun = 16;
    for (size_t first = 0; first < chunk_rows.size(); first += kRun) {
      ctx.ThrowIfCancelled();
      const size_t last = std::min(chunk_rows.size(), first + kRun);
      const std::vector<size_t> matches =
          ReadChunks(*info, {static_cast<size_t>(position)}, first, last, ctx)
              .column(size_t{0})
              ->RowsWithValueIn(values);
      size_t m = 0, offset = 0;
      for (size_t g = first; g < last && m < matches.size(); offset += chunk_rows[g++]) {
        std::vector<size_t> kept, gone;
        for (size_t r = 0; r < chunk_rows[g]; ++r) {
          if (m < matches.size() && matches[m] == offset + r) {
            ++m;
            gone.push_back(r);
          } else {
            kept.push_back(r);
          }
        }
        if (gone.empty()) continue;
        deleted += static_cast<int64_t>(gone.size());
        std::optional<Table> whole;
        if (deleted_rows || !kept.empty()) whole = ReadChunks(*info, all, g, g + 1, ctx);
        if (deleted_rows) gone_parts.push_back(whole->Take(gone));
        if (kept.empty()) {
          drop.Reset();
          drop.Bind(1, name);
          drop.Bind(2, static_cast<int64_t>(g));
          drop.Step();
          ++dropped_chunks;
          continue;
        }
        const Table rest = whole->Take(kept);
        for (size_t c = 0; c < all.size(); ++c) {
          PutChunk(update, name, c, static_cast<int64_t>(g),
                   sqlite_store::EncodeChunk(*rest.column(c), 0, rest.num_rows()));
        }
      }
      ctx.Progress("delete", last, chunk_rows.size());
    }
    if (deleted_rows) {
      *deleted_rows =
          gone_parts.empty() ? ReadChunks(*info, all, 0, 0, ctx) : ConcatTables(gone_parts);
    }
    if (deleted == 0) return 0;  // the transaction rolls back: nothing changed
    if (dropped_chunks > 0) RenumberChunks(name);
    if (info->schema.field(static_cast<size_t>(position)).type == DataType::kCategorical) {
      // The matching values leave the dictionary too; no stored code points at them any more.
      std::vector<std::string> dictionary = ReadDictionary(*info, static_cast<size_t>(position));
      for (std::string& value : dictionary)
        if (values.contains(value)) value.clear();
      PutChunk(update, name, static_cast<size_t>(position), -1,
               sqlite_store::EncodeDictionary(dictionary));
    }
    Statement u(db_,
                "UPDATE prospect_tables SET rows = rows - ?1, updated_at = ?2 WHERE name = ?3");
    const std::string now = NowUtc();  // bound without a copy: it must outlive Step
    u.Bind(1, deleted);
    u.Bind(2, now);
    u.Bind(3, name);
    u.Step();
    tx.Commit();
    return deleted;
  }

  void RunInTransaction(const std::function<void()>& work) override {
    Transaction tx(this);
    work();
    tx.Commit();
  }

  void Compact() override {
    Exec("VACUUM");
    Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }

  Table Query(const std::string& sql, const Context& ctx) override {
    // One read transaction: the catalogue and every chunk the query reads come from one snapshot,
    // whatever another process commits meanwhile.
    Exec("BEGIN");
    try {
      // Every table as a fresh virtual table: one may have changed since the last query.
      std::vector<std::string> old;
      {
        Statement s(db_, "SELECT name FROM temp.sqlite_master WHERE type = 'table'");
        while (s.Step()) old.push_back(s.Text(0));
      }
      for (const std::string& name : old) Exec("DROP TABLE temp." + QuoteIdent(name));
      for (const TableInfo& t : ListTables()) {
        Exec("CREATE VIRTUAL TABLE temp." + QuoteIdent(t.name) + " USING prospect_table(" +
             QuoteIdent(t.name) + ")");
      }
      Table result = sqlite_store::RunReadOnlyQuery(db_, &sql_state_, sql, ctx);
      Exec("COMMIT");
      return result;
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
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

  void RewriteObject(const std::string& kind, const std::string& name, int64_t version,
                     const nlohmann::json& meta, const std::string& body) override {
    Transaction tx(this);
    Statement s(
        db_,
        "UPDATE prospect_objects SET meta = ?4, body = ?5 WHERE kind = ?1 AND name = ?2 AND "
        "version = ?3");
    s.Bind(1, kind);
    s.Bind(2, name);
    const std::string meta_text = meta.dump();
    s.Bind(3, version);
    s.Bind(4, meta_text);
    s.BindBlob(5, body);
    s.Step();
    if (sqlite3_changes(db_) != 1)
      Fail(ErrorCode::kNotFound, "store: no {} \"{}\" version {} to rewrite", kind, name, version);
    tx.Commit();
  }

  std::vector<AuditEntry> AuditLog(int64_t from_id) override {
    Statement s(db_,
                "SELECT id, at, actor, action, detail, prev_hash, hash FROM prospect_audit "
                "WHERE id >= ?1 ORDER BY id");
    s.Bind(1, from_id);
    std::vector<AuditEntry> out;
    while (s.Step()) {
      out.push_back({s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5), s.Text(6)});
    }
    return out;
  }

  int SchemaVersion() override {
    Statement s(db_, "SELECT version FROM prospect_schema_version");
    return s.Step() ? static_cast<int>(s.Int(0)) : 0;
  }

 protected:
  AuditEntry AppendAudit(const std::string& actor, const std::string& action,
                         const std::string& detail) override {
    // Inside a caller's transaction (an erasure and its receipt) or in one of its own: the
    // last entry read and the next written under one write lock.
    std::optional<Transaction> tx;
    if (sqlite3_get_autocommit(db_)) tx.emplace(this);
    const AuditEntry entry =
        ChainAuditEntry(LastAudit(), {0, NowUtc(), actor, action, detail, "", ""});
    InsertAudit(entry);
    if (tx) tx->Commit();
    return entry;
  }

 private:
  std::optional<AuditEntry> LastAudit() {
    Statement s(db_,
                "SELECT id, at, actor, action, detail, prev_hash, hash FROM prospect_audit "
                "ORDER BY id DESC LIMIT 1");
    if (!s.Step()) return std::nullopt;
    return AuditEntry{s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5), s.Text(6)};
  }

  void InsertAudit(const AuditEntry& e) {
    Statement s(db_,
                "INSERT INTO prospect_audit(id, at, actor, action, detail, prev_hash, hash) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    s.Bind(1, e.id);
    s.Bind(2, e.at);
    s.Bind(3, e.actor);
    s.Bind(4, e.action);
    s.Bind(5, e.detail);
    s.Bind(6, e.prev_hash);
    s.Bind(7, e.hash);
    s.Step();
  }

  // Migration 3: the entries made before chaining, renumbered 1..n in order and chained, with
  // their original times.
  void ChainAuditLog() {
    std::vector<AuditEntry> old;
    {
      Statement s(db_, "SELECT at, action, detail FROM prospect_audit ORDER BY id");
      while (s.Step()) old.push_back({0, s.Text(0), "", s.Text(1), s.Text(2), "", ""});
    }
    Exec("DELETE FROM prospect_audit");
    std::optional<AuditEntry> last;
    for (AuditEntry& e : old) {
      last = ChainAuditEntry(last, std::move(e));
      InsertAudit(*last);
    }
  }

  // BEGIN IMMEDIATE ... COMMIT; rolls back in the destructor unless committed. Inside a
  // transaction already open (RunInTransaction), a savepoint of it instead.
  class Transaction {
   public:
    explicit Transaction(SqliteStore* store)
        : store_(store), nested_(!sqlite3_get_autocommit(store->db_)) {
      store_->Exec(nested_ ? "SAVEPOINT prospect_nested" : "BEGIN IMMEDIATE");
    }
    ~Transaction() {
      if (committed_) return;
      sqlite3_exec(store_->db_,
                   nested_ ? "ROLLBACK TO prospect_nested; RELEASE prospect_nested" : "ROLLBACK",
                   nullptr, nullptr, nullptr);
    }
    void Commit() {
      store_->Exec(nested_ ? "RELEASE prospect_nested" : "COMMIT");
      committed_ = true;
    }

   private:
    SqliteStore* store_;
    bool nested_;
    bool committed_ = false;
  };

  void Exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      Fail(sqlite_store::CodeOf(sqlite3_errcode(db_)), "store {}: {}", path_, msg);
    }
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
      if (version + 1 == 2) MoveRowTablesIntoChunks();
      if (version + 1 == 3) ChainAuditLog();
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
    store_rules::TableNotFound(name, names);
  }

  // ---- column chunks ----

  // Rows [at, at + n) of `table`.
  static Table Slice(const Table& table, size_t at, size_t n) {
    std::vector<size_t> rows(n);
    for (size_t i = 0; i < n; ++i) rows[i] = at + i;
    return table.Take(rows);
  }

  // `table` with the stored column types where they differ only as string vs categorical.
  static Table ConformTo(const Schema& stored, const Table& table) {
    std::vector<ColumnPtr> columns = table.columns();
    for (size_t c = 0; c < columns.size(); ++c) {
      const DataType want = stored.field(c).type;
      if (columns[c]->type() == want) continue;
      if (want == DataType::kCategorical) {
        columns[c] = Column::DictionaryEncode(*columns[c]);
        continue;
      }
      ColumnBuilder text(DataType::kString);  // a categorical column appended to a string one
      for (size_t r = 0; r < columns[c]->size(); ++r) {
        if (columns[c]->IsNull(r)) {
          text.AppendNull();
        } else {
          text.AppendString(columns[c]->StringAt(r));
        }
      }
      columns[c] = text.Finish();
    }
    return Table(stored, std::move(columns));
  }

  // The table's catalogue rows; its columns and chunks go with them (ON DELETE CASCADE).
  void DeleteFromCatalogue(const std::string& name) {
    Statement d(db_, "DELETE FROM prospect_tables WHERE name = ?1");
    d.Bind(1, name);
    d.Step();
  }

  // Chunks numbered 0, 1, ... again after some were dropped (every column the same way).
  void RenumberChunks(const std::string& name) {
    std::vector<int64_t> numbers;
    {
      Statement s(db_,
                  "SELECT chunk FROM prospect_chunks WHERE table_name = ?1 AND column_position = 0 "
                  "AND chunk >= 0 ORDER BY chunk");
      s.Bind(1, name);
      while (s.Step()) numbers.push_back(s.Int(0));
    }
    Statement move(db_,
                   "UPDATE prospect_chunks SET chunk = ?3 WHERE table_name = ?1 AND chunk = ?2");
    for (size_t i = 0; i < numbers.size(); ++i) {
      if (numbers[i] == static_cast<int64_t>(i)) continue;
      move.Reset();
      move.Bind(1, name);
      move.Bind(2, numbers[i]);
      move.Bind(3, static_cast<int64_t>(i));
      move.Step();
    }
  }

  void DeleteChunks(const std::string& name) {
    Statement d(db_, "DELETE FROM prospect_chunks WHERE table_name = ?1");
    d.Bind(1, name);
    d.Step();
  }

  // Rows of each stored chunk of table `info`, in order (every column is cut the same way).
  std::vector<size_t> ChunkRows(const TableInfo& info) override {
    std::vector<size_t> rows;
    if (info.schema.size() == 0) return rows;
    Statement s(db_,
                "SELECT chunk, rows FROM prospect_chunks WHERE table_name = ?1 AND "
                "column_position = 0 AND chunk >= 0 ORDER BY chunk");
    s.Bind(1, info.name);
    int64_t total = 0;
    while (s.Step()) {
      if (s.Int(0) != static_cast<int64_t>(rows.size()) || s.Int(1) <= 0) {
        Corrupt(info, info.schema.field(0).name, s.Int(0), "chunks are not numbered 0, 1, ...");
      }
      rows.push_back(static_cast<size_t>(s.Int(1)));
      total += s.Int(1);
    }
    if (total != info.rows) {
      Corrupt(info, info.schema.field(0).name, -1,
              fmt::format("the chunks hold {} rows; the catalogue says {}", total, info.rows));
    }
    return rows;
  }

  [[noreturn]] void Corrupt(const TableInfo& info, const std::string& column, int64_t chunk,
                            std::string_view what) {
    Fail(ErrorCode::kInvalidData,
         "store {}: table {}, column {}{} is damaged: {}. Restore the workspace from a backup or "
         "ingest the table again",
         path_, info.name, column, chunk >= 0 ? fmt::format(", chunk {}", chunk) : std::string(),
         what);
  }

  std::vector<std::string> ReadDictionary(const TableInfo& info, size_t position) {
    Statement s(db_,
                "SELECT rows, checksum, data FROM prospect_chunks WHERE table_name = ?1 AND "
                "column_position = ?2 AND chunk = -1");
    s.Bind(1, info.name);
    s.Bind(2, static_cast<int64_t>(position));
    const std::string& column = info.schema.field(position).name;
    if (!s.Step()) Corrupt(info, column, -1, "its dictionary is missing");
    const std::string bytes = s.Blob(2);
    if (sqlite_store::ChunkChecksum(bytes) != std::bit_cast<uint64_t>(s.Int(1)))
      Corrupt(info, column, -1, "its dictionary's checksum does not match");
    try {
      return sqlite_store::DecodeDictionary(bytes, static_cast<size_t>(s.Int(0)));
    } catch (const Error& e) {
      Corrupt(info, column, -1, fmt::format("its dictionary: {}", e.what()));
    }
  }

  void PutChunk(Statement& insert, const std::string& name, size_t position, int64_t chunk,
                const EncodedChunk& encoded) {
    insert.Reset();
    insert.Bind(1, name);
    insert.Bind(2, static_cast<int64_t>(position));
    insert.Bind(3, chunk);
    insert.Bind(4, static_cast<int64_t>(encoded.rows));
    insert.Bind(5, static_cast<int64_t>(encoded.null_count));
    for (int i = 0; i < 2; ++i) {
      const auto& bound = i == 0 ? encoded.min : encoded.max;
      if (bound) std::visit([&](auto v) { insert.Bind(6 + i, v); }, *bound);
    }
    insert.Bind(8, std::bit_cast<int64_t>(encoded.checksum));
    insert.BindBlob(9, encoded.bytes);
    insert.Step();
  }

  // Stores every column of `data` as chunks, and each categorical column's dictionary. A fresh
  // write (`appending_to` null) numbers chunks from 0 and stores the columns' own dictionaries; an
  // append numbers them after the stored ones and extends each stored dictionary with the new
  // values at its end (so stored codes stay valid).
  void WriteColumns(const std::string& name, const Table& data, const TableInfo* appending_to,
                    const Context& ctx) {
    // A plain INSERT, not INSERT OR REPLACE: a statement that may replace rows needs a statement
    // journal, which copied every page of a 1M-row ingest into a temporary file (89 MB for 53 MB
    // stored). Only an appended table's dictionaries are replaced, by DELETE and INSERT below.
    Statement insert(db_,
                     "INSERT INTO prospect_chunks(table_name, column_position, chunk, "
                     "rows, null_count, min_value, max_value, checksum, data) VALUES (?1, ?2, ?3, "
                     "?4, ?5, ?6, ?7, ?8, ?9)");
    Statement delete_dictionary(db_,
                                "DELETE FROM prospect_chunks WHERE table_name = ?1 AND "
                                "column_position = ?2 AND chunk = -1");
    const size_t columns = data.num_columns();
    std::vector<std::vector<int32_t>> code_maps(columns);
    const size_t first_chunk = appending_to ? ChunkRows(*appending_to).size() : 0;
    for (size_t c = 0; c < columns; ++c) {
      const Column& column = *data.column(c);
      if (column.type() != DataType::kCategorical) continue;
      std::vector<std::string> dictionary;
      if (appending_to) {
        dictionary = ReadDictionary(*appending_to, c);
        std::unordered_map<std::string, int32_t> index;
        for (size_t i = 0; i < dictionary.size(); ++i)
          index.emplace(dictionary[i], static_cast<int32_t>(i));
        for (const std::string& value : column.dictionary()) {
          const auto [it, added] = index.emplace(value, static_cast<int32_t>(dictionary.size()));
          if (added) dictionary.push_back(value);
          code_maps[c].push_back(it->second);
        }
      } else {
        dictionary = column.dictionary();
      }
      if (appending_to) {
        delete_dictionary.Reset();
        delete_dictionary.Bind(1, name);
        delete_dictionary.Bind(2, static_cast<int64_t>(c));
        delete_dictionary.Step();
      }
      PutChunk(insert, name, c, -1, sqlite_store::EncodeDictionary(dictionary));
    }
    // Encode a batch of row groups in parallel, then insert it (SQLite takes one writer). Encoding
    // the next batch on a thread of its own while this one inserts was slower on 2 cores.
    const size_t n = data.num_rows();
    const size_t groups = (n + kRowsPerChunk - 1) / kRowsPerChunk;
    const size_t batch = static_cast<size_t>(std::max(1, ctx.threads())) * 2;
    std::vector<EncodedChunk> encoded;
    for (size_t g0 = 0; g0 < groups; g0 += batch) {
      ctx.ThrowIfCancelled();
      const size_t g1 = std::min(groups, g0 + batch);
      encoded.assign((g1 - g0) * columns, EncodedChunk());
      ParallelFor(ctx, static_cast<int64_t>(encoded.size()), [&](int64_t i) {
        const size_t g = g0 + static_cast<size_t>(i) / columns;
        const size_t c = static_cast<size_t>(i) % columns;
        encoded[static_cast<size_t>(i)] = sqlite_store::EncodeChunk(
            *data.column(c), g * kRowsPerChunk, std::min(n, (g + 1) * kRowsPerChunk), code_maps[c]);
      });
      for (size_t i = 0; i < encoded.size(); ++i) {
        PutChunk(insert, name, i % columns, static_cast<int64_t>(first_chunk + g0 + i / columns),
                 encoded[i]);
      }
      ctx.Progress("store", std::min(n, g1 * kRowsPerChunk), n);
    }
  }

  // Stored chunks [first, last) of the columns at `positions`, decoded on the Context's threads.
  Table ReadChunks(const TableInfo& info, const std::vector<size_t>& positions, size_t first,
                   size_t last, const Context& ctx) override {
    struct Piece {
      size_t column;  // index into positions
      int64_t chunk;
      size_t row;  // first row within the result
      size_t rows, null_count;
      uint64_t checksum;
      int64_t rowid;
      size_t size, at;  // the stored bytes: `size` of them at `at` in `stored`
      size_t text_offset = 0;
      std::string_view bytes;
    };
    std::vector<Piece> pieces;
    std::vector<Field> fields;
    std::vector<std::vector<std::string>> dictionaries(positions.size());
    std::vector<size_t> null_counts(positions.size(), 0);
    size_t rows = 0, stored_bytes = 0;
    // length(data) comes from the record header: this pass reads no chunk's bytes.
    Statement s(
        db_,
        "SELECT chunk, rows, null_count, checksum, rowid, length(data) FROM prospect_chunks "
        "WHERE table_name = ?1 AND column_position = ?2 AND chunk >= ?3 AND chunk < ?4 "
        "ORDER BY chunk");
    for (size_t c = 0; c < positions.size(); ++c) {
      const Field& field = info.schema.field(positions[c]);
      fields.push_back(field);
      if (field.type == DataType::kCategorical)
        dictionaries[c] = ReadDictionary(info, positions[c]);
      s.Reset();
      s.Bind(1, info.name);
      s.Bind(2, static_cast<int64_t>(positions[c]));
      s.Bind(3, static_cast<int64_t>(first));
      s.Bind(4, static_cast<int64_t>(last));
      size_t row = 0;
      int64_t expected = static_cast<int64_t>(first);
      while (s.Step()) {
        const int64_t chunk = s.Int(0);
        if (chunk != expected++ || s.Int(1) <= 0 || s.Int(2) < 0 || s.Int(2) > s.Int(1))
          Corrupt(info, field.name, chunk, "its catalogue row is inconsistent");
        const auto chunk_rows = static_cast<size_t>(s.Int(1));
        const auto nulls = static_cast<size_t>(s.Int(2));
        const auto size = static_cast<size_t>(s.Int(5));
        pieces.push_back({c,
                          chunk,
                          row,
                          chunk_rows,
                          nulls,
                          std::bit_cast<uint64_t>(s.Int(3)),
                          s.Int(4),
                          size,
                          stored_bytes,
                          0,
                          {}});
        stored_bytes += size;
        null_counts[c] += nulls;
        row += chunk_rows;
      }
      if (expected != static_cast<int64_t>(last)) {
        Corrupt(info, field.name, expected,
                fmt::format("chunks {} to {} are missing", expected, last - 1));
      }
      if (c > 0 && row != rows)
        Corrupt(info, field.name, -1,
                fmt::format("{} rows where the first column has {}", row, rows));
      rows = row;
    }
    // The chunks' bytes, read straight from the pages into one buffer.
    LargeVector<char> stored(stored_bytes);
    BlobReader reader(db_);
    for (Piece& p : pieces) {
      reader.Read(p.rowid, stored.data() + p.at, p.size);
      p.bytes = std::string_view(stored.data() + p.at, p.size);
    }
    std::vector<ColumnStorage> storage(positions.size());
    for (size_t c = 0; c < positions.size(); ++c) {
      const DataType type = fields[c].type;
      if (null_counts[c] > 0 && type != DataType::kCategorical) storage[c].valid.resize(rows);
      storage[c].ForRowValues(type, [&](auto& values) { values.resize(rows); });
      if (type == DataType::kString) storage[c].offsets.resize(rows + 1);
    }
    // Checksums first: nothing below reads a chunk whose bytes are not the ones written.
    ParallelFor(ctx, static_cast<int64_t>(pieces.size()), [&](int64_t i) {
      const Piece& p = pieces[static_cast<size_t>(i)];
      if (sqlite_store::ChunkChecksum(p.bytes) != p.checksum)
        Corrupt(info, fields[p.column].name, p.chunk, "its checksum does not match its bytes");
    });
    // A string chunk's text goes after the text of the chunks before it.
    std::vector<size_t> text_end(positions.size(), 0);
    for (Piece& p : pieces) {
      if (fields[p.column].type != DataType::kString) continue;
      p.text_offset = text_end[p.column];
      try {
        text_end[p.column] += sqlite_store::ReadChunkLayout(p.bytes).text_bytes;
      } catch (const Error& e) {
        Corrupt(info, fields[p.column].name, p.chunk, e.what());
      }
    }
    for (size_t c = 0; c < positions.size(); ++c) {
      if (fields[c].type == DataType::kString) storage[c].bytes.resize(text_end[c]);
    }
    ParallelFor(ctx, static_cast<int64_t>(pieces.size()), [&](int64_t i) {
      const Piece& p = pieces[static_cast<size_t>(i)];
      try {
        sqlite_store::DecodeChunk(p.bytes, fields[p.column].type, p.rows, p.null_count,
                                  dictionaries[p.column].size(), storage[p.column], p.row,
                                  p.text_offset);
      } catch (const Error& e) {
        Corrupt(info, fields[p.column].name, p.chunk, e.what());
      }
    });
    std::vector<ColumnPtr> columns;
    for (size_t c = 0; c < positions.size(); ++c) {
      storage[c].dictionary = std::move(dictionaries[c]);
      columns.push_back(Column::FromStorage(fields[c].type, std::move(storage[c])));
    }
    return Table(Schema(std::move(fields)), std::move(columns));
  }

  // ---- migration 2: row tables (schema version 1) into column chunks ----

  void MoveRowTablesIntoChunks() {
    std::vector<std::string> names;
    {
      Statement s(db_, "SELECT name FROM prospect_tables ORDER BY name");
      while (s.Step()) names.push_back(s.Text(0));
    }
    const Context ctx(1);
    for (const std::string& name : names) {
      const Table rows = ReadRowTable(*FindTable(name));
      WriteColumns(name, rows, /*appending_to=*/nullptr, ctx);
      Exec("DROP TABLE " + QuoteIdent(name));
    }
  }

  // A version-1 table: an SQL table named as the user named it, dates and timestamps as ISO text.
  Table ReadRowTable(const TableInfo& info) {
    const Schema& schema = info.schema;
    std::string sql = "SELECT ";
    for (size_t i = 0; i < schema.size(); ++i)
      sql += (i ? ", " : "") + QuoteIdent(schema.field(i).name);
    Statement s(db_, sql + " FROM " + QuoteIdent(info.name) + " ORDER BY rowid");
    std::vector<ColumnBuilder> builders;
    for (const auto& f : schema.fields()) builders.emplace_back(f.type);
    size_t row = 0;
    while (s.Step()) {
      for (size_t c = 0; c < schema.size(); ++c)
        AppendCell(s, static_cast<int>(c), schema.field(c), info.name, row, builders[c]);
      ++row;
    }
    std::vector<ColumnPtr> columns;
    for (auto& b : builders) columns.push_back(b.Finish());
    return Table(schema, std::move(columns));
  }

  std::string path_;
  sqlite3* db_ = nullptr;
  sqlite_store::SqlModuleState sql_state_;
};

}  // namespace

std::unique_ptr<Store> OpenSqliteStore(const std::string& path) {
  return std::make_unique<SqliteStore>(path);
}

}  // namespace prospect
