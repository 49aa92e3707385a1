// Store: where a workspace keeps its tables, their catalogue and ingest history, and named
// objects (models, segments, reports). One interface; SQLite (the default) and PostgreSQL.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/table/table.hpp"

namespace prospect {

/// A table in the catalogue.
struct TableInfo {
  std::string name;
  int64_t rows = 0;
  Schema schema;
  std::optional<std::string> key;  ///< primary-key column, if declared with --key
  std::string created_at;          ///< UTC, "YYYY-MM-DD HH:MM:SS"
  std::string updated_at;
  /// {name, rows, key (or null), columns: [{name, type}], updated_at}, as `tables --json` lists it.
  nlohmann::json ToJson() const;
};

/// One ingest into a table, kept in the catalogue's history.
struct IngestRecord {
  int64_t id = 0;
  std::string table;
  std::string source;  ///< file path as given
  std::string mode;    ///< "replace" or "append"
  int64_t rows_read = 0;
  int64_t rows_loaded = 0;
  int64_t rows_rejected = 0;
  int64_t rows_deduplicated = 0;  ///< rows replaced by a later row with the same key
  std::string at;                 ///< UTC time of the commit
};

enum class WriteMode { kReplace, kAppend };

struct WriteOptions {
  WriteMode mode = WriteMode::kReplace;
  /// With a key, rows are unique on it: within the new data the last row for a key wins, and in
  /// append mode a new row replaces the stored row with the same key (upsert).
  std::optional<std::string> key;
  /// Recorded in the ingest history in the same transaction as the data.
  std::optional<IngestRecord> history;
};

/// A named, versioned object: a model, a segmentation, a fitted cleaning recipe.
struct StoredObject {
  std::string kind;  ///< "model", "segmentation", "cleaning", ...
  std::string name;
  int64_t version = 0;  ///< 1, 2, ... per (kind, name)
  nlohmann::json meta;
  std::string body;  ///< binary payload (a model file), may be empty
  std::string created_at;
};

/// One entry of the audit log. Entries are hash-chained: `hash` covers the entry's fields and
/// the previous entry's hash, so editing or deleting an entry breaks the chain from there on
/// (`prospect audit verify`). Ids run 1, 2, 3, ... without gaps.
struct AuditEntry {
  int64_t id = 0;
  std::string at;         ///< UTC, "YYYY-MM-DD HH:MM:SS"
  std::string actor;      ///< who: "cli:USER", "key:NAME", or "" (entries made before actors)
  std::string action;     ///< "ingest", "forget", "audience.export", ...
  std::string detail;     ///< what, never PII
  std::string prev_hash;  ///< the previous entry's hash; "" for the first entry
  std::string hash;       ///< AuditHash of this entry
  nlohmann::json ToJson() const;
};

/// SHA-256 (hex) of an entry's id, at, actor, action, detail and prev_hash (its `hash` aside).
std::string AuditHash(const AuditEntry& entry);

/// A Store is used by one thread at a time (open one per thread for concurrent access).
class Store {
 public:
  virtual ~Store() = default;

  /// Opens a store by URL: "sqlite:PATH" or a plain path to a SQLite file; "postgresql://..." (or
  /// "postgres://...", libpq's URL and PG* variables) for PostgreSQL. Creates and migrates it.
  static std::unique_ptr<Store> Open(const std::string& url);

  /// Valid table names: a letter or underscore, then letters, digits, underscores; at most 63
  /// characters; not starting with "prospect_" (reserved). Throws kInvalidArgument otherwise.
  static void CheckTableName(const std::string& name);
  /// Valid names of stored objects (models, audiences, …): a letter or digit, then letters,
  /// digits, '_', '-' or '.'; at most 128 characters. Throws kInvalidArgument naming `what`
  /// ("model name") otherwise.
  static void CheckObjectName(std::string_view what, const std::string& name);

