// The Store contract, run against every backend: a SQLite file and a fresh PostgreSQL schema
// (skipped without PROSPECT_TEST_PG_URL; scripts/pg_test_server.sh starts a server). Round trips,
// append/replace, key upserts and their counts, atomicity (including kill -9 of a writer), Scan,
// missing names, objects, Query basics.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <memory>
#include <stdexcept>
#include <unordered_set>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/store/store.hpp"
#include "support/expect_error.hpp"
#include "support/pg_test_server.hpp"
#include "support/store_tables.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using testing::EventLikeRows;
using testing::ExpectSameRows;
using testing::PgTestSchema;
using testing::TempDir;

// A store location for one test: a SQLite file in a temp folder, or a schema of its own on the
// PostgreSQL test server. Open() may be called again (a second process, a reopen).
class StoreConformance : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") {
      PROSPECT_REQUIRE_POSTGRES();
      schema_ = std::make_unique<PgTestSchema>();
      url_ = schema_->url();
    } else {
      url_ = "sqlite:" + dir_.File("s.db");
    }
  }
  std::unique_ptr<Store> Open() const { return Store::Open(url_); }

  TempDir dir_;
  std::unique_ptr<PgTestSchema> schema_;
  std::string url_;
};

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformance, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

// id, name, value = id / 3.
Table IdNameValue(ColumnVector<int64_t> ids, std::vector<std::string> names) {
  ColumnVector<double> values;
  for (int64_t id : ids) values.push_back(static_cast<double>(id) / 3.0);
  return Table(
      Schema({{"id", DataType::kInt64}, {"name", DataType::kString}, {"value", DataType::kDouble}}),
      {Column::FromInts(DataType::kInt64, std::move(ids)), Column::FromStringVector(names),
       Column::FromDoubles(std::move(values))});
}

WriteOptions WriteWith(WriteMode mode, std::optional<std::string> key = std::nullopt,
                       bool history = false) {
  WriteOptions o;
  o.mode = mode;
  o.key = std::move(key);
  if (history) {
    IngestRecord h;
    h.source = "file.csv";
    h.mode = mode == WriteMode::kAppend ? "append" : "replace";
    h.rows_read = 7;
    h.rows_rejected = 1;
    o.history = h;
  }
  return o;
}

std::vector<std::string> ColumnText(const Table& t, const std::string& column) {
  std::vector<std::string> out;
  for (size_t r = 0; r < t.num_rows(); ++r) out.push_back(t.column(column).FormatValue(r));
  return out;
}

TEST_P(StoreConformance, RoundTripsEveryTypeWithNullsAndExtremes) {
  auto store = Open();
  Context ctx(1);
  ColumnBuilder cat(DataType::kCategorical);
  for (const char* v : {"北京", "", "x", "北京"}) cat.AppendString(v);
  cat.AppendNull();
  const Table t(
      Schema({{"i", DataType::kInt64},
              {"d", DataType::kDouble},
              {"b", DataType::kBool},
              {"s", DataType::kString},
              {"c", DataType::kCategorical},
              {"day", DataType::kDate},
              {"ts", DataType::kTimestamp}}),
      {Column::FromInts(DataType::kInt64, {1, INT64_MIN, INT64_MAX, 0, -7}, {1, 1, 1, 0, 1}),
       Column::FromDoubles({0.1, 1e300, -2.5, -0.0, 5e-324}, {1, 1, 0, 1, 1}),
       Column::FromBools({1, 0, 1, 0, 1}, {1, 1, 0, 1, 1}),
       Column::FromStringVector({"a,\"b\"\n", "", "x", "Zürich 東京 🙂", "\t"},
                                {1, 1, 0, 1, 1}),
       cat.Finish(),
       Column::FromInts(DataType::kDate,
                        {DaysFromCivil(2010, 12, 1), -1, 0, DaysFromCivil(1899, 12, 31),
                         DaysFromCivil(1969, 7, 20)},
                        {1, 1, 0, 1, 1}),
       Column::FromInts(DataType::kTimestamp,
                        {123456789, -1, 0, DaysFromCivil(1900, 1, 1) * kMicrosPerDay + 1,
                         DaysFromCivil(2100, 2, 28) * kMicrosPerDay + 999999},
                        {1, 1, 0, 1, 1})});
  store->WriteTable("all_types", t, {}, ctx);
  const Table back = store->LoadTable("all_types", ctx);
  ExpectSameRows(back, t);
  EXPECT_EQ(back.column("i").ints()[1], INT64_MIN);
  EXPECT_EQ(back.column("i").ints()[2], INT64_MAX);
  EXPECT_EQ(back.column("d").doubles()[1], 1e300);
  EXPECT_TRUE(std::signbit(back.column("d").doubles()[3]));
  EXPECT_EQ(back.column("s").StringAt(1), "");  // empty string, not null
  EXPECT_FALSE(back.column("s").IsNull(1));
  EXPECT_EQ(back.column("c").StringAt(0), "北京");
  EXPECT_TRUE(back.column("c").IsNull(4));
  EXPECT_EQ(back.column("day").FormatValue(3), "1899-12-31");
  // The catalogue keeps the logical types: categorical stays categorical.
  EXPECT_EQ(store->FindTable("all_types")->schema.field(4).type, DataType::kCategorical);
  EXPECT_EQ(Open()->FindTable("all_types")->rows, 5);
}

