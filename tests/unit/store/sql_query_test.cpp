// Store::Query over column chunks: values typed as they were stored before the chunks (dates as
// ISO text, bools 0/1), comparisons that skip chunks by min/max give the same answers as without
// skipping, a skipped chunk is never read, and nothing but reading is allowed.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/store/store.hpp"
#include "support/expect_error.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using testing::TempDir;

// ids 0..n-1 (three stored chunks for n = 150,000), a double that is id / 4 with a NaN at row 5,
// and a few big integers near the int64 limits in the last chunk.
Table Numbers(size_t n) {
  ColumnVector<int64_t> id(n), big(n);
  ColumnVector<double> quarter(n);
  for (size_t i = 0; i < n; ++i) {
    id[i] = static_cast<int64_t>(i);
    quarter[i] = i == 5 ? std::nan("") : static_cast<double>(i) / 4;
    big[i] = i + 2 < n ? 0 : (i + 1 == n ? INT64_MAX : (int64_t{1} << 53) + 1);
  }
  return Table(
      Schema({{"id", DataType::kInt64}, {"quarter", DataType::kDouble}, {"big", DataType::kInt64}}),
      {Column::FromInts(DataType::kInt64, std::move(id)), Column::FromDoubles(std::move(quarter)),
       Column::FromInts(DataType::kInt64, std::move(big))});
}

int64_t Count(Store& store, const std::string& where, const Context& ctx) {
  const Table t = store.Query("SELECT count(*) FROM numbers WHERE " + where, ctx);
  return t.column(0)->ints()[0];
}

TEST(StoreQuery, ValuesReadAsTheyWereStored) {
  TempDir dir;
  auto store = Store::Open(dir.File("s.db"));
  Context ctx(2);
  ColumnBuilder kind(DataType::kCategorical);
  kind.AppendString("gold");
  kind.AppendNull();
  const Table t(Schema({{"day", DataType::kDate},
                        {"at", DataType::kTimestamp},
                        {"ok", DataType::kBool},
                        {"kind", DataType::kCategorical}}),
                {Column::FromInts(DataType::kDate, {DaysFromCivil(2026, 2, 28), 0}),
                 Column::FromInts(DataType::kTimestamp, {1500000, 0}, {1, 0}),
                 Column::FromBools({1, 0}), kind.Finish()});
  store->WriteTable("t", t, {}, ctx);
  const Table r = store->Query(
      "SELECT day, date(day, '+1 day') AS next, at, ok, ok + 1 AS two, kind FROM t", ctx);
  ASSERT_EQ(r.num_rows(), 2u);
  EXPECT_EQ(r.column("day").StringAt(0), "2026-02-28");
  EXPECT_EQ(r.column("next").StringAt(0), "2026-03-01");
  EXPECT_EQ(r.column("at").StringAt(0), "1970-01-01 00:00:01.500000");
  EXPECT_TRUE(r.column("at").IsNull(1));
  EXPECT_EQ(r.column("ok").type(), DataType::kInt64);
  EXPECT_EQ(r.column("two").ints()[0], 2);
  EXPECT_TRUE(r.column("kind").IsNull(1));
  // Types follow the values: a column of integers and reals is double; of only nulls, string.
  const Table mixed = store->Query("SELECT 1 AS a, NULL AS b UNION ALL SELECT 2.5, NULL", ctx);
  EXPECT_EQ(mixed.column("a").type(), DataType::kDouble);
  EXPECT_EQ(mixed.column("a").doubles()[0], 1.0);
  EXPECT_EQ(mixed.column("b").type(), DataType::kString);
  // A repeated name gets a suffix.
  EXPECT_EQ(store->Query("SELECT 1 AS x, 2 AS x", ctx).schema().Names(),
            (std::vector<std::string>{"x", "x_2"}));
}

TEST(StoreQuery, SkippingChunksByMinAndMaxNeverChangesAnAnswer) {
  TempDir dir;
  auto store = Store::Open(dir.File("s.db"));
  Context ctx(2);
  store->WriteTable("numbers", Numbers(150000), {}, ctx);
  // `column + 0` is an expression SQLite cannot hand to the table: no skipping there.
  for (const std::string value : {"-1", "0", "65535", "65536", "65535.5", "131071", "131072",
                                  "149999", "150000", "1e300", "-1e300", "NULL"}) {
    for (const std::string op : {"=", "<", "<=", ">", ">="}) {
      EXPECT_EQ(Count(*store, "id " + op + " " + value, ctx),
                Count(*store, "id + 0 " + op + " " + value, ctx))
          << op << value;
      EXPECT_EQ(Count(*store, "quarter " + op + " " + value, ctx),
                Count(*store, "quarter + 0 " + op + " " + value, ctx))
          << op << value;
    }
  }
  // Integers past 2^53 compared with reals, exactly: 2^53 + 1 > 2^53 as a real.
  for (const std::string value : {"9007199254740992.0", "9007199254740993", "9.3e18",
                                  "9223372036854775807", "9223372036854775808.0"}) {
    for (const std::string op : {"=", "<", "<=", ">", ">="}) {
      EXPECT_EQ(Count(*store, "big " + op + " " + value, ctx),
                Count(*store, "big + 0 " + op + " " + value, ctx))
          << op << value;
    }
  }
}

TEST(StoreQuery, AChunkOutsideTheRangeIsNotRead) {
  TempDir dir;
  const std::string path = dir.File("s.db");
  Context ctx(2);
  Store::Open(path)->WriteTable("numbers", Numbers(150000), {}, ctx);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "UPDATE prospect_chunks SET data = CAST(substr(data, 1, 40) || x'ff' || "
                         "substr(data, 42) AS BLOB) WHERE table_name = 'numbers' AND "
                         "column_position = 0 AND chunk = 0",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto store = Store::Open(path);
  EXPECT_EQ(Count(*store, "id >= 65536", ctx), 150000 - 65536);  // chunk 0 holds 0..65535
  ExpectErrorStartingWith([&] { Count(*store, "id >= 0", ctx); },
                          fmt::format("store {}: table numbers, column id, chunk 0 is damaged: "
                                      "its checksum does not match",
                                      path),
                          "ingest the table again");
}

TEST(StoreQuery, OnlyReads) {
  TempDir dir;
  auto store = Store::Open(dir.File("s.db"));
  Context ctx(1);
  store->WriteTable("numbers", Numbers(10), {}, ctx);
  for (const std::string& sql : std::vector<std::string>{
           "INSERT INTO numbers VALUES (1, 2, 3)", "DROP TABLE prospect_chunks",
           "ATTACH DATABASE '" + dir.File("other.db") + "' AS other", "PRAGMA journal_mode=DELETE",
           "CREATE TABLE x(a)", "BEGIN"}) {
    try {
      store->Query(sql, ctx);
      ADD_FAILURE() << sql;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument) << sql;
    }
  }
  EXPECT_FALSE(std::filesystem::exists(dir.File("other.db")));
  EXPECT_EQ(store->LoadTable("numbers", ctx).num_rows(), 10u);
  // The catalogue can be read, and an unknown table is SQLite's error.
  EXPECT_EQ(store->Query("SELECT rows FROM prospect_tables", ctx).column(0)->ints()[0], 10);
  ExpectError([&] { store->Query("SELECT * FROM nope", ctx); }, ErrorCode::kInvalidArgument,
              "sql: no such table: nope");
}

}  // namespace
}  // namespace prospect
