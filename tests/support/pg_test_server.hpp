// The PostgreSQL test server (scripts/pg_test_server.sh): its URL from PROSPECT_TEST_PG_URL, a
// fresh schema per test, and a side connection for what a test does behind the store's back.
#pragma once

#include <gtest/gtest.h>

#include <string>

namespace prospect::testing {

/// PROSPECT_TEST_PG_URL, or "" when the PostgreSQL tests should skip.
std::string PostgresTestUrl();

/// What a skipped PostgreSQL test says.
inline constexpr const char* kNoPostgresMessage =
    "PROSPECT_TEST_PG_URL is not set. Run the PostgreSQL tests with a throwaway server: "
    "eval \"$(scripts/pg_test_server.sh start)\" && ctest; scripts/pg_test_server.sh stop "
    "\"$PROSPECT_TEST_PG_DIR\" (scripts/test.sh does this)";

/// A fresh schema on the test server, dropped (with everything in it) when the object dies.
/// url() is the server's URL with the schema as the search path: a store of its own.
class PgTestSchema {
 public:
  PgTestSchema();
  ~PgTestSchema();
  PgTestSchema(const PgTestSchema&) = delete;
  PgTestSchema& operator=(const PgTestSchema&) = delete;
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }
  /// Runs `sql` on a side connection in the schema; the first cell of the result ("" if none).
  /// A failure is a test failure (and returns "").
  std::string Exec(const std::string& sql) const;

 private:
  std::string name_;
  std::string url_;
};

}  // namespace prospect::testing

/// Skips the current test when no PostgreSQL test server is configured.
#define PROSPECT_REQUIRE_POSTGRES()                            \
  do {                                                         \
    if (::prospect::testing::PostgresTestUrl().empty())        \
      GTEST_SKIP() << ::prospect::testing::kNoPostgresMessage; \
  } while (0)