TEST_P(StoreConformance, AppendAddsRowsAndReplaceOverwrites) {
  auto store = Open();
  Context ctx(1);
  store->WriteTable("t", IdNameValue({1, 2}, {"a", "b"}), {}, ctx);
  store->WriteTable("t", IdNameValue({3}, {"c"}), WriteWith(WriteMode::kAppend), ctx);
  EXPECT_EQ(store->FindTable("t")->rows, 3);
  EXPECT_EQ(ColumnText(store->LoadTable("t", ctx), "name"),
            (std::vector<std::string>{"a", "b", "c"}));
  store->WriteTable("t", IdNameValue({9}, {"z"}), WriteWith(WriteMode::kReplace), ctx);
  EXPECT_EQ(store->FindTable("t")->rows, 1);
  EXPECT_EQ(ColumnText(store->LoadTable("t", ctx), "name"), std::vector<std::string>{"z"});
  // Append to a table that does not exist yet creates it.
  store->WriteTable("fresh", IdNameValue({4}, {"d"}), WriteWith(WriteMode::kAppend), ctx);
  EXPECT_EQ(store->FindTable("fresh")->rows, 1);
}

TEST_P(StoreConformance, KeyKeepsLastRowUpsertsOnAppendAndCountsInTheHistory) {
  auto store = Open();
  Context ctx(1);
  store->WriteTable("t", IdNameValue({1, 2, 1}, {"a", "b", "a2"}),
                    WriteWith(WriteMode::kReplace, "id", true), ctx);
  EXPECT_EQ(ColumnText(store->LoadTable("t", ctx), "name"), (std::vector<std::string>{"b", "a2"}));
  // Append without a key uses the stored key: id 2 is replaced, id 3 added, and id 3 twice in
  // the new rows keeps the last.
  store->WriteTable("t", IdNameValue({2, 3, 3}, {"b2", "c", "c2"}),
                    WriteWith(WriteMode::kAppend, std::nullopt, true), ctx);
  const Table t = store->LoadTable("t", ctx);
  EXPECT_EQ(ColumnText(t, "name"), (std::vector<std::string>{"a2", "b2", "c2"}));
  EXPECT_EQ(store->FindTable("t")->rows, 3);
  EXPECT_EQ(store->FindTable("t")->key, "id");
  const auto history = store->IngestHistory("t");
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].rows_loaded, 2);
  EXPECT_EQ(history[0].rows_deduplicated, 1);
  EXPECT_EQ(history[0].mode, "replace");
  EXPECT_EQ(history[1].rows_loaded, 2);
  EXPECT_EQ(history[1].rows_deduplicated, 2);  // one within the new rows, one stored row
  EXPECT_EQ(history[1].rows_read, 7);
  EXPECT_EQ(history[1].rows_rejected, 1);
  EXPECT_EQ(history[1].source, "file.csv");
  EXPECT_LT(history[0].id, history[1].id);
  // Appending more after the upsert keeps the stored order.
  store->WriteTable("t", IdNameValue({1, 4}, {"a3", "d"}), WriteWith(WriteMode::kAppend), ctx);
  EXPECT_EQ(ColumnText(store->LoadTable("t", ctx), "name"),
            (std::vector<std::string>{"b2", "c2", "a3", "d"}));
}

