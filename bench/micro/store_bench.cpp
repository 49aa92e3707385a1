// Rows per second into and out of the SQLite store for an events-like 12-column table, whole and
// three of its columns; and into and out of the PostgreSQL store (binary COPY) when
// PROSPECT_TEST_PG_URL names a server (scripts/pg_test_server.sh starts one).
// Run: build/bench/prospect_bench --benchmark_filter=Store
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>

#include "prospect/common/datetime.hpp"
#include "prospect/common/rng.hpp"
#include "prospect/store/store.hpp"

namespace prospect {
namespace {

// A table from (name, column) pairs: each name stands beside its data, and the schema takes the
// columns' own types.
Table NamedColumns(std::vector<std::pair<std::string, ColumnPtr>> columns) {
  std::vector<Field> fields;
  std::vector<ColumnPtr> data;
  for (auto& [name, column] : columns) {
    fields.push_back({name, column->type()});
    data.push_back(std::move(column));
  }
  return Table(Schema(std::move(fields)), std::move(data));
}

Table EventsTable(size_t n) {
  Rng rng(7);
  ColumnVector<int64_t> event_id(n), customer(n), ts(n), item(n), qty(n);
  ColumnVector<double> value(n), price(n);
  ColumnVector<uint8_t> mobile(n);
  ColumnBuilder type(DataType::kCategorical), channel(DataType::kCategorical),
      device(DataType::kCategorical), session(DataType::kString);
  const char* types[] = {"view", "cart", "purchase"};
  const char* channels[] = {"web", "app", "email", "ads"};
  const char* devices[] = {"ios", "android", "desktop"};
  const int64_t start = DaysFromCivil(2025, 1, 1) * kMicrosPerDay;
  for (size_t i = 0; i < n; ++i) {
    event_id[i] = static_cast<int64_t>(i);
    customer[i] = static_cast<int64_t>(rng() % 100000);
    ts[i] = start + static_cast<int64_t>(rng() % (365 * kMicrosPerDay));
    item[i] = static_cast<int64_t>(rng() % 5000);
    qty[i] = static_cast<int64_t>(rng() % 5 + 1);
    value[i] = static_cast<double>(rng() % 100000) / 100.0;
    price[i] = static_cast<double>(rng() % 10000) / 100.0;
    mobile[i] = rng() % 2;
    type.AppendString(types[rng() % 3]);
    channel.AppendString(channels[rng() % 4]);
    device.AppendString(devices[rng() % 3]);
    session.AppendString(std::to_string(rng() % 1000000));
  }
  return NamedColumns({{"event_id", Column::FromInts(DataType::kInt64, event_id)},
                       {"customer_id", Column::FromInts(DataType::kInt64, customer)},
                       {"timestamp", Column::FromInts(DataType::kTimestamp, ts)},
                       {"type", type.Finish()},
                       {"item_id", Column::FromInts(DataType::kInt64, item)},
                       {"value", Column::FromDoubles(value)},
                       {"channel", channel.Finish()},
                       {"device", device.Finish()},
                       {"session_id", session.Finish()},
                       {"price", Column::FromDoubles(price)},
                       {"quantity", Column::FromInts(DataType::kInt64, qty)},
                       {"is_mobile", Column::FromBools(mobile)}});
}

const std::string kDb =
    (std::filesystem::temp_directory_path() / "prospect_store_bench.db").string();

void SetRowsPerSecond(benchmark::State& state, const Table& t) {
  state.counters["rows/s"] = benchmark::Counter(
      static_cast<double>(t.num_rows()) * state.iterations(), benchmark::Counter::kIsRate);
}

void BM_Store_WriteEvents(benchmark::State& state) {
  const Table t = EventsTable(static_cast<size_t>(state.range(0)));
  Context ctx;  // all cores, as the CLI runs
  for (auto _ : state) {
    std::filesystem::remove(kDb);
    auto store = Store::Open(kDb);
    store->WriteTable("events", t, {}, ctx);
  }
  SetRowsPerSecond(state, t);
}
BENCHMARK(BM_Store_WriteEvents)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();

// The PostgreSQL test server's URL; empty (and the case skipped) when it is not set.
std::string PostgresUrlOrSkip(benchmark::State& state) {
  const char* url = std::getenv("PROSPECT_TEST_PG_URL");
  if (!url)
    state.SkipWithError("set PROSPECT_TEST_PG_URL (eval \"$(scripts/pg_test_server.sh start)\")");
  return url ? url : "";
}

// Writes the table once into the store at `url` (a fresh SQLite file is removed first), then
// loads it whole (columns empty) or the named columns through a newly opened store.
void LoadEvents(benchmark::State& state, const std::string& url,
                const std::vector<std::string>& columns) {
  const Table t = EventsTable(static_cast<size_t>(state.range(0)));
  Context ctx;
  if (url == kDb) std::filesystem::remove(kDb);
  Store::Open(url)->WriteTable("bench_events", t, {}, ctx);
  auto store = Store::Open(url);
  for (auto _ : state) benchmark::DoNotOptimize(store->LoadTable("bench_events", columns, ctx));
  SetRowsPerSecond(state, t);
}

// Three of the twelve columns, as a profile or a model reads a wide table.
const std::vector<std::string> kThreeColumns = {"customer_id", "timestamp", "value"};

void BM_Store_LoadEvents(benchmark::State& state) { LoadEvents(state, kDb, {}); }
void BM_Store_LoadThreeColumns(benchmark::State& state) { LoadEvents(state, kDb, kThreeColumns); }
BENCHMARK(BM_Store_LoadEvents)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5)
    ->UseRealTime();
BENCHMARK(BM_Store_LoadThreeColumns)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5)
    ->UseRealTime();

// ---- PostgreSQL: the same table through binary COPY, into the server's default schema ----

void BM_PostgresStore_WriteEvents(benchmark::State& state) {
  const std::string url = PostgresUrlOrSkip(state);
  if (url.empty()) return;
  const Table t = EventsTable(static_cast<size_t>(state.range(0)));
  Context ctx;
  auto store = Store::Open(url);
  for (auto _ : state) store->WriteTable("bench_events", t, {}, ctx);
  SetRowsPerSecond(state, t);
}
BENCHMARK(BM_PostgresStore_WriteEvents)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();

void BM_PostgresStore_LoadEvents(benchmark::State& state) {
  const std::string url = PostgresUrlOrSkip(state);
  if (!url.empty()) LoadEvents(state, url, {});
}
void BM_PostgresStore_LoadThreeColumns(benchmark::State& state) {
  const std::string url = PostgresUrlOrSkip(state);
  if (!url.empty()) LoadEvents(state, url, kThreeColumns);
}
BENCHMARK(BM_PostgresStore_LoadEvents)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5)
    ->UseRealTime();
BENCHMARK(BM_PostgresStore_LoadThreeColumns)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5)
    ->UseRealTime();

}  // namespace
}  // namespace prospect
