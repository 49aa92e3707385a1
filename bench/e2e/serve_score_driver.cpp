// One row at a time, as a server scores: the compiled tree walker (CompiledTrees) against
// XGBoost's own C API (XGBoosterPredictFromDense on a one-row array, the fastest single-row path
// it has), on the same booster and the same rows, one thread. Prints the largest difference of
// the two outputs, the time per row of each (median of 5 passes) and their ratio.
// Usage: prospect_serve_score_bench [TREES DEPTH FEATURES ROWS]   (default 100 6 40 20000)
#include <fmt/format.h>
#include <xgboost/c_api.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "driver_common.hpp"
#include "prospect/common/stopwatch.hpp"
#include "prospect/io/model_file.hpp"
#include "prospect/models/classify/classifier.hpp"
#include "prospect/serve/compiled_trees.hpp"

namespace prospect::bench {
namespace {

void Check(int rc) {
  if (rc != 0) Fail(ErrorCode::kInternal, "xgboost: {}", XGBGetLastError());
}

// n rows of d standard normals; the label is a non-linear function of them with noise.
std::vector<double> Rows(size_t n, size_t d, uint64_t seed, std::vector<double>* y) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::vector<double> x(n * d);
  for (size_t i = 0; i < n; ++i) {
    double s = 0;
    for (size_t j = 0; j < d; ++j) {
      x[i * d + j] = normal(rng);
      s += j % 2 ? x[i * d + j] : x[i * d + j] * x[i * d + j] - 1;
    }
    if (y) y->push_back(s + normal(rng) > 0 ? 1.0 : 0.0);
  }
  return x;
}

// Median nanoseconds per row of `pass` (which scores every row once) over 5 passes.
template <typename Pass>
double NanosPerRow(size_t rows, Pass pass) {
  std::vector<double> times;
  for (int rep = 0; rep < 5; ++rep) {
    Stopwatch watch;
    pass();
    times.push_back(watch.Seconds() * 1e9 / static_cast<double>(rows));
  }
  std::sort(times.begin(), times.end());
  return times[2];
}

int Run(size_t trees, size_t depth, size_t d, size_t n) {
  const Context ctx(1);
  std::vector<double> y;
  const std::vector<double> train = Rows(20000, d, 1, &y);
  auto model = ClassifierRegistry().Create(
      "gbdt", {{"n_estimators", trees}, {"max_depth", depth}, {"early_stopping_rounds", 0}});
  Dataset data;
  data.x = DenseMatrixView(train, 20000, d);
  data.y = y;
  for (size_t j = 0; j < d; ++j) data.feature_names.push_back(fmt::format("f{}", j));
  model->Fit(data, ctx);
  const std::string file = model->Save();
  const std::string_view booster_bytes = ModelReader(file).Block("booster");
  const CompiledTrees compiled = CompiledTrees::FromXgboostBooster(booster_bytes);

  BoosterHandle booster = nullptr;
  Check(XGBoosterCreate(nullptr, 0, &booster));
  Check(XGBoosterLoadModelFromBuffer(booster, booster_bytes.data(), booster_bytes.size()));
  Check(XGBoosterSetParam(booster, "nthread", "1"));

  const std::vector<double> x = Rows(n, d, 2, nullptr);
  std::vector<float> xf(x.begin(), x.end());
  // XGBoost reads a row through an array-interface string; they are made before timing.
  std::vector<std::string> interfaces(n);
  for (size_t i = 0; i < n; ++i) {
    interfaces[i] =
        fmt::format(R"({{"data": [{}, true], "shape": [1, {}], "typestr": "<f4", "version": 3}})",
                    reinterpret_cast<uintptr_t>(&xf[i * d]), d);
  }
  const char* config =
      R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false, "missing": NaN, "cache_id": 0})";
  std::vector<double> ours(n), theirs(n);
  const double compiled_ns = NanosPerRow(n, [&] {
    for (size_t i = 0; i < n; ++i) ours[i] = compiled.Predict(&xf[i * d]);
  });
  const double xgboost_ns = NanosPerRow(n, [&] {
    for (size_t i = 0; i < n; ++i) {
      const bst_ulong* shape = nullptr;
      bst_ulong dim = 0;
      const float* out = nullptr;
      Check(XGBoosterPredictFromDense(booster, interfaces[i].c_str(), config, nullptr, &shape, &dim,
                                      &out));
      theirs[i] = out[0];
    }
  });
  XGBoosterFree(booster);
  double worst = 0;
  for (size_t i = 0; i < n; ++i) worst = std::max(worst, std::abs(ours[i] - theirs[i]));
  std::cout << fmt::format(
      "single-row score, {} trees of depth {}, {} features, {} rows, 1 thread\n"
      "  max |compiled - xgboost| = {:.3g}\n"
      "  compiled walker   {:8.1f} ns/row\n"
      "  xgboost C API     {:8.1f} ns/row\n"
      "  ratio xgboost / compiled = {:.1f}x\n",
      compiled.num_trees(), depth, d, n, worst, compiled_ns, xgboost_ns, xgboost_ns / compiled_ns);
  return worst <= 1e-6 ? 0 : 1;
}

}  // namespace
}  // namespace prospect::bench

int main(int argc, char** argv) {
  return prospect::bench::RunDriver(
      argc, 0, "usage: prospect_serve_score_bench [TREES DEPTH FEATURES ROWS]", [&] {
        auto arg = [&](int i, size_t fallback) {
          return argc > i ? static_cast<size_t>(std::stoul(argv[i])) : fallback;
        };
        return prospect::bench::Run(arg(1, 100), arg(2, 6), arg(3, 40), arg(4, 20000));
      });
}
