// PostgreSQL store. A table is a real SQL table named as the user named it, with typed columns
// (int64 bigint, double double precision, bool boolean, string and categorical text, date date,
// timestamp timestamp without time zone, UTC) and one more column, the row-order number
// (prospect_row, or prospect_row_2, ... when the table has a column of that name; the catalogue
// keeps which), since SQL tables have no order and the Store hands rows back in stored order.
// Data moves with binary COPY both ways. The catalogue (prospect_tables, prospect_columns: the
// logical types, so categorical and string round-trip), ingest history, objects and the audit log
// live beside the tables in the connection's current schema.
//
// Concurrency: every write is one transaction, and writes to one table are serialised by a
// transaction-scoped advisory lock on the table's name; a reader locks the table (ACCESS SHARE)
// before taking its snapshot, so it sees a table whole, before or after any write.
#include "store/postgres/postgres_store.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/numbers.hpp"
#include "prospect/common/strings.hpp"
#include "store/postgres/copy_binary.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/write_rules.hpp"

namespace prospect::pg_store {
namespace {

// Each entry migrates the store from version i to i+1. Never edit a released entry: append.
const char* const kPostgresMigrations[] = {
    R"sql(
CREATE TABLE prospect_tables(
  name text PRIMARY KEY,
  rows bigint NOT NULL,
  key_column text,
  row_column text NOT NULL,
  next_row bigint NOT NULL,
  created_at text NOT NULL,
  updated_at text NOT NULL);
CREATE TABLE prospect_columns(
  table_name text NOT NULL REFERENCES prospect_tables(name) ON DELETE CASCADE,
  position integer NOT NULL,
  name text NOT NULL,
  type text NOT NULL,
  PRIMARY KEY (table_name, position));
CREATE TABLE prospect_ingests(
  id bigserial PRIMARY KEY,
  table_name text NOT NULL,
  source text NOT NULL,
  mode text NOT NULL,
  rows_read bigint NOT NULL,
  rows_loaded bigint NOT NULL,
  rows_rejected bigint NOT NULL,
  rows_deduplicated bigint NOT NULL,
  at text NOT NULL);
CREATE TABLE prospect_objects(
  kind text NOT NULL,
  name text NOT NULL,
  version bigint NOT NULL,
  meta text NOT NULL,
  body bytea,
  created_at text NOT NULL,
  PRIMARY KEY (kind, name, version));
CREATE TABLE prospect_audit(
  id bigserial PRIMARY KEY,
  at text NOT NULL,
  action text NOT NULL,
  detail text NOT NULL);
)sql",
    // 2: the audit log becomes a hash chain with actors; ids come from the chain, not a sequence
    // (a rolled-back insert would leave a gap). ChainAuditLog hashes the entries made before.
    // Campaign plans' summaries, which were kind "audience", become "campaign_plan".
    R"sql(
UPDATE prospect_objects SET kind = 'campaign_plan' WHERE kind = 'audience';
ALTER TABLE prospect_audit ADD COLUMN actor text NOT NULL DEFAULT '';
ALTER TABLE prospect_audit ADD COLUMN prev_hash text NOT NULL DEFAULT '';
ALTER TABLE prospect_audit ADD COLUMN hash text NOT NULL DEFAULT '';
ALTER TABLE prospect_audit ALTER COLUMN id DROP DEFAULT;
)sql",
};
constexpr int kPostgresSchemaVersion =
    static_cast<int>(sizeof(kPostgresMigrations) / sizeof(kPostgresMigrations[0]));

// First key of prospect's advisory locks ("pros"); the second is a hash of schema and name.
constexpr int64_t kAdvisoryLockSpace = 0x70726f73;
// PostgreSQL cuts identifiers at 63 bytes (NAMEDATALEN - 1).
constexpr size_t kMaxIdentifierBytes = 63;
// Rows encoded per PQputCopyData call (and per progress report).
constexpr size_t kRowsPerCopyBatch = 16384;

// The advisory lock key of `name` within the connection's current schema.
std::string LockKeySql(const std::string& placeholder) {
  return fmt::format("{}::integer, hashtext(coalesce(current_schema(), '') || '.' || {})",
                     kAdvisoryLockSpace, placeholder);
}

