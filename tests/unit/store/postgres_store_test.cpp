// What only the PostgreSQL store does: real typed SQL tables that other tools can query, the
// row-order column, no password in any message, several processes at once (serialised writes to
// one table, a reader that never sees half a table), a dropped connection, migrations, and
// Query's types from the result's OIDs. Against a live server (scripts/pg_test_server.sh); skipped
// without PROSPECT_TEST_PG_URL.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <future>
#include <mutex>
#include <thread>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/store/store.hpp"
#include "support/expect_error.hpp"
#include "support/pg_test_server.hpp"

namespace prospect {
namespace {

using testing::PgTestSchema;

WriteOptions AppendRows() {
  WriteOptions o;
  o.mode = WriteMode::kAppend;
  return o;
}

Table PgIdsAndLabels(size_t n, const std::string& label) {
  ColumnVector<int64_t> ids(n);
  std::vector<std::string> labels(n, label);
  for (size_t i = 0; i < n; ++i) ids[i] = static_cast<int64_t>(i);
  return Table(
      Schema({{"id", DataType::kInt64}, {"label", DataType::kString}}),
      {Column::FromInts(DataType::kInt64, std::move(ids)), Column::FromStringVector(labels)});
}

// A logger whose messages a test can read while another thread logs.
class RecordingSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::string Text() {
    std::lock_guard<std::mutex> lock(mutex_);
    return text_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    text_.append(msg.payload.data(), msg.payload.size());
    text_ += '\n';
  }
  void flush_() override {}

