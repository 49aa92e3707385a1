// Benchmark driver for bench/e2e/cluster_bench.py: fits one prospect clusterer on a matrix file
// written by the script (u64 rows, u64 cols, then rows × cols float64, row-major), prints one JSON
// line (quality + seconds) and writes the int32 labels beside it. Not part of the library.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "driver_common.hpp"
#include "prospect/common/error.hpp"
#include "prospect/models/cluster/clusterer.hpp"
#include "prospect/models/cluster/dbscan.hpp"
#include "prospect/models/cluster/gmm.hpp"
#include "prospect/models/cluster/kmeans.hpp"

int main(int argc, char** argv) {
  const char* usage = "usage: prospect_cluster_bench METHOD MATRIX LABELS_OUT THREADS PARAMS_JSON";
  return prospect::bench::RunDriver(argc, 5, usage, [&] {
    const std::string method = argv[1];
    uint64_t n = 0, d = 0;
    auto values = prospect::bench::ReadMatrixFile(argv[2], &n, &d);
    const prospect::DenseMatrix x(std::move(values), n, d);
    const prospect::Context ctx(std::stoi(argv[4]), 42);
    auto model = prospect::ClustererRegistry().Create(method, nlohmann::json::parse(argv[5]));
    const auto start = std::chrono::steady_clock::now();
    model->Fit(x, ctx);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    nlohmann::json out = model->Summary();
    out.erase("sizes");
    out["seconds"] = seconds;
    if (auto* gmm = dynamic_cast<prospect::GaussianMixture*>(model.get()))
      out["score"] = gmm->Score(x, ctx);
    std::ofstream labels(argv[3], std::ios::binary);
    labels.write(reinterpret_cast<const char*>(model->labels().data()),
                 static_cast<std::streamsize>(model->labels().size() * sizeof(int32_t)));
    std::cout << out.dump() << std::endl;
    return 0;
  });
}