TEST_P(StoreConformance, KeyErrorsNameTheKey) {
  auto store = Open();
  Context ctx(1);
  store->WriteTable("t", IdNameValue({1}, {"a"}), WriteWith(WriteMode::kReplace, "id"), ctx);
  ExpectError(
      [&] {
        store->WriteTable("t", IdNameValue({2}, {"b"}), WriteWith(WriteMode::kAppend, "name"), ctx);
      },
      ErrorCode::kInvalidArgument,
      "table t is keyed on \"id\"; --key name differs. Use --mode replace to change the key");
  ExpectError(
      [&] {
        store->WriteTable("u", IdNameValue({2}, {"b"}), WriteWith(WriteMode::kReplace, "nme"), ctx);
      },
      ErrorCode::kInvalidArgument,
      "--key nme: no such column. Did you mean \"name\"? Columns: id, name, value.");
  EXPECT_FALSE(store->FindTable("u"));
}

TEST_P(StoreConformance, FailedAppendLeavesTableUnchanged) {
  auto store = Open();
  Context ctx(1);
  store->WriteTable("t", IdNameValue({1, 2}, {"a", "b"}), WriteWith(WriteMode::kReplace, "id"),
                    ctx);
  const Table bad(
      Schema({{"id", DataType::kInt64}, {"name", DataType::kString}, {"value", DataType::kDouble}}),
      {Column::FromInts(DataType::kInt64, {3, 0}, {1, 0}), Column::FromStringVector({"c", "d"}),
       Column::FromDoubles({1, 2})});
  ExpectError(
      [&] { store->WriteTable("t", bad, WriteWith(WriteMode::kAppend, std::nullopt, true), ctx); },
      ErrorCode::kInvalidData,
      "table t: key column \"id\" is empty in data row 2; keys must not be null");
  EXPECT_EQ(store->FindTable("t")->rows, 2);
  EXPECT_EQ(store->LoadTable("t", ctx).num_rows(), 2u);
  EXPECT_EQ(store->IngestHistory("t").size(), 0u);
}

TEST_P(StoreConformance, AppendWithOtherColumnsIsRefusedWithBothSchemas) {
  auto store = Open();
  Context ctx(1);
  store->WriteTable("t", IdNameValue({1}, {"a"}), {}, ctx);
  const Table other(Schema({{"id", DataType::kInt64}}), {Column::FromInts(DataType::kInt64, {5})});
  ExpectError([&] { store->WriteTable("t", other, WriteWith(WriteMode::kAppend), ctx); },
              ErrorCode::kInvalidData,
              "cannot append to table t: its columns are (id:int64, name:string, value:double) "
              "but the new data has (id:int64). Use --mode replace, or make the columns match");
  EXPECT_EQ(store->FindTable("t")->rows, 1);
}

// 70,000 rows first: the appends start inside the SQLite store's second chunk.
TEST_P(StoreConformance, AppendKeepsStoredTypesAndGrowsCategories) {
  auto store = Open();
  Context ctx(2);
  const Table first = EventLikeRows(70000);
  store->WriteTable("t", first, {}, ctx);
  // New rows with a new category and an old one.
  Table second = EventLikeRows(1000, 70000);
  ColumnBuilder kind(DataType::kCategorical);
  for (size_t i = 0; i < 1000; ++i) kind.AppendString(i % 2 ? "refund" : "purchase");
  second = second.WithColumn("kind", kind.Finish());
  store->WriteTable("t", second, WriteWith(WriteMode::kAppend), ctx);
  // The same column as plain strings: appended as the stored categorical.
  Table third = EventLikeRows(10, 71000);
  third = third.WithColumn("kind", Column::FromStringVector(std::vector<std::string>(10, "view")));
  store->WriteTable("t", third, WriteWith(WriteMode::kAppend), ctx);
  const Table back = store->LoadTable("t", ctx);
  EXPECT_EQ(back.schema().field(1).type, DataType::kCategorical);
  ExpectSameRows(
      back, ConcatTables({first, second,
                          third.WithColumn("kind", Column::DictionaryEncode(*third.column(1)))}));
  EXPECT_EQ(back.column("kind").dictionary(),
            (std::vector<std::string>{"view", "cart", "purchase", "refund"}));
  EXPECT_EQ(store->FindTable("t")->rows, 71010);
}

