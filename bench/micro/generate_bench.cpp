// Customers per second through `prospect generate` (simulation + CSV writing) at 1 and 2 threads.
// Run: build/bench/prospect_bench --benchmark_filter=Generate
#include <benchmark/benchmark.h>

#include <filesystem>

#include "prospect/generate/generate.hpp"

namespace prospect {
namespace {

void BM_Generate_Customers(benchmark::State& state) {
  const std::string dir =
      (std::filesystem::temp_directory_path() / "prospect_generate_bench").string();
  GenerateParams params;
  params.customers = state.range(0);
  const Context ctx(static_cast<int>(state.range(1)));
  int64_t events = 0;
  for (auto _ : state) {
    events = Generate(params, dir, ctx).Rows("events.csv");
  }
  state.SetItemsProcessed(state.iterations() * params.customers);
  state.counters["events"] = static_cast<double>(events);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_Generate_Customers)
    ->Args({100000, 1})
    ->Args({100000, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace prospect
