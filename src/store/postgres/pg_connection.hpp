// libpq behind RAII: one connection that throws prospect errors, with every message scrubbed of
// the password, and the COPY calls the store streams tables through.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "prospect/common/error.hpp"

namespace prospect::pg_store {

/// `url` with its password (user:PASSWORD@ or password=...) replaced by "***": what messages show.
std::string ScrubUrl(std::string_view url);

/// "name" with inner quotes doubled: an SQL identifier whatever the name holds.
std::string QuoteIdent(std::string_view name);

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

/// A query's result rows (text format); cells read as text or integers.
class Rows {
 public:
  explicit Rows(ResultPtr result) : result_(std::move(result)) {}
  int size() const { return PQntuples(result_.get()); }
  bool IsNull(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  std::string Text(int row, int column) const {
    return std::string(PQgetvalue(result_.get(), row, column),
                       static_cast<size_t>(PQgetlength(result_.get(), row, column)));
  }
  int64_t Int(int row, int column) const;
  /// A bytea cell (fetched in binary format).
  std::string Bytes(int row, int column) const { return Text(row, column); }
  PGresult* get() const { return result_.get(); }

 private:
  ResultPtr result_;
};

/// A parameter of Exec: text, or null; `binary` sends the bytes as they are (bytea).
struct Param {
  std::optional<std::string> value;
  bool binary = false;
  Param() = default;
  Param(std::string text) : value(std::move(text)) {}       // NOLINT: parameters read as values
  Param(const char* text) : value(text) {}                  // NOLINT
  Param(int64_t number) : value(std::to_string(number)) {}  // NOLINT
  static Param Bytes(std::string bytes) {
    Param p(std::move(bytes));
    p.binary = true;
    return p;
  }
};

/// One open connection. Errors are prospect::Error: a lost connection or a server that cannot be
/// reached is kIo, a full disk kResourceExhausted, everything else `failure_code` (kIo unless
/// the caller says otherwise), with the server's message and the scrubbed URL.
class Connection {
 public:
  /// Connects with libpq's URL rules and the PG* environment variables.
  explicit Connection(const std::string& url);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// The URL with its password replaced by "***".
  const std::string& display_url() const { return display_url_; }
  PGconn* get() const { return conn_; }

  /// Runs `sql` (one or more statements, no parameters) and returns the last result's rows.
  Rows Exec(const std::string& sql, ErrorCode failure_code = ErrorCode::kIo);
  /// Runs one statement with $1, $2, ... bound to `params`; `binary_result` fetches cells in
  /// binary format (for bytea).
  Rows Exec(const std::string& sql, const std::vector<Param>& params, bool binary_result = false,
            ErrorCode failure_code = ErrorCode::kIo);

  /// Runs `sql` and returns its result whatever it is (for callers that look at the SQLSTATE).
  ResultPtr ExecRaw(const std::string& sql) { return ResultPtr(PQexec(conn_, sql.c_str())); }
  /// Throws (as Exec would) unless `result` succeeded.
  void CheckResult(const PGresult* result, ErrorCode failure_code = ErrorCode::kIo);

  /// Starts a COPY ... FROM STDIN; then PutCopyData, then EndCopyIn.
  void BeginCopyIn(const std::string& sql);
  void PutCopyData(std::string_view bytes);
  void EndCopyIn();
  /// Starts a COPY ... TO STDOUT; then GetCopyData until it returns false.
  void BeginCopyOut(const std::string& sql);
  /// The next message of a COPY TO STDOUT (one row); false at the end (the COPY's result has been
  /// checked then). The view stays valid until the next call.
  bool GetCopyData(std::string_view* message);
  /// Leaves a COPY TO STDOUT early (after an exception): cancels it on the server and reads what
  /// is left, so the connection can run a ROLLBACK. Never throws.
  void AbandonCopyOut() noexcept;

  /// Throws the error of a failed result (or of the connection when `result` is null).
  [[noreturn]] void ThrowError(const PGresult* result, ErrorCode failure_code);
  /// The server's SQLSTATE of a failed result ("" when there is none).
  static std::string SqlState(const PGresult* result);

 private:
  ResultPtr Check(PGresult* raw, ErrorCode failure_code);
  std::string Scrub(std::string message) const;

  PGconn* conn_ = nullptr;
  std::string display_url_;
  std::string password_;
  char* copy_buffer_ = nullptr;
};

/// BEGIN ... COMMIT on a connection; rolls back in the destructor unless committed. Inside a
/// transaction already open, a savepoint of it instead.
class Transaction {
 public:
  Transaction(Connection& connection, const std::string& begin = "BEGIN");
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void Commit();
  /// Rolls back now (after a failed statement, to run more on the connection).
  void Rollback();

 private:
  Connection& connection_;
  bool nested_;  ///< inside a transaction already open: a savepoint of it
  bool open_ = true;
};

}  // namespace prospect::pg_store