TEST_P(StoreConformance, ScanHandsOverChunksOfTheChosenColumnsInRowOrder) {
  auto store = Open();
  Context ctx(1);
  ColumnVector<int64_t> ids;
  std::vector<std::string> names;
  for (int64_t i = 0; i < 10; ++i) {
    ids.push_back(100 - i);
    names.push_back(fmt::format("n{}", i));
  }
  const Table table = IdNameValue(ids, names);
  store->WriteTable("t", table, {}, ctx);
  for (size_t chunk_rows : {size_t{1}, size_t{3}, size_t{4}, size_t{10}, size_t{11}}) {
    std::vector<size_t> sizes;
    std::vector<std::string> seen;
    store->Scan(
        "t", {"value", "name"}, chunk_rows,
        [&](const Table& chunk) {
          ASSERT_EQ(chunk.schema().Names(), (std::vector<std::string>{"value", "name"}));
          sizes.push_back(chunk.num_rows());
          for (size_t r = 0; r < chunk.num_rows(); ++r)
            seen.push_back(chunk.column("name").FormatValue(r));
        },
        ctx);
    EXPECT_EQ(seen, names) << chunk_rows;  // stored order, every row once
    EXPECT_EQ(sizes.size(), (10 + chunk_rows - 1) / chunk_rows) << chunk_rows;
    for (size_t i = 0; i + 1 < sizes.size(); ++i) EXPECT_EQ(sizes[i], chunk_rows);
  }
  const Table values = store->LoadTable("t", {"value"}, ctx);
  EXPECT_EQ(values.num_columns(), 1u);
  EXPECT_EQ(values.column("value").doubles()[2], table.column("value").doubles()[2]);
  EXPECT_EQ(store->LoadTable("t", ctx).schema().Names(), table.schema().Names());
  // An empty table is one empty chunk with the schema.
  store->WriteTable("empty", IdNameValue({}, {}), {}, ctx);
  size_t calls = 0;
  store->Scan(
      "empty", {"id"}, 5,
      [&](const Table& chunk) {
        ++calls;
        EXPECT_EQ(chunk.num_rows(), 0u);
        EXPECT_EQ(chunk.schema().Names(), std::vector<std::string>{"id"});
      },
      ctx);
  EXPECT_EQ(calls, 1u);
  ExpectError(
      [&] {
        store->Scan(
            "t", {"id", "nmae"}, 5, [](const Table&) {}, ctx);
      },
      ErrorCode::kNotFound,
      "table t has no column \"nmae\". Did you mean \"name\"? Columns: id, name, value.");
  ExpectError(
      [&] {
        store->Scan(
            "t", {}, 0, [](const Table&) {}, ctx);
      },
      ErrorCode::kInvalidArgument, "store: rows_per_chunk must be at least 1");
  // What the callback throws ends the scan, and the store goes on working.
  size_t chunks = 0;
  EXPECT_THROW(store->Scan(
                   "t", {}, 2,
                   [&](const Table&) {
                     if (++chunks == 2) Fail(ErrorCode::kCancelled, "stop");
                   },
                   ctx),
               Error);
  EXPECT_EQ(chunks, 2u);
  EXPECT_EQ(store->LoadTable("t", ctx).num_rows(), 10u);
}

TEST_P(StoreConformance, LargeTablesLoadWholeInPartsAndByColumn) {
  auto store = Open();
  Context ctx(2);
  const Table table = EventLikeRows(150000);
  store->WriteTable("t", table, {}, ctx);
  ExpectSameRows(store->LoadTable("t", ctx), table);
  ExpectSameRows(store->LoadTable("t", {"value", "note"}, ctx), table.Select({"value", "note"}));
  std::vector<Table> parts;
  store->Scan(
      "t", {"note", "id"}, 70000, [&](const Table& part) { parts.push_back(part); }, ctx);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].num_rows(), 70000u);
  EXPECT_EQ(parts[2].num_rows(), 10000u);
  ExpectSameRows(ConcatTables(parts), table.Select({"note", "id"}));
}