  virtual std::vector<TableInfo> ListTables() = 0;
  virtual std::optional<TableInfo> FindTable(const std::string& name) = 0;
  /// FindTable, or kNotFound suggesting a close name and listing the tables.
  TableInfo FindTableOrFail(const std::string& name);
  using ChunkCallback = std::function<void(const Table& chunk)>;
  /// Reads table `name` in stored row order and hands it to `on_chunk` a slice at a time: at
  /// most `rows_per_chunk` rows (>= 1), holding only `columns`, in that order (every column
  /// when empty). An empty table gives one empty chunk, so a caller always sees the schema.
  /// An unknown table is kNotFound listing the tables, an unknown column kNotFound naming it;
  /// whatever `on_chunk` throws ends the scan and reaches the caller.
  virtual void Scan(const std::string& name, const std::vector<std::string>& columns,
                    size_t rows_per_chunk, const ChunkCallback& on_chunk, const Context& ctx) = 0;
  /// The whole table (or only `columns`) at once: one chunk of Scan.
  Table LoadTable(const std::string& name, const Context& ctx) { return LoadTable(name, {}, ctx); }
  Table LoadTable(const std::string& name, const std::vector<std::string>& columns,
                  const Context& ctx);
  /// Writes atomically: on any error the store is as it was before the call.
  virtual void WriteTable(const std::string& name, const Table& table, const WriteOptions& options,
                          const Context& ctx) = 0;
  virtual void DropTable(const std::string& name) = 0;
  /// Deletes the rows of table `name` whose `column` (compared as text, as FormatValue writes it)
  /// is one of `values`, and returns how many; `deleted`, when given, gets those rows (every
  /// column, in stored order). Only the stored pieces that held such rows are rewritten, so
  /// erasing one person from a large table is quick. Atomic, like WriteTable.
  virtual int64_t DeleteRows(const std::string& name, const std::string& column,
                             const std::unordered_set<std::string>& values, const Context& ctx,
                             Table* deleted = nullptr) = 0;
  /// Runs one read-only SQL statement over the workspace's tables (each under its own name) and
  /// returns its rows, in the store's SQL dialect (PostgreSQL's runs in a READ ONLY transaction).
  /// Columns are int64, double or string by their values (by type on PostgreSQL). A statement that
  /// would change anything is kInvalidArgument, as is an SQL error (with the database's message).
  virtual Table Query(const std::string& sql, const Context& ctx) = 0;
  virtual std::vector<IngestRecord> IngestHistory(const std::string& table) = 0;

  /// Saves a new version of (kind, name) and returns its version number.
  virtual int64_t PutObject(const std::string& kind, const std::string& name,
                            const nlohmann::json& meta, const std::string& body) = 0;
  /// The latest version, or a given one. nullopt when absent.
  virtual std::optional<StoredObject> GetObject(const std::string& kind, const std::string& name,
                                                int64_t version = 0) = 0;
  /// Latest version of each object of a kind (body left empty).
  virtual std::vector<StoredObject> ListObjects(const std::string& kind) = 0;
  /// Replaces the meta and body of a stored version in place. For erasure only: every other
  /// change is a new version.
  virtual void RewriteObject(const std::string& kind, const std::string& name, int64_t version,
                             const nlohmann::json& meta, const std::string& body) = 0;
  /// GetObject, or kNotFound that helps: "NOUN NAME has no version N" when only the version is
  /// missing, else `no NOUN "NAME". Did you mean …? PLURAL: a, b.` ("none yet (use CREATE)"
  /// when there are none).
  StoredObject GetObjectOrFail(const std::string& kind, const std::string& name, int64_t version,
                               std::string_view noun, std::string_view plural,
                               std::string_view create);

  /// Appends to the audit log what the store's actor did, chained to the entry before it (in
  /// one transaction, so concurrent writers keep one chain), and returns the entry (its id and
  /// hash are a receipt). Never put PII in `detail`.
  AuditEntry Audit(const std::string& action, const std::string& detail) {
    return AppendAudit(actor_, action, detail);
  }
  /// The audit log, oldest first, from entry `from_id` on.
  virtual std::vector<AuditEntry> AuditLog(int64_t from_id = 1) = 0;
  /// Who the following Audit entries are by ("cli:USER", "key:NAME").
  void set_actor(std::string actor) { actor_ = std::move(actor); }
  const std::string& actor() const { return actor_; }

  /// Runs `work` as one transaction: every change it makes through this store (tables, objects,
  /// audit entries) commits together, or none does if it throws. Calls may nest.
  virtual void RunInTransaction(const std::function<void()>& work) = 0;
  /// Gives the space of deleted data back and overwrites it (SQLite VACUUM and a WAL checkpoint;
  /// PostgreSQL VACUUM): after an erasure, no freed page keeps the erased bytes.
  virtual void Compact() = 0;

  /// Schema version of the store's own tables (after migrations).
  virtual int SchemaVersion() = 0;

 protected:
  virtual AuditEntry AppendAudit(const std::string& actor, const std::string& action,
                                 const std::string& detail) = 0;
  /// `entry` (its at, actor, action and detail) as the one that follows `last` (nullopt: the
  /// first): its id, prev_hash and hash filled in. Every append and the migration chain so.
  static AuditEntry ChainAuditEntry(const std::optional<AuditEntry>& last, AuditEntry entry);

 private:
  std::string actor_;
};

}  // namespace prospect