class PostgresStore final : public Store {
 public:
  explicit PostgresStore(const std::string& url) : db_(url) {
    db_.Exec(
        "SET client_encoding TO 'UTF8'; SET DateStyle TO 'ISO, YMD'; SET TimeZone TO 'UTC'; "
        "SET IntervalStyle TO 'iso_8601'");
    Migrate();
  }

  std::vector<TableInfo> ListTables() override {
    Transaction tx(db_, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    std::vector<TableInfo> out;
    for (const std::string& name : TableNames()) {
      if (auto info = FindTable(name)) out.push_back(std::move(*info));
    }
    tx.Commit();
    return out;
  }

  std::optional<TableInfo> FindTable(const std::string& name) override {
    return FindStoredTable(name).info;
  }

  void Scan(const std::string& name, const std::vector<std::string>& columns, size_t rows_per_chunk,
            const ChunkCallback& on_chunk, const Context& ctx) override {
    if (rows_per_chunk == 0)
      Fail(ErrorCode::kInvalidArgument, "store: rows_per_chunk must be at least 1");
    if (!FindTable(name)) NotFound(name);
    // Lock first, then take the snapshot (the catalogue query is the first to need one): a write
    // that replaced the table has committed by then, and none can replace it until we finish.
    Transaction tx(db_, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const ResultPtr locked =
        db_.ExecRaw("LOCK TABLE " + QuoteIdent(name) + " IN ACCESS SHARE MODE");
    if (Connection::SqlState(locked.get()) == "42P01") {  // undefined_table: dropped meanwhile
      tx.Rollback();
      NotFound(name);
    }
    db_.CheckResult(locked.get());
    const StoredTable stored = FindStoredTable(name);
    if (!stored.info) NotFound(name);
    const TableInfo& info = *stored.info;
    std::vector<Field> fields;
    for (const std::string& column : columns) {
      const int i = info.schema.IndexOf(column);
      if (i < 0) store_rules::ColumnNotFound(name, column, info.schema);
      fields.push_back(info.schema.field(static_cast<size_t>(i)));
    }
    if (columns.empty()) fields = info.schema.fields();
    std::string select;
    for (const Field& f : fields) select += (select.empty() ? "" : ", ") + QuoteIdent(f.name);
    db_.BeginCopyOut(fmt::format("COPY (SELECT {} FROM {} ORDER BY {}) TO STDOUT (FORMAT binary)",
                                 select, QuoteIdent(name), QuoteIdent(stored.row_column)));
    CopyDecoder decoder(name, fields, rows_per_chunk);
    size_t done = 0;
    bool handed_any = false;
    try {
      std::string_view message;
      while (db_.GetCopyData(&message)) {
        for (bool full = decoder.Feed(message); full; full = decoder.Feed({})) {
          done += decoder.rows_in_chunk();
          handed_any = true;
          on_chunk(decoder.TakeChunk());
          ctx.ThrowIfCancelled();
          ctx.Progress("load", done, static_cast<uint64_t>(info.rows));
        }
      }
    } catch (...) {
      db_.AbandonCopyOut();
      throw;
    }
    if (!decoder.finished()) {
      Fail(ErrorCode::kInvalidData, "store: reading table {}: the server's COPY data ended early",
           name);
    }
    done += decoder.rows_in_chunk();
    if (static_cast<int64_t>(done) != info.rows) {
      Fail(ErrorCode::kInvalidData,
           "store {}: table {} has {} rows; the catalogue says {}. Restore the workspace from a "
           "backup or ingest the table again",
           db_.display_url(), name, done, info.rows);
    }
    if (decoder.rows_in_chunk() > 0 || !handed_any) on_chunk(decoder.TakeChunk());
    tx.Commit();
  }

  void WriteTable(const std::string& name, const Table& table, const WriteOptions& options,
                  const Context& ctx) override {
    CheckTableName(name);
    CheckColumnNames(name, table.schema());
    Transaction tx(db_);
    LockForWrite(name, ctx);
    const StoredTable stored = FindStoredTable(name);
    const std::optional<TableInfo>& existing = stored.info;
    std::optional<std::string> key = options.key;
    const bool append = options.mode == WriteMode::kAppend && existing.has_value();
    if (append) {
      store_rules::CheckSameSchema(name, existing->schema, table.schema());
      key = store_rules::AppendKey(name, key, existing->key);
    }
    Table data = table;
    int64_t deduplicated = 0;
    if (key) {
      const size_t key_index = store_rules::KeyColumnIndex(*key, data.schema());
      const std::vector<size_t> rows =
          store_rules::LastRowPerKey(name, *key, *data.column(key_index));
      deduplicated = static_cast<int64_t>(data.num_rows() - rows.size());
      if (rows.size() != data.num_rows()) data = data.Take(rows);
    }
    const int64_t rows_loaded = static_cast<int64_t>(data.num_rows());
    const std::string now = NowUtc();
    int64_t stored_rows = rows_loaded;
    if (!append) {
      // A new SQL table under a name of this connection's own, filled, then put in the old one's
      // place: readers of the old table are not blocked while the data streams in.
      const std::string row_column = RowColumnFor(data.schema());
      const std::string incoming = fmt::format("prospect_incoming_{}", PQbackendPID(db_.get()));
      std::string create = "CREATE TABLE " + QuoteIdent(incoming) + " (" + QuoteIdent(row_column) +
                           " bigint NOT NULL";
      for (const Field& f : data.schema().fields()) {
        create += ", " + QuoteIdent(f.name) + " " + std::string(SqlTypeOf(f.type));
      }
      db_.Exec(create + ")");
      CopyRows(incoming, name, row_column, data, 0, ctx);
      // The order column's index lets a read stream the rows in order without sorting them.
      db_.Exec(fmt::format("ALTER TABLE {} ADD PRIMARY KEY ({})", QuoteIdent(incoming),
                           QuoteIdent(row_column)));
      if (existing) {
        db_.Exec("DROP TABLE IF EXISTS " + QuoteIdent(name));
      } else if (!db_.Exec("SELECT to_regclass($1)", {QuoteIdent(name)}).IsNull(0, 0)) {
        Fail(ErrorCode::kAlreadyExists,
             "store {}: the database already has a table \"{}\" that the workspace does not "
             "manage; ingest under another name or drop that table",
             db_.display_url(), name);
      }
      db_.Exec(fmt::format("ALTER TABLE {} RENAME TO {}", QuoteIdent(incoming), QuoteIdent(name)));
      db_.Exec(fmt::format("ALTER INDEX {} RENAME TO {}", QuoteIdent(incoming + "_pkey"),
                           QuoteIdent(IndexNameFor(name))));
      db_.Exec("DELETE FROM prospect_tables WHERE name = $1", {name});
      db_.Exec(
          "INSERT INTO prospect_tables(name, rows, key_column, row_column, next_row, created_at, "
          "updated_at) VALUES ($1, $2, $3, $4, $2, $5, $5)",
          {name, rows_loaded, key ? Param(*key) : Param(), row_column, now});
      for (size_t i = 0; i < data.num_columns(); ++i) {
        db_.Exec(
            "INSERT INTO prospect_columns(table_name, position, name, type) VALUES ($1, $2, $3, "
            "$4)",
            {name, static_cast<int64_t>(i), data.schema().field(i).name,
             std::string(DataTypeName(data.schema().field(i).type))});
      }
    } else {
      CopyRows(name, name, stored.row_column, data, stored.next_row, ctx);
      stored_rows = existing->rows + rows_loaded;
      if (key) {
        // Upsert: a stored row whose key comes again in the new rows gives way to it.
        const std::string k = QuoteIdent(*key), row = QuoteIdent(stored.row_column);
        const Rows deleted = db_.Exec(
            fmt::format("WITH gone AS (DELETE FROM {0} AS old WHERE old.{1} < $1 AND old.{2} IN "
                        "(SELECT new.{2} FROM {0} AS new WHERE new.{1} >= $1) RETURNING 1) "
                        "SELECT count(*) FROM gone",
                        QuoteIdent(name), row, k),
            {stored.next_row});
        deduplicated += deleted.Int(0, 0);
        stored_rows -= deleted.Int(0, 0);
      }
      db_.Exec(
          "UPDATE prospect_tables SET rows = $1, next_row = $2, updated_at = $3, key_column = "
          "COALESCE($4, key_column) WHERE name = $5",
          {stored_rows, stored.next_row + rows_loaded, now, key ? Param(*key) : Param(), name});
    }
    if (options.history) {
      const IngestRecord& h = *options.history;
      db_.Exec(
          "INSERT INTO prospect_ingests(table_name, source, mode, rows_read, rows_loaded, "
          "rows_rejected, rows_deduplicated, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
          {name, h.source, h.mode, h.rows_read, rows_loaded, h.rows_rejected, deduplicated, now});
    }
    tx.Commit();
  }

  int64_t DeleteRows(const std::string& name, const std::string& column,
                     const std::unordered_set<std::string>& values, const Context& ctx,
                     Table* deleted_rows) override {
    Transaction tx(db_);
    LockForWrite(name, ctx);
    const StoredTable stored = FindStoredTable(name);
    if (!stored.info) NotFound(name);
    if (stored.info->schema.IndexOf(column) < 0)
      store_rules::ColumnNotFound(name, column, stored.info->schema);
    // The values go in as one text[] into a temporary table, joined by hash: one pass over the
    // table for any number of them.
    std::string array = "{";
    for (const std::string& v : values) {
      if (array.size() > 1) array += ',';
      array += '"';
      for (char c : v) {
        if (c == '"' || c == '\\') array += '\\';
        array += c;
      }
      array += '"';
    }
    array += '}';
    db_.Exec("CREATE TEMP TABLE IF NOT EXISTS prospect_erase(v text) ON COMMIT DROP");
    db_.Exec("INSERT INTO prospect_erase SELECT DISTINCT unnest($1::text[])", {array});
    db_.Exec("ANALYZE prospect_erase");
    const std::string matching =
        fmt::format("{0}.{1}::text = e.v", QuoteIdent(name), QuoteIdent(column));
    if (deleted_rows) {
      std::string select;
      for (const Field& f : stored.info->schema.fields())
        select += (select.empty() ? "" : ", ") + QuoteIdent(name) + "." + QuoteIdent(f.name);
      *deleted_rows = CopyOut(
          name, stored.info->schema.fields(),
          fmt::format("SELECT {} FROM {} JOIN prospect_erase e ON {} ORDER BY {}.{}", select,
                      QuoteIdent(name), matching, QuoteIdent(name), QuoteIdent(stored.row_column)));
    }
    const Rows gone = db_.Exec(
        fmt::format("WITH gone AS (DELETE FROM {} USING prospect_erase e WHERE {} RETURNING 1) "
                    "SELECT count(*) FROM gone",
                    QuoteIdent(name), matching));
    db_.Exec("DROP TABLE prospect_erase");
    const int64_t deleted = gone.Int(0, 0);
    if (deleted > 0) {
      db_.Exec("UPDATE prospect_tables SET rows = rows - $1, updated_at = $2 WHERE name = $3",
               {deleted, NowUtc(), name});
    }
    tx.Commit();
    return deleted;
  }

  void RewriteObject(const std::string& kind, const std::string& name, int64_t version,
                     const nlohmann::json& meta, const std::string& body) override {
    const Rows r = db_.Exec(
        "UPDATE prospect_objects SET meta = $4, body = $5 WHERE kind = $1 AND name = $2 AND "
        "version = $3 RETURNING 1",
        {kind, name, version, meta.dump(), Param::Bytes(body)});
    if (r.size() != 1)
      Fail(ErrorCode::kNotFound, "store: no {} \"{}\" version {} to rewrite", kind, name, version);
  }

  void RunInTransaction(const std::function<void()>& work) override {
    Transaction tx(db_);
    work();
    tx.Commit();
  }

  void Compact() override { db_.Exec("VACUUM"); }

  void DropTable(const std::string& name) override {
    Transaction tx(db_);
    LockForWrite(name, Context(1));
    if (!FindTable(name)) NotFound(name);
    db_.Exec("DROP TABLE IF EXISTS " + QuoteIdent(name));
    db_.Exec("DELETE FROM prospect_tables WHERE name = $1", {name});
    tx.Commit();
  }

  Table Query(const std::string& sql, const Context& ctx) override;

  std::vector<IngestRecord> IngestHistory(const std::string& table) override {
    const Rows r = db_.Exec(
        "SELECT id, source, mode, rows_read, rows_loaded, rows_rejected, rows_deduplicated, at "
        "FROM prospect_ingests WHERE table_name = $1 ORDER BY id",
        {table});
    std::vector<IngestRecord> out;
    for (int i = 0; i < r.size(); ++i) {
      IngestRecord h;
      h.id = r.Int(i, 0);
      h.table = table;
      h.source = r.Text(i, 1);
      h.mode = r.Text(i, 2);
      h.rows_read = r.Int(i, 3);
      h.rows_loaded = r.Int(i, 4);
      h.rows_rejected = r.Int(i, 5);
      h.rows_deduplicated = r.Int(i, 6);
      h.at = r.Text(i, 7);
      out.push_back(std::move(h));
    }
    return out;
  }

  int64_t PutObject(const std::string& kind, const std::string& name, const nlohmann::json& meta,
                    const std::string& body) override {
    Transaction tx(db_);
    // Two processes saving the same object take turns, so versions stay 1, 2, 3, ...
    db_.Exec("SELECT pg_advisory_xact_lock(" + LockKeySql("$1") + ")",
             {"object " + kind + "/" + name});
    const Rows v = db_.Exec(
        "SELECT COALESCE(MAX(version), 0) + 1 FROM prospect_objects WHERE kind = $1 AND name = $2",
        {kind, name});
    const int64_t version = v.Int(0, 0);
    db_.Exec(
        "INSERT INTO prospect_objects(kind, name, version, meta, body, created_at) VALUES ($1, $2, "
        "$3, $4, $5, $6)",
        {kind, name, version, meta.dump(), Param::Bytes(body), NowUtc()});
    tx.Commit();
    return version;
  }

  std::optional<StoredObject> GetObject(const std::string& kind, const std::string& name,
                                        int64_t version) override {
    // Binary results, for the body's bytes; the other cells are cast to text, whose binary form
    // is the text itself.
    const std::string columns =
        "SELECT version::text, meta, body, created_at FROM prospect_objects";
    const Rows r =
        version > 0
            ? db_.Exec(columns + " WHERE kind = $1 AND name = $2 AND version = $3",
                       {kind, name, version}, /*binary_result=*/true)
            : db_.Exec(columns + " WHERE kind = $1 AND name = $2 ORDER BY version DESC LIMIT 1",
                       {kind, name}, /*binary_result=*/true);
    if (r.size() == 0) return std::nullopt;
    StoredObject o;
    o.kind = kind;
    o.name = name;
    o.version = r.Int(0, 0);
    o.meta = nlohmann::json::parse(r.Text(0, 1));
    if (!r.IsNull(0, 2)) o.body = r.Bytes(0, 2);
    o.created_at = r.Text(0, 3);
    return o;
  }

  std::vector<StoredObject> ListObjects(const std::string& kind) override {
    const Rows r = db_.Exec(
        "SELECT name, MAX(version) FROM prospect_objects WHERE kind = $1 GROUP BY name ORDER BY "
        "name COLLATE \"C\"",
        {kind});
    std::vector<StoredObject> out;
    for (int i = 0; i < r.size(); ++i) {
      auto o = GetObject(kind, r.Text(i, 0), r.Int(i, 1));
      if (!o) continue;  // deleted since
      o->body.clear();
      out.push_back(std::move(*o));
    }
    return out;
  }

  std::vector<AuditEntry> AuditLog(int64_t from_id) override {
    return ReadAudit(db_.Exec(
        "SELECT id, at, actor, action, detail, prev_hash, hash FROM prospect_audit WHERE id >= $1 "
        "ORDER BY id",
        {from_id}));
  }

  int SchemaVersion() override {
    const Rows r = db_.Exec("SELECT version FROM prospect_schema_version");
    return r.size() > 0 ? static_cast<int>(r.Int(0, 0)) : 0;
  }

 protected:
  AuditEntry AppendAudit(const std::string& actor, const std::string& action,
                         const std::string& detail) override {
    // Inside a caller's transaction (an erasure and its receipt) or in one of its own; the lock
    // makes concurrent writers take turns, so the chain has one last entry.
    std::optional<Transaction> tx;
    if (PQtransactionStatus(db_.get()) == PQTRANS_IDLE) tx.emplace(db_);
    db_.Exec("LOCK TABLE prospect_audit IN SHARE ROW EXCLUSIVE MODE");
    const std::vector<AuditEntry> last = ReadAudit(
        db_.Exec("SELECT id, at, actor, action, detail, prev_hash, hash FROM prospect_audit "
                 "ORDER BY id DESC LIMIT 1"));
    const AuditEntry entry = ChainAuditEntry(last.empty() ? std::nullopt : std::optional(last[0]),
                                             {0, NowUtc(), actor, action, detail, "", ""});
    InsertAudit(entry);
    if (tx) tx->Commit();
    return entry;
  }

 private:
  static std::vector<AuditEntry> ReadAudit(const Rows& r) {
    std::vector<AuditEntry> out;
    for (int i = 0; i < r.size(); ++i) {
      out.push_back({r.Int(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4),
                     r.Text(i, 5), r.Text(i, 6)});
    }
    return out;
  }

  void InsertAudit(const AuditEntry& e) {
    db_.Exec(
        "INSERT INTO prospect_audit(id, at, actor, action, detail, prev_hash, hash) VALUES ($1, "
        "$2, $3, $4, $5, $6, $7)",
        {e.id, e.at, e.actor, e.action, e.detail, e.prev_hash, e.hash});
  }

  // Migration 2: the entries made before chaining, renumbered 1..n in order and chained, with
  // their original times.
  void ChainAuditLog() {
    const Rows r = db_.Exec("SELECT at, action, detail FROM prospect_audit ORDER BY id");
    db_.Exec("DELETE FROM prospect_audit");
    std::optional<AuditEntry> last;
    for (int i = 0; i < r.size(); ++i) {
      last = ChainAuditEntry(last, {0, r.Text(i, 0), "", r.Text(i, 1), r.Text(i, 2), "", ""});
      InsertAudit(*last);
    }
  }

  // The rows of a SELECT over table `name` whose columns are `fields`, read by binary COPY.
  Table CopyOut(const std::string& name, const std::vector<Field>& fields,
                const std::string& select) {
    db_.BeginCopyOut("COPY (" + select + ") TO STDOUT (FORMAT binary)");
    CopyDecoder decoder(name, fields, std::numeric_limits<size_t>::max());
    try {
      std::string_view message;
      while (db_.GetCopyData(&message)) decoder.Feed(message);
    } catch (...) {
      db_.AbandonCopyOut();
      throw;
    }
    if (!decoder.finished()) {
      Fail(ErrorCode::kInvalidData, "store: reading table {}: the server's COPY data ended early",
           name);
    }
    return decoder.TakeChunk();
  }

  // A table's catalogue entry with the store's own columns for it.
  struct StoredTable {
    std::optional<TableInfo> info;
    std::string row_column;
    int64_t next_row = 0;
  };

  StoredTable FindStoredTable(const std::string& name) {
    const Rows t = db_.Exec(
        "SELECT rows, key_column, created_at, updated_at, row_column, next_row FROM "
        "prospect_tables WHERE name = $1",
        {name});
    StoredTable out;
    if (t.size() == 0) return out;
    TableInfo info;
    info.name = name;
    info.rows = t.Int(0, 0);
    if (!t.IsNull(0, 1)) info.key = t.Text(0, 1);
    info.created_at = t.Text(0, 2);
    info.updated_at = t.Text(0, 3);
    out.row_column = t.Text(0, 4);
    out.next_row = t.Int(0, 5);
    const Rows c = db_.Exec(
        "SELECT name, type FROM prospect_columns WHERE table_name = $1 ORDER BY position", {name});
    std::vector<Field> fields;
    for (int i = 0; i < c.size(); ++i) {
      const std::string type_name = c.Text(i, 1);
      const auto type = ParseDataType(type_name);
      if (!type) {
        Fail(ErrorCode::kInvalidData, "store: table {} has a column of unknown type \"{}\"", name,
             type_name);
      }
      fields.push_back({c.Text(i, 0), *type});
    }
    info.schema = Schema(std::move(fields));
    out.info = std::move(info);
    return out;
  }

  std::vector<std::string> TableNames() {
    const Rows r = db_.Exec("SELECT name FROM prospect_tables ORDER BY name COLLATE \"C\"");
    std::vector<std::string> names;
    for (int i = 0; i < r.size(); ++i) names.push_back(r.Text(i, 0));
    return names;
  }

  [[noreturn]] void NotFound(const std::string& name) {
    store_rules::TableNotFound(name, TableNames());
  }

  // Column names PostgreSQL would change or refuse: empty, or longer than it keeps.
  static void CheckColumnNames(const std::string& table, const Schema& schema) {
    for (const Field& f : schema.fields()) {
      if (f.name.empty() || f.name.size() > kMaxIdentifierBytes) {
        Fail(ErrorCode::kInvalidArgument,
             "table {}: column name {} cannot be a PostgreSQL column name: use 1 to {} bytes "
             "(rename the column in the file's header)",
             table, QuoteForMessage(f.name), kMaxIdentifierBytes);
      }
    }
  }

  // prospect_row, or prospect_row_2, ... : the first that is not one of the table's columns.
  static std::string RowColumnFor(const Schema& schema) {
    std::string name = "prospect_row";
    for (int k = 2; schema.IndexOf(name) >= 0; ++k) name = fmt::format("prospect_row_{}", k);
    return name;
  }

  // The order column's index: "prospect_<table>_order", cut to 63 bytes (index names share the
  // schema's namespace with tables; user tables never start with prospect_).
  static std::string IndexNameFor(const std::string& table) {
    return ("prospect_order_" + table).substr(0, kMaxIdentifierBytes);
  }

  // Takes the table's write lock; says so through the logger when another writer has it.
  void LockForWrite(const std::string& name, const Context& ctx) {
    const Rows got = db_.Exec("SELECT pg_try_advisory_xact_lock(" + LockKeySql("$1") + ")", {name});
    if (got.Text(0, 0) == "t") return;
    ctx.logger().info("waiting for another write to table {} to finish", name);
    db_.Exec("SELECT pg_advisory_xact_lock(" + LockKeySql("$1") + ")", {name});
  }

  // Streams the rows of `data` into SQL table `table`, numbered from `first_row`; errors name
  // the user's table `name_for_messages`.
  void CopyRows(const std::string& table, const std::string& name_for_messages,
                const std::string& row_column, const Table& data, int64_t first_row,
                const Context& ctx) {
    std::string columns = QuoteIdent(row_column);
    for (const Field& f : data.schema().fields()) columns += ", " + QuoteIdent(f.name);
    db_.BeginCopyIn(
        fmt::format("COPY {} ({}) FROM STDIN (FORMAT binary)", QuoteIdent(table), columns));
    std::string buffer;
    AppendCopyHeader(buffer);
    const size_t n = data.num_rows();
    try {
      for (size_t begin = 0; begin < n; begin += kRowsPerCopyBatch) {
        const size_t end = std::min(n, begin + kRowsPerCopyBatch);
        AppendCopyRows(name_for_messages, data, begin, end, first_row + static_cast<int64_t>(begin),
                       buffer);
        db_.PutCopyData(buffer);
        buffer.clear();
        ctx.ThrowIfCancelled();
        ctx.Progress("store", end, n);
      }
      AppendCopyTrailer(buffer);
      db_.PutCopyData(buffer);
    } catch (const Error&) {
      // End the COPY so that the connection can roll back; the first error is the one to report.
      if (PQstatus(db_.get()) == CONNECTION_OK) PQputCopyEnd(db_.get(), "abandoned");
      while (PGresult* r = PQgetResult(db_.get())) PQclear(r);
      throw;
    }
    db_.EndCopyIn();
  }

  void Migrate() {
    Transaction tx(db_);
    // Two processes opening a new store at once: one creates the catalogue, the other waits.
    db_.Exec("SELECT pg_advisory_xact_lock(" + LockKeySql("''") + ")");
    db_.Exec("CREATE TABLE IF NOT EXISTS prospect_schema_version(version integer NOT NULL)");
    int version = SchemaVersion();
    if (version > kPostgresSchemaVersion) {
      Fail(ErrorCode::kFailedPrecondition,
           "store {} has schema version {}, newer than this prospect understands ({}); upgrade "
           "prospect",
           db_.display_url(), version, kPostgresSchemaVersion);
    }
    for (; version < kPostgresSchemaVersion; ++version) {
      db_.Exec(kPostgresMigrations[version]);
      if (version + 1 == 2) ChainAuditLog();
      db_.Exec("DELETE FROM prospect_schema_version");
      db_.Exec("INSERT INTO prospect_schema_version(version) VALUES ($1)",
               {static_cast<int64_t>(version + 1)});
    }
    tx.Commit();
  }

  Connection db_;
};

// ---- Query ----

// A result column typed by the server's type OID: integers int64, floating point and numeric
// double, booleans int64 (0/1, as SQLite gives them), anything else its text.
DataType TypeOfOid(Oid oid) {
  switch (oid) {
    case 16:                              // bool
    case 20:                              // int8
    case 21:                              // int2
    case 23:                              // int4
    case 26: return DataType::kInt64;     // oid
    case 700:                             // float4
    case 701:                             // float8
    case 1700: return DataType::kDouble;  // numeric
    default: return DataType::kString;
  }
}

Table PostgresStore::Query(const std::string& sql, const Context& ctx) {
  ctx.ThrowIfCancelled();
  // Read only, and never committed: nothing the statement does (SET included) outlives it.
  Transaction tx(db_, "BEGIN TRANSACTION READ ONLY");
  ResultPtr prepared(PQprepare(db_.get(), "", sql.c_str(), 0, nullptr));
  if (!prepared || PQresultStatus(prepared.get()) != PGRES_COMMAND_OK) {
    const char* primary =
        prepared ? PQresultErrorField(prepared.get(), PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    if (primary && std::string_view(primary).find("multiple commands") != std::string_view::npos) {
      Fail(ErrorCode::kInvalidArgument,
           "sql: one statement at a time; the text holds more than one");
    }
    db_.ThrowError(prepared.get(), ErrorCode::kInvalidArgument);
  }
  ResultPtr result(PQexecPrepared(db_.get(), "", 0, nullptr, nullptr, nullptr, /*resultFormat=*/0));
  const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COPY_OUT || status == PGRES_COPY_IN) {
    db_.AbandonCopyOut();
    Fail(ErrorCode::kInvalidArgument, "prospect sql only reads: use SELECT or WITH ... SELECT");
  }
  if (status == PGRES_EMPTY_QUERY)
    Fail(ErrorCode::kInvalidArgument, "sql: the text holds no statement");
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    if (Connection::SqlState(result.get()) == "25006") {  // read_only_sql_transaction
      Fail(ErrorCode::kInvalidArgument,
           "prospect sql only reads: the statement would change the workspace or its connection "
           "(as INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, ATTACH, PRAGMA and transactions do). "
           "Query with SELECT or WITH ... SELECT; tables change through prospect ingest");
    }
    db_.ThrowError(result.get(), ErrorCode::kInvalidArgument);
  }
  if (status == PGRES_COMMAND_OK)
    Fail(ErrorCode::kInvalidArgument, "prospect sql only reads: use SELECT or WITH ... SELECT");
  PGresult* r = result.get();
  const int n_columns = PQnfields(r), n_rows = PQntuples(r);
  std::vector<Field> fields;
  std::vector<ColumnPtr> data;
  for (int c = 0; c < n_columns; ++c) {
    const std::string base = PQfname(r, c);
    std::string name = base;
    for (int k = 2;
         std::any_of(fields.begin(), fields.end(), [&](const Field& f) { return f.name == name; });
         ++k) {
      name = fmt::format("{}_{}", base, k);
    }
    const Oid oid = PQftype(r, c);
    const DataType type = TypeOfOid(oid);
    ColumnBuilder b(type);
    b.Reserve(static_cast<size_t>(n_rows));
    for (int row = 0; row < n_rows; ++row) {
      if (PQgetisnull(r, row, c)) {
        b.AppendNull();
        continue;
      }
      const std::string_view text(PQgetvalue(r, row, c),
                                  static_cast<size_t>(PQgetlength(r, row, c)));
      if (oid == 16) {
        b.AppendInt(text == "t" ? 1 : 0);
      } else if (type == DataType::kInt64) {
        int64_t v = 0;
        if (!ParseInt64(text, &v)) Fail(ErrorCode::kInternal, "sql: {} is not an integer", text);
        b.AppendInt(v);
      } else if (type == DataType::kDouble) {
        double v = 0;
        if (text == "Infinity" || text == "-Infinity") {
          v = text[0] == '-' ? -HUGE_VAL : HUGE_VAL;
        } else if (!ParseDouble(text, &v)) {
          Fail(ErrorCode::kInternal, "sql: {} is not a number", QuoteForMessage(text));
        }
        b.AppendDouble(v);
      } else {
        b.AppendString(text);
      }
    }
    fields.push_back({name, type});
    data.push_back(b.Finish());
  }
  return Table(Schema(std::move(fields)), std::move(data));
}

}  // namespace
}  // namespace prospect::pg_store

namespace prospect {

std::unique_ptr<Store> OpenPostgresStore(const std::string& url) {
  return std::make_unique<pg_store::PostgresStore>(url);
}

}  // namespace prospect