TEST_P(StoreConformance, MissingTablesAreNamedWithTheTablesThereAre) {
  auto store = Open();
  Context ctx(1);
  ExpectError([&] { (void)store->LoadTable("customers", ctx); }, ErrorCode::kNotFound,
              "no table \"customers\" in the workspace. Tables: none yet (use prospect ingest).");
  store->WriteTable("customers", IdNameValue({1}, {"a"}), {}, ctx);
  store->WriteTable("orders", IdNameValue({1}, {"a"}), {}, ctx);
  ExpectError([&] { (void)store->LoadTable("customer", ctx); }, ErrorCode::kNotFound,
              "no table \"customer\" in the workspace. Did you mean \"customers\"? Tables: "
              "customers, orders.");
  ExpectError([&] { store->DropTable("order"); }, ErrorCode::kNotFound,
              "no table \"order\" in the workspace. Did you mean \"orders\"? Tables: customers, "
              "orders.");
  EXPECT_FALSE(store->FindTable("customer"));
  store->DropTable("orders");
  EXPECT_FALSE(store->FindTable("orders"));
  ASSERT_EQ(store->ListTables().size(), 1u);
  EXPECT_EQ(store->ListTables()[0].name, "customers");
  ExpectError([&] { store->WriteTable("prospect_x", IdNameValue({1}, {"a"}), {}, ctx); },
              ErrorCode::kInvalidArgument,
              "invalid table name \"prospect_x\": names starting with \"prospect_\" or \"sqlite_\" "
              "are reserved");
}

TEST_P(StoreConformance, ListsTablesByNameWithTheirSchemas) {
  auto store = Open();
  Context ctx(1);
  store->WriteTable("b_table", IdNameValue({1, 2}, {"a", "b"}),
                    WriteWith(WriteMode::kReplace, "id"), ctx);
  store->WriteTable("a_table", EventLikeRows(3), {}, ctx);
  const auto tables = store->ListTables();
  ASSERT_EQ(tables.size(), 2u);
  EXPECT_EQ(tables[0].name, "a_table");
  EXPECT_EQ(tables[0].schema.Names(), (std::vector<std::string>{"id", "kind", "note", "value"}));
  EXPECT_EQ(tables[1].rows, 2);
  EXPECT_EQ(tables[1].key, "id");
  EXPECT_EQ(tables[1].created_at.size(), 19u);  // "YYYY-MM-DD HH:MM:SS"
}

TEST_P(StoreConformance, ObjectsAreVersioned) {
  auto store = Open();
  EXPECT_EQ(store->PutObject("model", "m", {{"auc", 0.8}}, std::string("\0bin\xff", 5)), 1);
  EXPECT_EQ(store->PutObject("model", "m", {{"auc", 0.9}}, "v2"), 2);
  EXPECT_EQ(store->PutObject("model", "a", {{"auc", 0.1}}, ""), 1);
  auto latest = store->GetObject("model", "m");
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->version, 2);
  EXPECT_EQ(latest->meta["auc"], 0.9);
  EXPECT_EQ(latest->body, "v2");
  auto first = store->GetObject("model", "m", 1);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body, std::string("\0bin\xff", 5));
  EXPECT_FALSE(store->GetObject("model", "other"));
  EXPECT_FALSE(store->GetObject("model", "m", 3));
  const auto listed = store->ListObjects("model");
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].name, "a");
  EXPECT_EQ(listed[1].version, 2);
  EXPECT_TRUE(listed[1].body.empty());
  EXPECT_TRUE(store->ListObjects("segmentation").empty());
  store->Audit("init", "workspace created");
}

TEST_P(StoreConformance, ReopeningKeepsTheSchemaVersion) {
  const int version = Open()->SchemaVersion();
  EXPECT_GE(version, 1);
  EXPECT_EQ(Open()->SchemaVersion(), version);
}

