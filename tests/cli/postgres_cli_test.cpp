// The CLI on a PostgreSQL workspace (init --db postgresql://...), against the live test server:
// ingest, tables, export, sql, train and score give what the same commands give on a SQLite
// workspace. Skipped without PROSPECT_TEST_PG_URL (scripts/pg_test_server.sh).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/cli_expect.hpp"
#include "support/pg_test_server.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using testing::PgTestSchema;
using testing::ReadFileText;
using testing::RunCli;
using testing::TempDir;

// 300 customers in canonical CSV (what export writes back): ids, text with commas, quotes and
// Chinese, a categorical plan, dates before and after 1970, nulls, and a target that depends on
// the features.
std::string CustomersCsv() {
  std::string csv = "customer_id,name,plan,signup,spend,visits,active,bought\n";
  const char* plans[] = {"basic", "plus", "pro"};
  for (int i = 1; i <= 300; ++i) {
    const std::string name = i % 7 == 0    ? fmt::format("\"Lee, {}\"", i)
                             : i % 11 == 0 ? fmt::format("\"say \"\"hi\"\" {}\"", i)
                             : i % 13 == 0 ? fmt::format("王{}", i)
                                           : fmt::format("c{}", i);
    const int year = 1965 + i % 60;
    const std::string spend = i % 17 == 0 ? "" : fmt::format("{}.5", (i * 37) % 500);
    const int visits = (i * 7) % 40;
    const bool bought = visits + (i % 3) * 10 > 30;
    csv += fmt::format("{},{},{},{:04}-{:02}-{:02},{},{},{},{}\n", i, name, plans[i % 3], year,
                       1 + i % 12, 1 + i % 28, spend, visits, i % 2 ? "true" : "false",
                       bought ? 1 : 0);
  }
  return csv;
}

TEST(PostgresCli, AWorkspaceOnPostgresAnswersAsOneOnSqlite) {
  PROSPECT_REQUIRE_POSTGRES();
  PgTestSchema schema;
  TempDir dir;
  const std::string csv = dir.Write("customers.csv", CustomersCsv());
  const std::string pg = "--threads 1 --workspace " + dir.File("pg") + " ";
  const std::string lite = "--threads 1 --workspace " + dir.File("lite") + " ";
  auto r = RunCli("init " + dir.File("pg") + " --db '" + schema.url() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(ReadFileText(dir.File("pg/prospect.toml")).find(schema.url()), std::string::npos);
  ASSERT_EQ(RunCli("init " + dir.File("lite")).exit_code, 0);
  for (const std::string& ws : {pg, lite}) {
    r = RunCli(ws + "ingest customers " + csv + " --key customer_id");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // The table is a real SQL table in the schema.
  EXPECT_EQ(schema.Exec("SELECT count(*) FROM customers WHERE plan = 'pro'"), "100");

  r = RunCli(pg + "--json tables");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto tables = nlohmann::json::parse(r.out);
  ASSERT_EQ(tables["tables"].size(), 1u);
  EXPECT_EQ(tables["tables"][0]["rows"], 300);
  EXPECT_EQ(tables["tables"][0]["key"], "customer_id");
  auto lite_tables = nlohmann::json::parse(RunCli(lite + "--json tables").out);
  EXPECT_EQ(tables["tables"][0]["columns"], lite_tables["tables"][0]["columns"]);

  // Export gives back the file as it was ingested.
  r = RunCli(pg + "export customers --out " + dir.File("back.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFileText(dir.File("back.csv")), CustomersCsv());

  // An upsert through the key, then the same counts on both.
  const std::string more = dir.Write("more.csv",
                                     "customer_id,name,plan,signup,spend,visits,active,"
                                     "bought\n5,new5,pro,2020-01-01,1.5,3,true,0\n"
                                     "301,c301,basic,2021-02-03,,1,false,1\n");
  for (const std::string& ws : {pg, lite}) {
    r = RunCli(ws + "ingest customers " + more + " --mode append");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  const std::string query =
      "'SELECT plan, count(*) AS n FROM customers GROUP BY plan ORDER BY plan'";
  r = RunCli(pg + "sql " + query);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, RunCli(lite + "sql " + query).out);

  // Train and score: the same model and the same scores as on SQLite.
  for (const std::string& ws : {pg, lite}) {
    r = RunCli(ws +
               "train --table customers --target bought --id customer_id --exclude name "
               "--model logistic --name buyers");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  ASSERT_EQ(RunCli(pg + "score buyers --table customers --out " + dir.File("pg.csv")).exit_code, 0);
  ASSERT_EQ(RunCli(lite + "score buyers --table customers --out " + dir.File("lite.csv")).exit_code,
            0);
  const std::string scores = ReadFileText(dir.File("pg.csv"));
  EXPECT_EQ(scores.substr(0, scores.find('\n')), "customer_id,score");
  EXPECT_EQ(scores, ReadFileText(dir.File("lite.csv")));
  r = RunCli(pg + "--json models");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("buyers"), std::string::npos) << r.out;
}

TEST(PostgresCli, AnUnreachableServerIsAnErrorWithoutThePassword) {
  PROSPECT_REQUIRE_POSTGRES();
  TempDir dir;
  const auto r =
      RunCli("init " + dir.File("w") + " --db 'postgresql://ann:hunter2@%2Fno%2Fsuch%2Fdir/crm'");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(
      r.err.rfind("error: cannot open store postgresql://ann:***@%2Fno%2Fsuch%2Fdir/crm: ", 0), 0u)
      << r.err;
  EXPECT_EQ(r.err.find("hunter2"), std::string::npos) << r.err;
  EXPECT_TRUE(ReadFileText(dir.File("w/prospect.toml")).empty());  // no half-made workspace
}

}  // namespace
}  // namespace prospect
