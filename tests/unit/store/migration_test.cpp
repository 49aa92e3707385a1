// A workspace store written by the row-table code (schema version 1, the file made by
// tests/fixtures/store/make_v1_workspace.sh at commit 5849e22) opens, migrates to column chunks in
// one step, and keeps every value, the ingest history, the key and the stored model.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "prospect/common/datetime.hpp"
#include "prospect/privacy/audit.hpp"
#include "prospect/store/store.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using testing::TempDir;

std::vector<std::string> Cells(const Table& t, const std::string& column) {
  std::vector<std::string> out;
  const Column& c = t.column(column);
  for (size_t r = 0; r < t.num_rows(); ++r) out.push_back(c.IsNull(r) ? "NULL" : c.FormatValue(r));
  return out;
}

// Schema version 3 chains the audit entries made before it, keeping their order, times and text,
// and moves campaign plans from kind "audience" (now saved audiences) to "campaign_plan".
TEST(StoreMigration, TheOldAuditLogBecomesAHashChain) {
  TempDir dir;
  const std::string path = dir.File("prospect.db");
  std::filesystem::copy_file(testing::SourceDir() + "/tests/fixtures/store/v1_workspace.db", path);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "INSERT INTO prospect_objects VALUES ('audience', 'plan', 1, '{}', NULL, "
                         "'2026-12-01 10:00:00')",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto store = Store::Open(path);
  EXPECT_TRUE(store->ListObjects("audience").empty());
  EXPECT_EQ(store->ListObjects("campaign_plan").at(0).name, "plan");
  const std::vector<AuditEntry> log = store->AuditLog();
  ASSERT_EQ(log.size(), 6u);
  EXPECT_EQ(log[0].action, "init");
  EXPECT_EQ(log[0].detail, "workspace created");
  EXPECT_EQ(log[0].at, "2026-12-05 05:39:41");
  EXPECT_EQ(log[5].detail, "model=tiny version=1");
  // SHA-256 of the JSON array [id, at, actor, action, detail, prev_hash], by Python's hashlib:
  // json.dumps([1, "2026-12-05 05:39:41", "", "init", "workspace created", ""],
  //            separators=(",", ":")), and so on down the chain.
  EXPECT_EQ(log[0].hash, "bc34f33ba49df2d2f9694f81da41de1436b8bceb9a8c1cecaf34546091725a5b");
  EXPECT_EQ(log[5].hash, "01e57458c28c090337006f9835e916a18d3ef7beab680db89ea297330d87db60");
  EXPECT_TRUE(VerifyAuditLog(*store).ok);
  store->Audit("train", "model=tiny version=2");
  EXPECT_EQ(store->AuditLog(7).at(0).prev_hash, log[5].hash);
}

TEST(StoreMigration, AVersion1WorkspaceOpensWithEveryValue) {
  TempDir dir;
  const std::string path = dir.File("prospect.db");
  std::filesystem::copy_file(testing::SourceDir() + "/tests/fixtures/store/v1_workspace.db", path);
  auto store = Store::Open(path);
  EXPECT_EQ(store->SchemaVersion(), 3);
  Context ctx(2);

  std::vector<std::string> names;
  for (const auto& t : store->ListTables()) names.push_back(t.name);
  EXPECT_EQ(names, (std::vector<std::string>{"orders", "people", "train"}));

  const Table people = store->LoadTable("people", ctx);
  ASSERT_EQ(people.num_rows(), 4u);
  EXPECT_EQ(people.schema().field(2).type, DataType::kDate);
  EXPECT_EQ(people.schema().field(6).type, DataType::kCategorical);
  EXPECT_EQ(Cells(people, "id"), (std::vector<std::string>{"1", "2", "3", "4"}));
  EXPECT_EQ(Cells(people, "name"),
            (std::vector<std::string>{"Ada, Countess", "He said \"hi\"", "NULL", "Ünïcödé 名前"}));
  EXPECT_EQ(Cells(people, "signup"),
            (std::vector<std::string>{"1815-12-10", "2020-02-29", "NULL", "1970-01-01"}));
  EXPECT_EQ(people.column("last_seen").ints()[1], 1772600767123456);  // 2026-03-04T05:06:07.123456Z
  EXPECT_EQ(Cells(people, "score"),
            (std::vector<std::string>{"0.5", "-0.00125", "NULL", "1e+300"}));
  EXPECT_EQ(Cells(people, "active"), (std::vector<std::string>{"true", "false", "NULL", "true"}));
  EXPECT_EQ(Cells(people, "plan"), (std::vector<std::string>{"gold", "silver", "NULL", "gold"}));
  EXPECT_EQ(Cells(people, "visits"),
            (std::vector<std::string>{"3", "NULL", "0", "-9223372036854775807"}));

  // The keyed table keeps its key and upsert result; appending to it still upserts.
  const auto orders = store->FindTable("orders");
  ASSERT_TRUE(orders->key.has_value());
  EXPECT_EQ(*orders->key, "order_id");
  EXPECT_EQ(Cells(store->LoadTable("orders", ctx), "amount"),
            (std::vector<std::string>{"9.99", "20.0", "7.5", "100.0"}));
  const auto history = store->IngestHistory("orders");
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].mode, "append");
  EXPECT_EQ(history[1].rows_deduplicated, 1);

  EXPECT_EQ(store->LoadTable("train", {"x"}, ctx).num_rows(), 40u);
  const auto model = store->GetObject("model", "tiny");
  ASSERT_TRUE(model.has_value());
  EXPECT_FALSE(model->body.empty());

  // The row tables are gone from the file: the data lives only in the chunks.
  store.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT count(*) FROM sqlite_master WHERE name IN ('people', "
                               "'orders', 'train')",
                               -1, &s, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(s, 0), 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
  EXPECT_EQ(Store::Open(path)->LoadTable("people", ctx).num_rows(), 4u);  // and reopens as is
}

}  // namespace
}  // namespace prospect
