// libpq behind RAII for the PostgreSQL store (see pg_connection.hpp).
#include "store/postgres/pg_connection.hpp"

#include <cstdlib>

#include "prospect/common/numbers.hpp"
#include "prospect/common/strings.hpp"

namespace prospect::pg_store {
namespace {

// Replaces the value after each "password=" (up to '&', whitespace or the end) with ***.
std::string ScrubPasswordParameters(std::string text) {
  for (size_t at = text.find("password="); at != std::string::npos;
       at = text.find("password=", at + 1)) {
    const size_t start = at + 9;
    size_t end = start;
    if (end < text.size() && text[end] == '\'') {  // keyword=value form: 'quoted value'
      end = text.find('\'', end + 1);
      end = end == std::string::npos ? text.size() : end + 1;
    } else {
      while (end < text.size() && text[end] != '&' && text[end] != ' ') ++end;
    }
    text.replace(start, end - start, "***");
  }
  return text;
}

// Silences libpq's default notice printer: the library never prints.
void IgnoreNotice(void*, const char*) {}

}  // namespace

std::string ScrubUrl(std::string_view url) {
  std::string out(url);
  const size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    const size_t authority = scheme + 3;
    const size_t end = out.find_first_of("/?", authority);
    const size_t at = out.rfind('@', end == std::string::npos ? out.size() : end);
    if (at != std::string::npos && at >= authority) {
      const size_t colon = out.find(':', authority);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  return ScrubPasswordParameters(std::move(out));
}

std::string QuoteIdent(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

int64_t Rows::Int(int row, int column) const {
  const std::string text = Text(row, column);
  int64_t value = 0;
  if (!ParseInt64(text, &value))
    Fail(ErrorCode::kInternal, "store: expected an integer from the server, got {}", text);
  return value;
}

Connection::Connection(const std::string& url) : display_url_(ScrubUrl(url)) {
  // The password as given (URL or key=value), so that no message can echo it.
  char* parse_error = nullptr;
  if (PQconninfoOption* options = PQconninfoParse(url.c_str(), &parse_error)) {
    for (PQconninfoOption* o = options; o->keyword; ++o) {
      if (std::string_view(o->keyword) == "password" && o->val) password_ = o->val;
    }
    PQconninfoFree(options);
  } else {
    std::string message = parse_error ? parse_error : "out of memory";
    PQfreemem(parse_error);
    Fail(ErrorCode::kInvalidArgument, "invalid store URL {}: {}", display_url_,
         Scrub(std::string(Trim(message))));
  }
  conn_ = PQconnectdb(url.c_str());
  if (!conn_)
    Fail(ErrorCode::kResourceExhausted, "cannot open store {}: out of memory", display_url_);
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = Scrub(std::string(Trim(PQerrorMessage(conn_))));
    PQfinish(conn_);
    conn_ = nullptr;
    Fail(ErrorCode::kIo, "cannot open store {}: {}", display_url_, message);
  }
  PQsetNoticeProcessor(conn_, IgnoreNotice, nullptr);
}

Connection::~Connection() {
  if (copy_buffer_) PQfreemem(copy_buffer_);
  PQfinish(conn_);
}

std::string Connection::Scrub(std::string message) const {
  if (!password_.empty()) {
    for (size_t at = message.find(password_); at != std::string::npos;
         at = message.find(password_, at + 3)) {
      message.replace(at, password_.size(), "***");
    }
  }
  return ScrubPasswordParameters(std::move(message));
}

std::string Connection::SqlState(const PGresult* result) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  return state ? state : "";
}

void Connection::ThrowError(const PGresult* result, ErrorCode failure_code) {
  const std::string state = SqlState(result);
  const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string message = primary ? primary : std::string(Trim(PQerrorMessage(conn_)));
  if (message.empty()) message = "unknown error";
  message = Scrub(std::move(message));
  // A lost connection (the server went away, or pg_terminate_backend) is I/O whatever was asked.
  if (PQstatus(conn_) == CONNECTION_BAD || state.rfind("08", 0) == 0 ||
      state.rfind("57P", 0) == 0) {
    Fail(ErrorCode::kIo, "store {}: the connection to the server was lost: {}", display_url_,
         message);
  }
  if (state == "53100" || state == "53200") {
    Fail(ErrorCode::kResourceExhausted, "store {}: {}", display_url_, message);
  }
  if (failure_code == ErrorCode::kInvalidArgument) {
    Fail(failure_code, "sql: {}", message);  // the user's own SQL: the server's words
  }
  Fail(failure_code, "store {}: {}", display_url_, message);
}

ResultPtr Connection::Check(PGresult* raw, ErrorCode failure_code) {
  ResultPtr result(raw);
  const ExecStatusType status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_COPY_IN &&
      status != PGRES_COPY_OUT) {
    ThrowError(raw, failure_code);
  }
  return result;
}

