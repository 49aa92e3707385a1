// Micro benchmark of the CSV reader on an in-memory events-like CSV (no disk), 1 and 2 threads.
#include <benchmark/benchmark.h>

#include <string>

#include "../../src/io/csv_internal.hpp"

namespace {

std::string EventsCsv(int rows) {
  std::string s = "event_id,customer_id,timestamp,event_type,price,quantity,note\n";
  uint64_t x = 88172645463325252ull;
  auto next = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  static const char* kTypes[] = {"view", "cart", "purchase", "return"};
  for (int i = 0; i < rows; ++i) {
    const uint64_t r = next();
    s += std::to_string(i) + "," + std::to_string(r % 100000) + ",2024-0" +
         std::to_string(1 + r % 9) + "-1" + std::to_string(r % 10) + " 0" + std::to_string(r % 10) +
         ":26:00," + kTypes[r % 4] + "," + std::to_string((r % 10000) / 100.0) + "," +
         std::to_string(r % 7) + "," + ((r % 5 == 0) ? "\"gift, wrapped\"" : "") + "\n";
  }
  return s;
}

void BM_ReadCsvText(benchmark::State& state) {
  static const std::string text = EventsCsv(200000);
  const prospect::Context ctx(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(prospect::io::ReadCsvText(text, "bench.csv", {}, ctx, nullptr));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.SetItemsProcessed(state.iterations() * 200000);
}
BENCHMARK(BM_ReadCsvText)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

}  // namespace