TEST_P(StoreConformance, QueryReadsTablesByNameAndOnlyReads) {
  auto store = Open();
  Context ctx(1);
  store->WriteTable("t", IdNameValue({1, 2, 3}, {"a", "b", "a"}), {}, ctx);
  const Table r = store->Query(
      "SELECT name, count(*) AS n, sum(value) AS s FROM t GROUP BY name ORDER BY name", ctx);
  ASSERT_EQ(r.num_rows(), 2u);
  EXPECT_EQ(r.schema().Names(), (std::vector<std::string>{"name", "n", "s"}));
  EXPECT_EQ(r.column("name").type(), DataType::kString);
  EXPECT_EQ(r.column("n").type(), DataType::kInt64);
  EXPECT_EQ(r.column("n").ints()[0], 2);
  EXPECT_EQ(r.column("s").type(), DataType::kDouble);
  EXPECT_NEAR(r.column("s").doubles()[0], 4.0 / 3.0, 1e-12);
  EXPECT_EQ(store->Query("SELECT 1 AS x, 2 AS x", ctx).schema().Names(),
            (std::vector<std::string>{"x", "x_2"}));
  for (const char* refused :
       {"DELETE FROM t", "DROP TABLE t", "SELECT 1; SELECT 2", "SELECT nope FROM t"}) {
    try {
      store->Query(refused, ctx);
      ADD_FAILURE() << refused;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument) << refused;
    }
  }
  EXPECT_EQ(store->LoadTable("t", ctx).num_rows(), 3u);  // nothing was changed
}

TEST_P(StoreConformance, KillDuringWriteLeavesPreviousTable) {
  {
    auto store = Open();
    Context ctx(1);
    store->WriteTable("t", IdNameValue({1, 2, 3}, {"a", "b", "c"}), {}, ctx);
  }
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Child: replace the table with a big one; tell the parent once rows are being written.
    auto store = Open();
    Context ctx(1);
    bool told = false;
    ctx.set_progress([&](std::string_view, uint64_t, uint64_t) {
      if (!told) {
        told = true;
        char c = 'x';
        (void)!write(fds[1], &c, 1);
        sleep(30);  // wait to be killed mid-transaction
      }
    });
    ColumnVector<int64_t> ids(200000);
    std::vector<std::string> names(ids.size(), "n");
    for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int64_t>(i);
    store->WriteTable("t", IdNameValue(ids, names), {}, ctx);
    _exit(0);
  }
  char c;
  ASSERT_EQ(read(fds[0], &c, 1), 1);
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status));
  close(fds[0]);
  close(fds[1]);
  auto store = Open();
  Context ctx(1);
  EXPECT_EQ(store->FindTable("t")->rows, 3);
  const Table t = store->LoadTable("t", ctx);
  ASSERT_EQ(t.num_rows(), 3u);
  EXPECT_EQ(t.column("name").StringAt(2), "c");
  // And the store takes the next write.
  store->WriteTable("t", IdNameValue({4}, {"d"}), WriteWith(WriteMode::kAppend), ctx);
  EXPECT_EQ(store->LoadTable("t", ctx).num_rows(), 4u);
}

// Erasure deletes exactly the matching rows, whichever stored piece they are in, and a piece
// left empty goes (200,000 rows: four SQLite chunks, the second erased whole).
TEST_P(StoreConformance, DeleteRowsRemovesExactlyTheMatchingRows) {
  auto store = Open();
  Context ctx(2);
  const Table all = EventLikeRows(200000);
  store->WriteTable("t", all, {}, ctx);
  std::unordered_set<std::string> gone = {"5", "70000", "199999", "no such id"};
  for (int64_t id = 65536; id < 131072; ++id) gone.insert(std::to_string(id));
  const int64_t expected = 2 + (131072 - 65536);  // 70000 is in the erased range
  EXPECT_EQ(store->DeleteRows("t", "id", gone, ctx), expected);
  EXPECT_EQ(store->FindTable("t")->rows, 200000 - expected);
  std::vector<size_t> kept;
  for (size_t r = 0; r < all.num_rows(); ++r)
    if (!gone.contains(std::to_string(r))) kept.push_back(r);
  ExpectSameRows(store->LoadTable("t", ctx), all.Take(kept));
  // Scans, SQL and appends see the table as it is now.
  size_t scanned = 0;
  store->Scan(
      "t", {"note"}, 50000, [&](const Table& chunk) { scanned += chunk.num_rows(); }, ctx);
  EXPECT_EQ(scanned, kept.size());
  EXPECT_EQ(store->Query("SELECT count(*) FROM t WHERE id = 70000", ctx)
                .column(size_t{0})
                ->FormatValue(0),
            "0");
  store->WriteTable("t", EventLikeRows(10, 300000), WriteWith(WriteMode::kAppend), ctx);
  EXPECT_EQ(store->LoadTable("t", ctx).num_rows(), kept.size() + 10);
  // By a text column, and nothing matching changes nothing.
  EXPECT_EQ(store->DeleteRows("t", "note", {"note 7"}, ctx), 135);
  EXPECT_EQ(store->DeleteRows("t", "id", {"5"}, ctx), 0);
  EXPECT_EQ(store->FindTable("t")->rows, static_cast<int64_t>(kept.size() + 10 - 135));
  ExpectError([&] { store->DeleteRows("t", "zzz", {"1"}, ctx); }, ErrorCode::kNotFound,
              "table t has no column \"zzz\". Columns: id, kind, note, value.");
}

