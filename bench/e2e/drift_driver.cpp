// Benchmark driver for bench/e2e/run_drift_bench.sh: loads the column files drift_bench.py wrote
// into two in-memory Tables (not timed) and times monitor::CompareTables on them.
#include <chrono>
#include <fstream>
#include <iostream>
#include <string>

#include "driver_common.hpp"
#include "prospect/monitor/drift.hpp"

namespace {

template <typename T>
prospect::ColumnVector<T> ReadSlice(const std::string& path, size_t offset, size_t count) {
  std::ifstream in(path, std::ios::binary);
  if (!in) prospect::Fail(prospect::ErrorCode::kIo, "cannot open {}", path);
  prospect::ColumnVector<T> out(count);
  in.seekg(static_cast<std::streamoff>(offset * sizeof(T)));
  in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(count * sizeof(T)));
  if (!in) prospect::Fail(prospect::ErrorCode::kIo, "{} is shorter than expected", path);
  return out;
}

prospect::Table LoadSide(const std::string& dir, const std::string& side, size_t rows, size_t num,
                         size_t cat) {
  using namespace prospect;
  std::vector<Field> fields;
  std::vector<ColumnPtr> columns;
  for (size_t j = 0; j < num; ++j) {
    fields.push_back({fmt::format("x{}", j), DataType::kDouble});
    columns.push_back(
        Column::FromDoubles(ReadSlice<double>(dir + "/" + side + "_num.f64", j * rows, rows)));
  }
  const std::vector<std::string> dictionary = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
  for (size_t j = 0; j < cat; ++j) {
    fields.push_back({fmt::format("c{}", j), DataType::kCategorical});
    columns.push_back(Column::FromCategorical(
        ReadSlice<int32_t>(dir + "/" + side + "_cat.i32", j * rows, rows), dictionary));
  }
  return Table(Schema(std::move(fields)), std::move(columns));
}

}  // namespace

int main(int argc, char** argv) {
  using namespace prospect;
  return bench::RunDriver(
      argc, 5, "usage: drift_driver DIR ROWS NUMERIC CATEGORICAL [threads]", [&] {
        const std::string dir = argv[1];
        const auto rows = std::stoul(argv[2]), num = std::stoul(argv[3]), cat = std::stoul(argv[4]);
        const Context ctx(argc > 5 ? std::stoi(argv[5]) : 0);
        const Table reference = LoadSide(dir, "reference", rows, num, cat);
        const Table current = LoadSide(dir, "current", rows, num, cat);
        const auto start = std::chrono::steady_clock::now();
        const monitor::DriftReport report =
            monitor::CompareTables(reference, current, monitor::DriftConfig{}, ctx);
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        size_t exact = 0;
        for (const auto& c : report.columns) exact += c.exact ? 1 : 0;
        std::cout << nlohmann::json({{"seconds", seconds},
                                     {"threads", ctx.threads()},
                                     {"exact_columns", exact},
                                     {"report", report.ToJson()}})
                         .dump()
                  << "\n";
        return 0;
      });
}
