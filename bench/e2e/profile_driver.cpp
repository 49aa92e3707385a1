// Driver for bench/e2e/profile_bench.py: reads a `prospect generate` folder (customers, events,
// orders, items CSV) with ReadCsv, builds the profiles with BuildProfiles and prints one JSON line
// with the read and build times (wall and process CPU) of the fastest whole run (read + build:
// both from the same repeat); writes the profiles to a CSV for the value comparison (not timed).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "driver_common.hpp"
#include "prospect/common/datetime.hpp"
#include "prospect/features/profile.hpp"
#include "prospect/io/csv.hpp"

int main(int argc, char** argv) {
  using namespace prospect;
  const char* usage =
      "usage: prospect_profile_bench DIR OUT.csv [THREADS=1] [REPEATS=3] [AS_OF=YYYY-MM-DD]";
  return bench::RunDriver(argc, 2, usage, [&] {
    const std::string dir = argv[1];
    const std::string out = argv[2];
    const int threads = argc > 3 ? std::atoi(argv[3]) : 1;
    const int repeats = argc > 4 ? std::atoi(argv[4]) : 3;
    const Context ctx(threads);
    ProfileConfig config;
    config.include_attributes = false;  // the benchmark compares computed features only

    auto clock_now = [] { return std::chrono::steady_clock::now(); };
    auto seconds = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
    auto cpu = [] { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; };

    double best_read = 1e300, best_read_cpu = 0, best_build = 0, best_build_cpu = 0;
    int64_t as_of = 0;
    Table profiles;
    size_t event_rows = 0, order_rows = 0;
    for (int r = 0; r < repeats; ++r) {
      auto t0 = clock_now();
      double c0 = cpu();
      ProfileInputs in;
      in.customers = ReadCsv(dir + "/customers.csv", {}, ctx);
      in.events = ReadCsv(dir + "/events.csv", {}, ctx);
      in.orders = ReadCsv(dir + "/orders.csv", {}, ctx);
      in.items = ReadCsv(dir + "/items.csv", {}, ctx);
      auto t1 = clock_now();
      double c1 = cpu();
      if (argc > 5) {
        int64_t day = 0;
        if (!ParseIsoDate(argv[5], &day)) {
          std::fprintf(stderr, "bad AS_OF %s\n", argv[5]);
          return 2;
        }
        as_of = (day + 1) * kMicrosPerDay;
      } else {
        as_of = DefaultAsOf(in, config);
      }
      profiles = BuildProfiles(in, config, as_of, ctx);
      auto t2 = clock_now();
      double c2 = cpu();
      event_rows = in.events->num_rows();
      order_rows = in.orders->num_rows();
      if (seconds(t0, t2) < best_read + best_build) {
        best_read = seconds(t0, t1);
        best_read_cpu = c1 - c0;
        best_build = seconds(t1, t2);
        best_build_cpu = c2 - c1;
      }
    }
    WriteCsv(profiles, out, ctx);
    std::printf(
        "{\"customers\": %zu, \"columns\": %zu, \"events\": %zu, \"orders\": %zu, \"threads\": %d, "
        "\"as_of\": \"%s\", "
        "\"read_seconds\": %.6f, \"read_cpu_seconds\": %.6f, \"build_seconds\": %.6f, "
        "\"build_cpu_seconds\": %.6f}\n",
        profiles.num_rows(), profiles.num_columns(), event_rows, order_rows, ctx.threads(),
        FormatTimestamp(as_of).c_str(), best_read, best_read_cpu, best_build, best_build_cpu);
    return 0;
  });
}
