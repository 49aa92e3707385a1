// What only the SQLite store does (the rest is tests/unit/store/store_conformance_test.cpp, run
// on both backends): column chunks across appends, damaged chunks named, a write that runs out of
// space, name rules, migrations.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/store/store.hpp"
#include "support/expect_error.hpp"
#include "support/store_tables.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using testing::EventLikeRows;
using testing::TempDir;

Table MakeTable(ColumnVector<int64_t> ids, std::vector<std::string> names) {
  ColumnVector<double> values;
  for (int64_t id : ids) values.push_back(static_cast<double>(id) / 3.0);
  return Table(
      Schema({{"id", DataType::kInt64}, {"name", DataType::kString}, {"value", DataType::kDouble}}),
      {Column::FromInts(DataType::kInt64, ids), Column::FromStringVector(names),
       Column::FromDoubles(values)});
}

// Table t of three rows (a, b, c) in the store at `path`: what a failed write must leave as it was.
void WriteThreeRows(const std::string& path) {
  auto store = Store::Open(path);
  store->WriteTable("t", MakeTable({1, 2, 3}, {"a", "b", "c"}), {}, Context(1));
}

void ExpectThreeRows(const std::string& path) {
  auto store = Store::Open(path);
  EXPECT_EQ(store->FindTable("t")->rows, 3);
  const Table t = store->LoadTable("t", Context(1));
  ASSERT_EQ(t.num_rows(), 3u);
  EXPECT_EQ(t.column("name").StringAt(2), "c");
}

// A write that runs out of room (here: a file-size limit, which the kernel enforces as it would a
// full disk) fails with a clear error and leaves the stored table as it was.
TEST(SqliteStore, AWriteThatRunsOutOfSpaceFailsAndLeavesThePreviousTable) {
  TempDir dir;
  const std::string path = dir.File("s.db");
  WriteThreeRows(path);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    signal(SIGXFSZ, SIG_IGN);  // a write past the limit fails instead of killing the process
    rlimit limit{2 << 20, 2 << 20};
    setrlimit(RLIMIT_FSIZE, &limit);
    std::string message = "no error";
    try {
      auto store = Store::Open(path);
      Context ctx(1);
      ColumnVector<int64_t> ids(1000000);
      for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int64_t>(i * 7919 % 1000003);
      std::vector<std::string> names(ids.size());
      for (size_t i = 0; i < names.size(); ++i) names[i] = std::to_string(i * 104729);
      store->WriteTable("t", MakeTable(std::move(ids), names), {}, ctx);
    } catch (const Error& e) {
      message = fmt::format("{}|{}", static_cast<int>(e.code()), e.what());
    }
    (void)!write(fds[1], message.data(), message.size());
    _exit(0);
  }
  close(fds[1]);
  std::string message;
  char buffer[512];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;)
    message.append(buffer, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  const bool full_or_io =
      message.rfind(fmt::format("{}|", static_cast<int>(ErrorCode::kIo)), 0) == 0 ||
      message.rfind(fmt::format("{}|", static_cast<int>(ErrorCode::kResourceExhausted)), 0) == 0;
  EXPECT_TRUE(full_or_io) << message;
  EXPECT_NE(message.find("store"), std::string::npos) << message;
  ExpectThreeRows(path);
}

// Flips one byte in the stored bytes of (column position, chunk) of table `name`.
void DamageChunk(const std::string& path, const std::string& name, int position, int chunk) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  const std::string sql = fmt::format(
      "UPDATE prospect_chunks SET data = CAST(substr(data, 1, 40) || x'ff' || substr(data, 42) AS "
      "BLOB) WHERE "
      "table_name = '{}' AND column_position = {} AND chunk = {}",
      name, position, chunk);
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_changes(db), 1);
  sqlite3_close(db);
}

TEST(SqliteStore, ADamagedChunkIsNamedAndTheOtherColumnsStillLoad) {
  TempDir dir;
  const std::string path = dir.File("s.db");
  Context ctx(2);
  Store::Open(path)->WriteTable("events", EventLikeRows(150000), {}, ctx);
  DamageChunk(path, "events", 3, 1);  // column "value", second chunk
  auto store = Store::Open(path);
  ExpectError([&] { store->LoadTable("events", ctx); }, ErrorCode::kInvalidData,
              fmt::format("store {}: table events, column value, chunk 1 is damaged: its checksum "
                          "does not match its bytes. Restore the workspace from a backup or "
                          "ingest the table again",
                          path));
  EXPECT_EQ(store->LoadTable("events", {"id", "kind"}, ctx).num_rows(), 150000u);
  DamageChunk(path, "events", 1, -1);  // the dictionary of "kind"
  ExpectError([&] { store->LoadTable("events", {"kind"}, ctx); }, ErrorCode::kInvalidData,
              fmt::format("store {}: table events, column kind is damaged: its dictionary's "
                          "checksum does not match. Restore the workspace from a backup or "
                          "ingest the table again",
                          path));
}

TEST(SqliteStore, RejectsReservedAndMalformedTableNames) {
  EXPECT_THROW(Store::CheckTableName("prospect_tables"), Error);
  EXPECT_THROW(Store::CheckTableName("1abc"), Error);
  EXPECT_THROW(Store::CheckTableName("a-b"), Error);
  EXPECT_NO_THROW(Store::CheckTableName("order_items"));
}

TEST(SqliteStore, ObjectNamesAllowWhatPeopleTypeAndSayWhatTheyName) {
  for (const char* ok : {"telco-logistic", "bank_gbdt.v2", "2024-q1", "M"}) {
    EXPECT_NO_THROW(Store::CheckObjectName("model", ok)) << ok;
  }
  for (const char* bad : {"", "-x", ".hidden", "a b", "a/b", "名字"}) {
    try {
      Store::CheckObjectName("model", bad);
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(
          std::string(e.what()).rfind(
              fmt::format("invalid model name {}: use a letter or digit", QuoteForMessage(bad)), 0),
          0u)
          << e.what();
    }
  }
  EXPECT_THROW(Store::CheckObjectName("model", std::string(129, 'a')), Error);
}

TEST(SqliteStore, MigratesToCurrentVersionAndRefusesNewer) {
  TempDir dir;
  const std::string path = dir.File("s.db");
  EXPECT_EQ(Store::Open(path)->SchemaVersion(), 3);
  EXPECT_EQ(Store::Open(path)->SchemaVersion(), 3);  // reopening does not migrate again
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE prospect_schema_version SET version = 99", nullptr, nullptr,
                         nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  try {
    (void)Store::Open(path);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kFailedPrecondition);
    EXPECT_NE(
        std::string(e.what()).find("schema version 99, newer than this prospect understands (3)"),
        std::string::npos);
  }
}

}  // namespace
}  // namespace prospect
