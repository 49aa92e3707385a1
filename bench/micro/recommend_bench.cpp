// Implicit ALS per iteration on a generated matrix shaped like MovieLens-20M with ratings >= 4
// (138,493 users, 26,744 items, 10M interactions; item popularity Zipf-like, users' counts
// skewed). The implicit library publishes 0.84 s per iteration on 8 cores (i7-7820X) for that
// data, about 6.7 core-seconds; "core-s/iter" here is the process CPU time per iteration.
// Run: build/bench/prospect_bench --benchmark_filter=Als
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <ctime>

#include "prospect/common/rng.hpp"
#include "prospect/models/recommend/als.hpp"

namespace prospect {
namespace {

CsrMatrix MovieLensShaped(size_t users, size_t items, size_t interactions) {
  Rng rng(20);
  // Item i is drawn with probability ∝ 1 / (i + 10): a few blockbusters, a long tail.
  std::vector<double> cumulative(items);
  double total = 0;
  for (size_t i = 0; i < items; ++i) cumulative[i] = total += 1.0 / (static_cast<double>(i) + 10);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::lognormal_distribution<double> per_user(0.0, 1.0);
  std::vector<double> share(users);
  double share_total = 0;
  for (double& s : share) share_total += s = per_user(rng);
  std::vector<CsrMatrix::Triplet> entries;
  entries.reserve(interactions);
  std::vector<size_t> chosen;
  for (size_t u = 0; u < users && entries.size() < interactions; ++u) {
    // Each user's items distinct (a rating matrix), at most half the catalogue.
    const size_t n = std::min(
        {static_cast<size_t>(std::ceil(share[u] / share_total * static_cast<double>(interactions))),
         items / 2, interactions - entries.size()});
    chosen.clear();
    while (chosen.size() < n) {
      const double draw = unit(rng) * total;
      chosen.push_back(std::min(
          items - 1,
          static_cast<size_t>(std::lower_bound(cumulative.begin(), cumulative.end(), draw) -
                              cumulative.begin())));
      if (chosen.size() == n) {
        std::sort(chosen.begin(), chosen.end());
        chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
      }
    }
    for (const size_t i : chosen) entries.push_back({u, i, 1.0});
  }
  return CsrMatrix::FromTriplets(users, items, entries);
}

void BM_Als_Iteration(benchmark::State& state) {
  static const CsrMatrix x = MovieLensShaped(138'493, 26'744, 10'000'000);
  const int64_t iterations = 2;
  Context ctx;  // all cores
  double cpu = 0;
  for (auto _ : state) {
    Als als(nlohmann::json{{"factors", 64}, {"iterations", iterations}});
    const std::clock_t c0 = std::clock();
    als.Fit(x, ctx);
    cpu += static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  }
  const double runs = static_cast<double>(state.iterations()) * static_cast<double>(iterations);
  state.counters["nnz"] = static_cast<double>(x.nnz());
  state.counters["core-s/iter"] = cpu / runs;
  state.counters["s/iter"] =
      benchmark::Counter(runs, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_Als_Iteration)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

}  // namespace
}  // namespace prospect
