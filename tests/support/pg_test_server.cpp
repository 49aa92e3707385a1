// A schema per test on the PostgreSQL test server (see pg_test_server.hpp).
#include "support/pg_test_server.hpp"

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <random>

namespace prospect::testing {
namespace {

// Runs `sql` on a new connection to `url`; the first cell of the last result.
std::string RunOnServer(const std::string& url, const std::string& sql) {
  const std::unique_ptr<PGconn, void (*)(PGconn*)> conn(PQconnectdb(url.c_str()), PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    ADD_FAILURE() << "cannot connect to the test server: " << PQerrorMessage(conn.get());
    return "";
  }
  PQsetNoticeProcessor(
      conn.get(), [](void*, const char*) {}, nullptr);  // DROP ... CASCADE's
  const std::unique_ptr<PGresult, void (*)(PGresult*)> result(PQexec(conn.get(), sql.c_str()),
                                                              PQclear);
  const ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    ADD_FAILURE() << sql << ": " << PQresultErrorMessage(result.get());
    return "";
  }
  return PQntuples(result.get()) > 0 && PQnfields(result.get()) > 0 ? PQgetvalue(result.get(), 0, 0)
                                                                    : "";
}

}  // namespace

std::string PostgresTestUrl() {
  const char* url = std::getenv("PROSPECT_TEST_PG_URL");
  return url ? url : "";
}

PgTestSchema::PgTestSchema() {
  static std::atomic<int> counter{0};
  std::random_device random;
  name_ = "t_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
          std::to_string(random() % 1000000);
  const std::string base = PostgresTestUrl();
  RunOnServer(base, "CREATE SCHEMA " + name_);
  url_ =
      base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + name_;
}

PgTestSchema::~PgTestSchema() {
  RunOnServer(PostgresTestUrl(), "DROP SCHEMA " + name_ + " CASCADE");
}

std::string PgTestSchema::Exec(const std::string& sql) const { return RunOnServer(url_, sql); }

}  // namespace prospect::testing
