// Implicit ALS per iteration on a generated matrix shaped like MovieLens-20M with ratings >= 4
// (138,493 users, 26,744 items, 10M interactions; item popularity Zipf-like, users' counts
// skewed). The implicit library publishes 0.84 s per iteration on 8 cores (i7-7820X) for that
// data, about 6.7 core-seconds; "core-s/iter" here is the process CPU time per iteration.
// Run: build/bench/prospect_bench --benchmark_filter=Als
//
// Fit of item-kNN (default parameters) and of EASE on the same matrix: seconds and core-seconds
// (process CPU time) per fit, on all cores. EASE holds items² doubles while fitting and B as
// items² floats, and its default max_items is 20,000, so it fits the matrix cut to its 20,000
// most chosen items (4.8 GB; all 26,744 would take 8.6 GB and about (26,744 / 20,000)³ = 2.4
// times as long).
// Run: build/bench/prospect_bench --benchmark_filter='ItemKnn|Ease'
//
// Approximate top-10 (hnswlib) over the 64 ALS item factors of a generated 100,000-item
// catalogue against the exact scan of every item: per-query latency (mean, p99) and recall@10 of
// the approximate lists against the exact ones, over 2,000 users' queries.
// Run: build/bench/prospect_bench --benchmark_filter=Ann
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <numeric>

#include "prospect/common/rng.hpp"
#include "prospect/evaluate/ranking.hpp"
#include "prospect/models/recommend/als.hpp"
#include "prospect/models/recommend/ann.hpp"
#include "prospect/models/recommend/ease.hpp"
#include "prospect/models/recommend/item_knn.hpp"

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

const CsrMatrix& MovieLens20M() {
  static const CsrMatrix x = MovieLensShaped(138'493, 26'744, 10'000'000);
  return x;
}

// x with only its `keep` most chosen items (ties to the lower index), in their order.
CsrMatrix MostChosenItems(const CsrMatrix& x, size_t keep) {
  std::vector<size_t> users(x.cols(), 0);
  for (const int32_t j : x.indices()) ++users[static_cast<size_t>(j)];
  std::vector<size_t> order(x.cols());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return users[a] > users[b]; });
  order.resize(std::min(keep, order.size()));
  std::sort(order.begin(), order.end());
  std::vector<int64_t> column(x.cols(), -1);
  for (size_t k = 0; k < order.size(); ++k) column[order[k]] = static_cast<int64_t>(k);
  std::vector<CsrMatrix::Triplet> entries;
  for (size_t u = 0; u < x.rows(); ++u) {
    const auto items = x.RowIndices(u);
    const auto weights = x.RowValues(u);
    for (size_t k = 0; k < items.size(); ++k) {
      const int64_t j = column[static_cast<size_t>(items[k])];
      if (j >= 0) entries.push_back({u, static_cast<size_t>(j), weights[k]});
    }
  }
  return CsrMatrix::FromTriplets(x.rows(), order.size(), entries);
}

// One Fit of Model(params) on x per iteration: wall seconds ("s/fit") and process CPU seconds
// ("core-s/fit").
template <typename Model>
void FitTimes(benchmark::State& state, const CsrMatrix& x, const nlohmann::json& params) {
  Context ctx;  // all cores
  double cpu = 0;
  for (auto _ : state) {
    Model model(params);
    const std::clock_t c0 = std::clock();
    model.Fit(x, ctx);
    cpu += static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  }
  const auto runs = static_cast<double>(state.iterations());
  state.counters["users"] = static_cast<double>(x.rows());
  state.counters["items"] = static_cast<double>(x.cols());
  state.counters["nnz"] = static_cast<double>(x.nnz());
  state.counters["threads"] = ctx.threads();
  state.counters["core-s/fit"] = cpu / runs;
  state.counters["s/fit"] =
      benchmark::Counter(runs, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_ItemKnn_Fit(benchmark::State& state) {
  FitTimes<ItemKnn>(state, MovieLens20M(), nlohmann::json::object());
}
BENCHMARK(BM_ItemKnn_Fit)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

void BM_Ease_Fit_20kMostChosen(benchmark::State& state) {
  static const CsrMatrix x = MostChosenItems(MovieLens20M(), 20'000);
  FitTimes<Ease>(state, x, nlohmann::json::object());
}
BENCHMARK(BM_Ease_Fit_20kMostChosen)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

void BM_Als_Iteration(benchmark::State& state) {
  const CsrMatrix& x = MovieLens20M();
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

void BM_Ann_Top10(benchmark::State& state) {
  constexpr size_t kItems = 100'000, kQueries = 2'000, kK = 10;
  static const Als* als = [] {
    auto* model = new Als(nlohmann::json{{"factors", 64}, {"iterations", 5}});
    model->Fit(MovieLensShaped(50'000, kItems, 3'000'000), Context());
    return model;
  }();
  const auto f = static_cast<size_t>(als->Params()["factors"].get<int64_t>());
  const auto& items = als->item_factors();
  const AnnParams params{.m = state.range(0), .ef_construction = 200, .ef_search = state.range(1)};
  const auto build_start = std::chrono::steady_clock::now();
  const ItemVectorIndex index(items, f, params, Context());
  const double build_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - build_start).count();
  std::vector<double> approx_ms, exact_ms;
  double recall = 0;
  for (auto _ : state) {
    approx_ms.clear();
    exact_ms.clear();
    recall = 0;
    for (size_t q = 0; q < kQueries; ++q) {
      const std::span<const float> x(als->user_factors().data() + (q * 25) * f, f);
      auto t0 = std::chrono::steady_clock::now();
      const std::vector<ScoredItem> approximate = index.Search(x, kK);
      approx_ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      t0 = std::chrono::steady_clock::now();
      std::vector<float> scores(kItems);
      for (size_t i = 0; i < kItems; ++i) {
        float dot = 0;
        for (size_t j = 0; j < f; ++j) dot += x[j] * items[i * f + j];
        scores[i] = dot;
      }
      const std::vector<int32_t> exact = TopK(scores, kK, {});
      exact_ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      size_t hits = 0;
      for (const ScoredItem& a : approximate)
        hits += std::find(exact.begin(), exact.end(), a.item) != exact.end();
      recall += static_cast<double>(hits) / kK / kQueries;
    }
  }
  auto mean = [](const std::vector<double>& v) {
    double s = 0;
    for (const double x : v) s += x;
    return s / static_cast<double>(v.size());
  };
  auto p99 = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[static_cast<size_t>(0.99 * static_cast<double>(v.size() - 1))];
  };
  state.counters["recall@10"] = recall;
  state.counters["ann_mean_ms"] = mean(approx_ms);
  state.counters["ann_p99_ms"] = p99(approx_ms);
  state.counters["exact_mean_ms"] = mean(exact_ms);
  state.counters["exact_p99_ms"] = p99(exact_ms);
  state.counters["speedup"] = mean(exact_ms) / mean(approx_ms);
  state.counters["build_s"] = build_s;
}
BENCHMARK(BM_Ann_Top10)
    ->Args({16, 64})
    ->Args({16, 128})
    ->Args({32, 128})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();

}  // namespace
}  // namespace prospect
