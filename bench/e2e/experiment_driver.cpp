// Benchmark driver for bench/e2e/run_experiment_bench.sh: loads the raw arrays that
// experiment_bench.py generated into an in-memory prospect Table (not timed) and times
// AnalyzeExperiment on it (SRM, 2 binary metrics, 1 continuous metric with Welch and Mann-Whitney).
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "driver_common.hpp"
#include "prospect/experiment/analysis.hpp"

namespace {

template <typename T>
prospect::ColumnVector<T> ReadRaw(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw std::runtime_error("cannot open " + path);
  const auto bytes = static_cast<size_t>(in.tellg());
  prospect::ColumnVector<T> out(bytes / sizeof(T));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(bytes));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace prospect;
  return bench::RunDriver(argc, 1, "usage: experiment_driver DIR [repeats]", [&] {
    const std::string dir = argv[1];
    const int repeats = argc > 2 ? std::stoi(argv[2]) : 3;
    const auto variant_bytes = ReadRaw<uint8_t>(dir + "/variant.u8");
    ColumnVector<int32_t> codes(variant_bytes.begin(), variant_bytes.end());
    const Table table(Schema({{"variant", DataType::kCategorical},
                              {"visit", DataType::kBool},
                              {"conversion", DataType::kBool},
                              {"spend", DataType::kDouble}}),
                      {Column::FromCategorical(std::move(codes), {"control", "treatment"}),
                       Column::FromBools(ReadRaw<uint8_t>(dir + "/visit.u8")),
                       Column::FromBools(ReadRaw<uint8_t>(dir + "/conversion.u8")),
                       Column::FromDoubles(ReadRaw<double>(dir + "/spend.f64"))});
    experiment::AnalysisOptions o;
    o.variant_column = "variant";
    o.control = "control";
    o.metrics = {"visit", "conversion", "spend"};
    Context ctx(1);
    double best = 1e300;
    nlohmann::json result;
    for (int r = 0; r < repeats; ++r) {
      const auto start = std::chrono::steady_clock::now();
      const experiment::ExperimentAnalysis a = experiment::AnalyzeExperiment(table, o, ctx);
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      best = std::min(best, seconds);
      result = experiment::AnalysisToJson(a);
    }
    std::cout << nlohmann::json({{"rows", table.num_rows()},
                                 {"seconds", best},
                                 {"threads", 1},
                                 {"analysis", result}})
                     .dump()
              << "\n";
    return 0;
  });
}