// A categorical column's erased values leave its dictionary too (SQLite keeps one per column).
TEST_P(StoreConformance, DeleteRowsByACategoricalColumn) {
  auto store = Open();
  Context ctx(1);
  store->WriteTable("t", EventLikeRows(30), {}, ctx);
  EXPECT_EQ(store->DeleteRows("t", "kind", {"cart"}, ctx), 10);
  const Table t = store->LoadTable("t", ctx);
  ASSERT_EQ(t.num_rows(), 20u);
  for (size_t r = 0; r < t.num_rows(); ++r) EXPECT_NE(t.column("kind").FormatValue(r), "cart");
  store->WriteTable("t", EventLikeRows(3, 30), WriteWith(WriteMode::kAppend), ctx);
  const Table appended = store->LoadTable("t", ctx);
  EXPECT_EQ(appended.column("kind").FormatValue(21), "cart");  // row 31
}

TEST_P(StoreConformance, RunInTransactionCommitsAllOrNothing) {
  auto store = Open();
  Context ctx(1);
  store->WriteTable("t", EventLikeRows(100), {}, ctx);
  const size_t audit_before = store->AuditLog().size();
  EXPECT_THROW(store->RunInTransaction([&] {
    store->DeleteRows("t", "id", {"1", "2"}, ctx);
    store->WriteTable("u", EventLikeRows(5), {}, ctx);
    store->PutObject("model", "m", {{"v", 1}}, "body");
    store->Audit("forget", "people=2");
    throw std::runtime_error("midway");
  }),
               std::runtime_error);
  EXPECT_EQ(store->FindTable("t")->rows, 100);
  EXPECT_FALSE(store->FindTable("u"));
  EXPECT_FALSE(store->GetObject("model", "m"));
  EXPECT_EQ(store->AuditLog().size(), audit_before);
  store->RunInTransaction([&] {
    store->DeleteRows("t", "id", {"1", "2"}, ctx);
    store->PutObject("model", "m", {{"v", 1}}, "body");
    store->Audit("forget", "people=2");
  });
  EXPECT_EQ(store->FindTable("t")->rows, 98);
  EXPECT_TRUE(store->GetObject("model", "m"));
  EXPECT_EQ(store->AuditLog().back().action, "forget");
  store->Compact();
  EXPECT_EQ(store->LoadTable("t", ctx).num_rows(), 98u);
}

TEST_P(StoreConformance, RewriteObjectReplacesOneVersionInPlace) {
  auto store = Open();
  store->PutObject("audience", "a", {{"size", 2}}, "1\n2\n");
  store->PutObject("audience", "a", {{"size", 3}}, "1\n2\n3\n");
  store->RewriteObject("audience", "a", 1, {{"size", 1}}, "2\n");
  EXPECT_EQ(store->GetObject("audience", "a", 1)->body, "2\n");
  EXPECT_EQ(store->GetObject("audience", "a", 1)->meta["size"], 1);
  EXPECT_EQ(store->GetObject("audience", "a", 2)->body, "1\n2\n3\n");
  EXPECT_EQ(store->GetObject("audience", "a")->version, 2);
  ExpectError([&] { store->RewriteObject("audience", "a", 3, {}, ""); }, ErrorCode::kNotFound,
              "store: no audience \"a\" version 3 to rewrite");
}

}  // namespace
}  // namespace prospect