 private:
  std::string text_;
};

TEST(PostgresStore, TablesAreTypedSqlTablesThatOtherToolsCanQuery) {
  PROSPECT_REQUIRE_POSTGRES();
  PgTestSchema schema;
  auto store = Store::Open(schema.url());
  Context ctx(1);
  ColumnBuilder tier(DataType::kCategorical);
  tier.AppendString("gold");
  const Table t(Schema({{"id", DataType::kInt64},
                        {"spend", DataType::kDouble},
                        {"active", DataType::kBool},
                        {"name", DataType::kString},
                        {"tier", DataType::kCategorical},
                        {"joined", DataType::kDate},
                        {"seen", DataType::kTimestamp}}),
                {Column::FromInts(DataType::kInt64, {7}), Column::FromDoubles({2.5}),
                 Column::FromBools({1}), Column::FromStringVector({"Zoë"}), tier.Finish(),
                 Column::FromInts(DataType::kDate, {DaysFromCivil(1969, 12, 31)}),
                 Column::FromInts(DataType::kTimestamp,
                                  {DaysFromCivil(2024, 2, 29) * kMicrosPerDay + 1500000})});
  store->WriteTable("Customers", t, {}, ctx);
  EXPECT_EQ(schema.Exec("SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY "
                        "ordinal_position) FROM information_schema.columns WHERE table_schema = "
                        "current_schema() AND table_name = 'Customers'"),
            "prospect_row bigint, id bigint, spend double precision, active boolean, name text, "
            "tier text, joined date, seen timestamp without time zone");
  EXPECT_EQ(schema.Exec("SELECT format('%s|%s|%s|%s', name, joined, seen, active) FROM "
                        "\"Customers\""),
            "Zoë|1969-12-31|2024-02-29 00:00:01.5|t");
}

TEST(PostgresStore, AColumnNamedLikeTheRowColumnGetsAnotherRowColumn) {
  PROSPECT_REQUIRE_POSTGRES();
  PgTestSchema schema;
  auto store = Store::Open(schema.url());
  Context ctx(1);
  const Table t(Schema({{"prospect_row", DataType::kString}, {"x", DataType::kInt64}}),
                {Column::FromStringVector({"b", "a"}), Column::FromInts(DataType::kInt64, {2, 1})});
  store->WriteTable("t", t, {}, ctx);
  const Table back = store->LoadTable("t", ctx);
  EXPECT_EQ(back.column("prospect_row").StringAt(0), "b");
  EXPECT_EQ(schema.Exec("SELECT row_column FROM prospect_tables WHERE name = 't'"),
            "prospect_row_2");
  store->WriteTable("t", t, AppendRows(), ctx);
  EXPECT_EQ(store->LoadTable("t", ctx).column("x").FormatValue(2), "2");
}

TEST(PostgresStore, ColumnNamesPostgresWouldCutAreRefused) {
  PROSPECT_REQUIRE_POSTGRES();
  PgTestSchema schema;
  auto store = Store::Open(schema.url());
  const std::string long_name(64, 'c');
  const Table t(Schema({{long_name, DataType::kInt64}}), {Column::FromInts(DataType::kInt64, {1})});
  ExpectError([&] { store->WriteTable("t", t, {}, Context(1)); }, ErrorCode::kInvalidArgument,
              fmt::format("table t: column name \"{}…\" cannot be a PostgreSQL column name: use 1 "
                          "to 63 bytes (rename the column in the file's header)",
                          long_name.substr(0, 60)));
}

TEST(PostgresStore, ATableTheWorkspaceDoesNotManageIsLeftAlone) {
  PROSPECT_REQUIRE_POSTGRES();
  PgTestSchema schema;
  auto store = Store::Open(schema.url());
  schema.Exec("CREATE TABLE sales(x int)");
  ExpectError([&] { store->WriteTable("sales", PgIdsAndLabels(2, "a"), {}, Context(1)); },
              ErrorCode::kAlreadyExists,
              fmt::format("store {}: the database already has a table \"sales\" that the "
                          "workspace does not manage; ingest under another name or drop that table",
                          schema.url()));
  EXPECT_EQ(schema.Exec("SELECT count(*) FROM sales"), "0");
}

TEST(PostgresStore, ThePasswordIsNeverInAMessage) {
  PROSPECT_REQUIRE_POSTGRES();
  for (const std::string url :
       {"postgresql://someone:s3cret-pw@%2Fno%2Fsuch%2Fdir/db",
        "postgresql://someone@%2Fno%2Fsuch%2Fdir/db?password=s3cret-pw&connect_timeout=2",
        "postgres://someone:s3cret-pw@localhost:1/db?connect_timeout=2"}) {
    try {
      (void)Store::Open(url);
      ADD_FAILURE() << "opened " << url;
    } catch (const Error& e) {
      const std::string message = e.what();
      EXPECT_EQ(e.code(), ErrorCode::kIo) << message;
      EXPECT_EQ(message.find("s3cret"), std::string::npos) << message;
      EXPECT_NE(message.find("***"), std::string::npos) << message;
      EXPECT_EQ(message.rfind("cannot open store postgres", 0), 0u) << message;
    }
  }
  // The real server with a password in the URL (trust ignores it) and a missing database.
  std::string url = testing::PostgresTestUrl();
  url.insert(url.find("://") + 3 + url.substr(url.find("://") + 3).find('@'), ":s3cret-pw");
  url = url.substr(0, url.rfind('/')) + "/no_such_database";
  try {
    (void)Store::Open(url);
    ADD_FAILURE() << "opened a missing database";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find("s3cret"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("no_such_database"), std::string::npos) << e.what();
  }
}

TEST(PostgresStore, WritesToOneTableTakeTurnsAndSaySoWritesToTwoRunTogether) {
  PROSPECT_REQUIRE_POSTGRES();
  PgTestSchema schema;
  Store::Open(schema.url())->WriteTable("t", PgIdsAndLabels(1, "first"), {}, Context(1));
  std::promise<void> first_writing, second_waiting;
  auto sink = std::make_shared<RecordingSink>();
  // The first writer stops mid-COPY until the second says it is waiting.
  std::thread first([&] {
    Context ctx(1);
    bool once = false;
    ctx.set_progress([&](std::string_view, uint64_t, uint64_t) {
      if (once) return;
      once = true;
      first_writing.set_value();
      second_waiting.get_future().wait_for(std::chrono::seconds(20));
    });
    Store::Open(schema.url())->WriteTable("t", PgIdsAndLabels(50000, "one"), {}, ctx);
  });
  first_writing.get_future().wait();
  // Another table is written meanwhile without waiting.
  Store::Open(schema.url())->WriteTable("other", PgIdsAndLabels(10, "x"), {}, Context(1));
  std::thread second([&] {
    Context ctx(1, 0, std::make_shared<spdlog::logger>("store_test", sink));
    Store::Open(schema.url())->WriteTable("t", PgIdsAndLabels(5, "two"), AppendRows(), ctx);
  });
  for (int i = 0; i < 200 && sink->Text().empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(sink->Text(), "waiting for another write to table t to finish\n");
  second_waiting.set_value();
  first.join();
  second.join();
  auto store = Store::Open(schema.url());
  const Table t = store->LoadTable("t", Context(1));
  ASSERT_EQ(t.num_rows(), 50005u);  // the append came after the whole replace
  EXPECT_EQ(t.column("label").StringAt(0), "one");
  EXPECT_EQ(t.column("label").StringAt(50004), "two");
  EXPECT_EQ(store->FindTable("other")->rows, 10);
}

TEST(PostgresStore, AReaderSeesTheWholeOldTableWhileAWriteIsUnderWay) {
  PROSPECT_REQUIRE_POSTGRES();
  PgTestSchema schema;
  Store::Open(schema.url())->WriteTable("t", PgIdsAndLabels(3, "old"), {}, Context(1));
  std::promise<void> writing, read_done;
  std::thread writer([&] {
    Context ctx(1);
    bool once = false;
    ctx.set_progress([&](std::string_view, uint64_t, uint64_t) {
      if (once) return;
      once = true;
      writing.set_value();
      read_done.get_future().wait_for(std::chrono::seconds(20));
    });
    Store::Open(schema.url())->WriteTable("t", PgIdsAndLabels(100000, "new"), {}, ctx);
  });
  writing.get_future().wait();
  auto reader = Store::Open(schema.url());
  const Table during = reader->LoadTable("t", Context(1));
  read_done.set_value();
  writer.join();
  ASSERT_EQ(during.num_rows(), 3u);
  EXPECT_EQ(during.column("label").StringAt(2), "old");
  EXPECT_EQ(reader->LoadTable("t", Context(1)).num_rows(), 100000u);
}

TEST(PostgresStore, ADroppedConnectionIsAnIoErrorAndLeavesTheTable) {
  PROSPECT_REQUIRE_POSTGRES();
  PgTestSchema schema;
  // Named by the schema, so the kill below ends this store's connection and no other test's
  // (tests run in parallel against the same database).
  const std::string url = schema.url() + "&application_name=" + schema.name();
  auto store = Store::Open(url);
  store->WriteTable("t", PgIdsAndLabels(3, "old"), {}, Context(1));
  Context ctx(1);
  bool once = false;
  ctx.set_progress([&](std::string_view, uint64_t, uint64_t) {
    if (once) return;
    once = true;
    // Another connection ends this one's server process mid-COPY.
    schema.Exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'COPY%' AND "
        "pid <> pg_backend_pid() AND application_name = '" +
        schema.name() + "'");
  });
  try {
    store->WriteTable("t", PgIdsAndLabels(300000, "new"), {}, ctx);
    ADD_FAILURE() << "the write went through";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind(
                  fmt::format("store {}: the connection to the server was lost: ", url)),
              0u)
        << e.what();
  }
  auto again = Store::Open(schema.url());
  const Table t = again->LoadTable("t", Context(1));
  ASSERT_EQ(t.num_rows(), 3u);
  EXPECT_EQ(t.column("label").StringAt(0), "old");
  EXPECT_EQ(schema.Exec("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND "
                        "tablename LIKE 'prospect_incoming%'"),
            "0");
}