void Connection::CheckResult(const PGresult* result, ErrorCode failure_code) {
  const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) ThrowError(result, failure_code);
}

Rows Connection::Exec(const std::string& sql, ErrorCode failure_code) {
  return Rows(Check(PQexec(conn_, sql.c_str()), failure_code));
}

Rows Connection::Exec(const std::string& sql, const std::vector<Param>& params, bool binary_result,
                      ErrorCode failure_code) {
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
  for (const Param& p : params) {
    values.push_back(p.value ? p.value->data() : nullptr);
    lengths.push_back(p.value ? static_cast<int>(p.value->size()) : 0);
    formats.push_back(p.binary ? 1 : 0);
  }
  return Rows(
      Check(PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr,
                         values.data(), lengths.data(), formats.data(), binary_result ? 1 : 0),
            failure_code));
}

void Connection::BeginCopyIn(const std::string& sql) {
  ResultPtr r = Check(PQexec(conn_, sql.c_str()), ErrorCode::kIo);
  if (PQresultStatus(r.get()) != PGRES_COPY_IN) {
    Fail(ErrorCode::kInternal, "store: {} did not start a COPY", sql);
  }
}

void Connection::PutCopyData(std::string_view bytes) {
  if (PQputCopyData(conn_, bytes.data(), static_cast<int>(bytes.size())) != 1) {
    ThrowError(nullptr, ErrorCode::kIo);
  }
}

void Connection::EndCopyIn() {
  if (PQputCopyEnd(conn_, nullptr) != 1) ThrowError(nullptr, ErrorCode::kIo);
  // The COPY's own result, then the end of the command.
  ResultPtr first = Check(PQgetResult(conn_), ErrorCode::kIo);
  while (PGresult* more = PQgetResult(conn_)) Check(more, ErrorCode::kIo);
}

void Connection::BeginCopyOut(const std::string& sql) {
  ResultPtr r = Check(PQexec(conn_, sql.c_str()), ErrorCode::kIo);
  if (PQresultStatus(r.get()) != PGRES_COPY_OUT) {
    Fail(ErrorCode::kInternal, "store: {} did not start a COPY", sql);
  }
}

bool Connection::GetCopyData(std::string_view* message) {
  if (copy_buffer_) {
    PQfreemem(copy_buffer_);
    copy_buffer_ = nullptr;
  }
  const int n = PQgetCopyData(conn_, &copy_buffer_, /*async=*/0);
  if (n >= 0) {
    *message = std::string_view(copy_buffer_, static_cast<size_t>(n));
    return true;
  }
  if (n == -2) ThrowError(nullptr, ErrorCode::kIo);
  // -1: the COPY is over; its result says whether it went well.
  ResultPtr result = Check(PQgetResult(conn_), ErrorCode::kIo);
  while (PGresult* more = PQgetResult(conn_)) Check(more, ErrorCode::kIo);
  return false;
}

void Connection::AbandonCopyOut() noexcept {
  if (PQstatus(conn_) != CONNECTION_OK) return;
  if (PGcancel* cancel = PQgetCancel(conn_)) {
    char error[256];
    PQcancel(cancel, error, sizeof error);
    PQfreeCancel(cancel);
  }
  char* buffer = nullptr;
  while (PQgetCopyData(conn_, &buffer, 0) >= 0) PQfreemem(buffer);
  while (PGresult* r = PQgetResult(conn_)) PQclear(r);
}

Transaction::Transaction(Connection& connection, const std::string& begin)
    : connection_(connection), nested_(PQtransactionStatus(connection.get()) == PQTRANS_INTRANS) {
  connection_.Exec(nested_ ? "SAVEPOINT prospect_nested" : begin);
}

namespace {
constexpr const char* kRollbackNested =
    "ROLLBACK TO SAVEPOINT prospect_nested; RELEASE SAVEPOINT prospect_nested";
}

Transaction::~Transaction() {
  if (open_ && PQstatus(connection_.get()) == CONNECTION_OK) {
    PQclear(PQexec(connection_.get(), nested_ ? kRollbackNested : "ROLLBACK"));
  }
}

void Transaction::Rollback() {
  open_ = false;
  connection_.Exec(nested_ ? kRollbackNested : "ROLLBACK");
}

void Transaction::Commit() {
  connection_.Exec(nested_ ? "RELEASE SAVEPOINT prospect_nested" : "COMMIT");
  open_ = false;
}

}  // namespace prospect::pg_store
