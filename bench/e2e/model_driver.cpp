// Benchmark driver for bench/e2e/model_bench.py: fits one prospect classifier on a training matrix
// written by the script (u64 rows, u64 cols, then rows × cols float64, row-major; labels as n
// float64), predicts the test matrix, writes P(positive) beside it, and prints one JSON line with
// wall and CPU seconds. With SCORE_ROWS > 0 it also times PredictProba on the test rows repeated
// to that many rows (batch scoring throughput). Not part of the library.
#include <fmt/format.h>
#include <sys/resource.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "driver_common.hpp"
#include "prospect/common/error.hpp"
#include "prospect/models/classify/classifier.hpp"

namespace {

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

}  // namespace

int main(int argc, char** argv) {
  const char* usage =
      "usage: prospect_model_bench MODEL PARAMS_JSON THREADS TRAIN_X TRAIN_Y TEST_X PROBA_OUT "
      "[SCORE_ROWS]";
  return prospect::bench::RunDriver(argc, 7, usage, [&] {
    const prospect::Context ctx(std::stoi(argv[3]), 42);
    uint64_t n = 0, d = 0, ny = 0, one = 0, nt = 0, dt = 0;
    const auto x = prospect::bench::ReadMatrixFile(argv[4], &n, &d);
    const auto y = prospect::bench::ReadMatrixFile(argv[5], &ny, &one);
    const auto xt = prospect::bench::ReadMatrixFile(argv[6], &nt, &dt);
    if (ny != n || dt != d)
      prospect::Fail(prospect::ErrorCode::kInvalidData, "matrix shapes disagree");
    prospect::Dataset set;
    set.x = {x, n, d};
    set.y = y;
    for (size_t j = 0; j < d; ++j) set.feature_names.push_back(fmt::format("f{}", j));
    auto model = prospect::ClassifierRegistry().Create(argv[1], nlohmann::json::parse(argv[2]));
    const double cpu0 = CpuSeconds();
    const auto t0 = std::chrono::steady_clock::now();
    model->Fit(set, ctx);
    const auto t1 = std::chrono::steady_clock::now();
    const double cpu1 = CpuSeconds();
    const auto p = model->PredictProba({xt, nt, d}, ctx);
    const auto t2 = std::chrono::steady_clock::now();
    std::ofstream out(argv[7], std::ios::binary);
    out.write(reinterpret_cast<const char*>(p.data()), static_cast<std::streamsize>(p.size() * 8));
    nlohmann::json doc = {{"fit_seconds", std::chrono::duration<double>(t1 - t0).count()},
                          {"fit_cpu_seconds", cpu1 - cpu0},
                          {"predict_seconds", std::chrono::duration<double>(t2 - t1).count()}};
    const uint64_t score_rows = argc > 8 ? std::stoull(argv[8]) : 0;
    if (score_rows > 0) {
      std::vector<double> big(score_rows * d);
      for (uint64_t r = 0; r < score_rows; ++r)
        std::copy_n(xt.begin() + static_cast<std::ptrdiff_t>((r % nt) * d), d,
                    big.begin() + static_cast<std::ptrdiff_t>(r * d));
      const auto s0 = std::chrono::steady_clock::now();
      const auto scores = model->PredictProba({big, score_rows, d}, ctx);
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - s0).count();
      doc["score_rows"] = score_rows;
      doc["score_seconds"] = secs;
      doc["score_check"] = scores[score_rows - 1];
    }
    std::cout << doc.dump() << std::endl;
    return 0;
  });
}