// Version 2 chains the audit entries a version-1 store made (ids from a sequence, gaps and all),
// and moves campaign plans from kind "audience" to "campaign_plan".
TEST(PostgresStore, TheVersion1AuditLogBecomesAHashChain) {
  PROSPECT_REQUIRE_POSTGRES();
  PgTestSchema schema;
  schema.Exec(
      "CREATE TABLE prospect_schema_version(version integer NOT NULL); INSERT INTO "
      "prospect_schema_version VALUES (1); CREATE TABLE prospect_audit(id bigserial PRIMARY KEY, "
      "at text NOT NULL, action text NOT NULL, detail text NOT NULL); INSERT INTO "
      "prospect_audit(id, at, action, detail) VALUES (1, '2026-12-01 10:00:00', 'init', 'a'), "
      "(3, '2026-12-01 10:00:01', 'ingest', 'b'); CREATE TABLE prospect_objects(kind text NOT "
      "NULL, name text NOT NULL, version bigint NOT NULL, meta text NOT NULL, body bytea, "
      "created_at text NOT NULL, PRIMARY KEY (kind, name, version)); INSERT INTO "
      "prospect_objects VALUES ('audience', 'plan', 1, '{}', NULL, '2026-12-01 10:00:02')");
  auto store = Store::Open(schema.url());
  const std::vector<AuditEntry> log = store->AuditLog();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[1].id, 2);
  EXPECT_EQ(log[1].detail, "b");
  EXPECT_EQ(log[1].at, "2026-12-01 10:00:01");
  EXPECT_EQ(log[1].prev_hash, log[0].hash);
  EXPECT_EQ(log[1].hash, AuditHash(log[1]));
  store->Audit("train", "c");
  EXPECT_EQ(store->AuditLog(3).at(0).prev_hash, log[1].hash);
  EXPECT_TRUE(store->ListObjects("audience").empty());
  EXPECT_EQ(store->ListObjects("campaign_plan").at(0).name, "plan");
}

