// The SQL module: SQLite virtual tables over a workspace's column chunks, so `prospect sql` answers
// SQL over every table without exporting it. A query reads only the columns it names, and skips
// the chunks whose min/max rule out its numeric comparisons (=, <, <=, >, >= with a number).
// Values appear as they were stored before the chunks: int64 and bool as INTEGER (0/1), double as
// REAL, text and categoricals as TEXT, dates as 'YYYY-MM-DD' and timestamps as
// 'YYYY-MM-DD HH:MM:SS[.ffffff]' (so SQLite's date functions apply).
#pragma once

#include <sqlite3.h>

#include <cstddef>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/store/store.hpp"

namespace prospect::sqlite_store {

/// What the module reads through: the store's catalogue and its checked chunk decoder.
class ChunkSource {
 public:
  virtual ~ChunkSource() = default;
  virtual std::optional<TableInfo> FindTable(const std::string& name) = 0;
  /// Rows of each stored chunk, in order.
  virtual std::vector<size_t> ChunkRows(const TableInfo& info) = 0;
  /// Stored chunks [first, last) of the columns at `positions`.
  virtual Table ReadChunks(const TableInfo& info, const std::vector<size_t>& positions,
                           size_t first, size_t last, const Context& ctx) = 0;
};

/// The module's state on one connection: where it reads, with which Context, and the first
/// prospect::Error a callback caught (SQLite's C frames cannot carry exceptions; the query
/// rethrows it once the statement fails).
struct SqlModuleState {
  ChunkSource* source = nullptr;
  const Context* ctx = nullptr;
  std::exception_ptr failure;
};

/// Registers the module "prospect_table" on `db`; `state` must outlive the connection.
/// `CREATE VIRTUAL TABLE temp.t USING prospect_table(t)` then makes workspace table t queryable.
void RegisterSqlModule(sqlite3* db, SqlModuleState* state);

/// Runs one read-only statement on `db` (whose tables are already virtual tables of the module)
/// and returns its rows. A column is int64 when its values are integers, double when any is a
/// real, string when any is text (a column of only nulls is string). A statement that would
/// change anything, or more than one statement, is kInvalidArgument; so is an SQL error, with
/// SQLite's message.
Table RunReadOnlyQuery(sqlite3* db, SqlModuleState* state, const std::string& sql,
                       const Context& ctx);

}  // namespace prospect::sqlite_store
