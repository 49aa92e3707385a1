// `prospect sql` on the quickstart workspace answers as pandas does on the quickstart's CSV
// (tests/fixtures/store/make_quickstart_counts.py), writes --out CSV and --json, and refuses
// anything but reading.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/cli_expect.hpp"
#include "support/json_fixture.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using testing::ExpectCliFailure;
using testing::RunCli;
using testing::TempDir;

TEST(CliSql, CountsPerEventTypeMatchPandasOnTheQuickstart) {
  const nlohmann::json& f = testing::LoadJsonFixture("store/quickstart_event_counts.json");
  TempDir dir;
  ASSERT_EQ(RunCli("--quiet quickstart --customers 2000 --dir " + dir.File("qs")).exit_code, 0);
  const std::string ws = "--workspace " + dir.File("qs/workspace") + " ";
  const auto r = RunCli(ws + "--json sql '" + f["query"].get<std::string>() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc["row_count"], f["types"].size());
  EXPECT_EQ(doc["columns"][1]["type"], "int64");
  for (const auto& row : doc["rows"]) {
    const auto& want = f["types"][row["type"].get<std::string>()];
    EXPECT_EQ(row["count(*)"], want["count"]) << row;
    // SQLite adds in row order, pandas pairwise: equal to about 1e-12 relative.
    const double sum = want["value_sum"].get<double>();
    EXPECT_NEAR(row["sum(value)"].get<double>(), sum, 1e-9 * sum) << row;
  }
  // Every row to CSV: the count pandas read.
  const auto out = RunCli(ws + "sql 'SELECT * FROM events' --out " + dir.File("events.csv"));
  ASSERT_EQ(out.exit_code, 0) << out.err;
  EXPECT_EQ(out.out, "Wrote " + std::to_string(f["rows"].get<int>()) + " rows to " +
                         dir.File("events.csv") + "\n");
  // The terminal view stops at --max-rows and says how to see the rest.
  const auto head = RunCli(ws + "sql 'SELECT type FROM events' --max-rows 2");
  EXPECT_NE(head.out.find("… " + std::to_string(f["rows"].get<int>() - 2) + " more rows"),
            std::string::npos)
      << head.out;
}

TEST(CliSql, RefusesWritesAndNamesSqlErrors) {
  TempDir dir;
  const std::string csv = dir.Write("t.csv", "id,x\n1,2.5\n2,\n");
  const std::string ws = "--workspace " + dir.File("w") + " ";
  ASSERT_NO_FATAL_FAILURE(testing::InitWorkspaceAndIngest(dir, ws, "t", csv));
  ExpectCliFailure(RunCli(ws + "sql 'DELETE FROM t'"), "error: sql: table t may not be modified\n");
  ExpectCliFailure(RunCli(ws + "sql 'DROP TABLE prospect_tables'"),
                   "error: prospect sql only reads: the statement would change the workspace or "
                   "its connection (as INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, ATTACH, "
                   "PRAGMA and transactions do). Query with SELECT or WITH ... SELECT; tables "
                   "change through prospect ingest\n");
  ExpectCliFailure(RunCli(ws + "sql 'SELECT nope FROM t'"), "error: sql: no such column: nope\n");
  ExpectCliFailure(RunCli(ws + "sql 'SELECT 1; SELECT 2'"),
                   "error: sql: one statement at a time; the text goes on after the first: \" "
                   "SELECT 2\"\n");
  const auto r = RunCli(ws + "sql 'SELECT id, x FROM t ORDER BY id'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "id  x\n--  ----\n1   2.5\n2   NULL\n(2 rows)\n");
}

}  // namespace
}  // namespace prospect