TEST(PostgresStore, MigratesOnceAndRefusesANewerStore) {
  PROSPECT_REQUIRE_POSTGRES();
  PgTestSchema schema;
  EXPECT_EQ(Store::Open(schema.url())->SchemaVersion(), 2);
  EXPECT_EQ(Store::Open(schema.url())->SchemaVersion(), 2);
  schema.Exec("UPDATE prospect_schema_version SET version = 99");
  ExpectError([&] { (void)Store::Open(schema.url()); }, ErrorCode::kFailedPrecondition,
              fmt::format("store {} has schema version 99, newer than this prospect understands "
                          "(2); upgrade prospect",
                          schema.url()));
}

TEST(PostgresStore, QueryTypesColumnsByTheServersTypes) {
  PROSPECT_REQUIRE_POSTGRES();
  PgTestSchema schema;
  auto store = Store::Open(schema.url());
  Context ctx(1);
  const Table r = store->Query(
      "SELECT 1::int2 AS a, 2::int4 AS b, 3::int8 AS c, 1.5::float4 AS d, 2.25::numeric AS e, "
      "true AS f, DATE '2026-02-28' AS g, TIMESTAMP '2026-02-28 01:02:03' AS h, 'x'::text AS i, "
      "NULL::int8 AS j, 'Infinity'::float8 AS k",
      ctx);
  ASSERT_EQ(r.num_rows(), 1u);
  for (const char* name : {"a", "b", "c", "f", "j"})
    EXPECT_EQ(r.column(name).type(), DataType::kInt64) << name;
  for (const char* name : {"d", "e", "k"})
    EXPECT_EQ(r.column(name).type(), DataType::kDouble) << name;
  for (const char* name : {"g", "h", "i"})
    EXPECT_EQ(r.column(name).type(), DataType::kString) << name;
  EXPECT_EQ(r.column("e").doubles()[0], 2.25);
  EXPECT_EQ(r.column("f").ints()[0], 1);
  EXPECT_EQ(r.column("g").StringAt(0), "2026-02-28");
  EXPECT_EQ(r.column("h").StringAt(0), "2026-02-28 01:02:03");
  EXPECT_TRUE(r.column("j").IsNull(0));
  EXPECT_TRUE(std::isinf(r.column("k").doubles()[0]));
  ExpectError([&] { store->Query("SELECT 1; SELECT 2", ctx); }, ErrorCode::kInvalidArgument,
              "sql: one statement at a time; the text holds more than one");
  ExpectError([&] { store->Query("SELECT nope", ctx); }, ErrorCode::kInvalidArgument,
              "sql: column \"nope\" does not exist");
  ExpectError([&] { store->Query("CREATE TABLE x(a int)", ctx); }, ErrorCode::kInvalidArgument,
              "prospect sql only reads: the statement would change the workspace or its "
              "connection (as INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, ATTACH, PRAGMA and "
              "transactions do). Query with SELECT or WITH ... SELECT; tables change through "
              "prospect ingest");
  // A SET inside the query does not outlive it.
  (void)store->Query("SELECT set_config('TimeZone', 'America/New_York', false)", ctx);
  EXPECT_EQ(store->Query("SELECT current_setting('TimeZone') AS tz", ctx).column("tz").StringAt(0),
            "UTC");
}

}  // namespace
}  // namespace prospect
