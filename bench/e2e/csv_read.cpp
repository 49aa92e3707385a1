// Driver for bench/e2e/csv_parse.py: reads a CSV with prospect::ReadCsv and prints one JSON line
// with rows, columns, column types and the best wall time over the repeats.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "prospect/io/csv.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: prospect_csv_read FILE [THREADS=0] [REPEATS=3]\n");
    return 2;
  }
  const int threads = argc > 2 ? std::atoi(argv[2]) : 0;
  const int repeats = argc > 3 ? std::atoi(argv[3]) : 3;
  const prospect::Context ctx(threads);
  double best = 1e300, best_cpu = 0;
  prospect::Table table;
  for (int i = 0; i < repeats; ++i) {
    table = prospect::Table();  // the previous read's memory is freed outside the timing
    const auto start = std::chrono::steady_clock::now();
    const std::clock_t cpu_start = std::clock();  // process CPU time, all threads
    table = prospect::ReadCsv(argv[1], {}, ctx);
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
    if (s < best) {
      best = s;
      best_cpu = cpu;
    }
  }
  std::string types;
  for (const auto& f : table.schema().fields()) {
    if (!types.empty()) types += ",";
    types += "\"" + f.name + "\":\"" + std::string(prospect::DataTypeName(f.type)) + "\"";
  }
  std::printf(
      "{\"rows\": %zu, \"columns\": %zu, \"threads\": %d, \"seconds\": %.6f, \"cpu_seconds\": "
      "%.6f, \"types\": {%s}}\n",
      table.num_rows(), table.num_columns(), ctx.threads(), best, best_cpu, types.c_str());
  return 0;
}
