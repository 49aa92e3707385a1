// What the bench/e2e drivers share: their main's convention, which the scripts that run them rely
// on (too few arguments print the usage and exit 2; an exception prints `error: …` to stderr and
// exits 1), and the binary matrix files the Python scripts write for them. Included by path from
// the drivers beside it (the build adds no include folder for bench/).
#pragma once

#include <cstdint>
#include <exception>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "prospect/common/error.hpp"

namespace prospect::bench {

/// Runs `work` if the command line has at least `required` arguments after the program name;
/// its return value is the exit code.
inline int RunDriver(int argc, int required, const char* usage, const std::function<int()>& work) {
  if (argc - 1 < required) {
    std::cerr << usage << "\n";
    return 2;
  }
  try {
    return work();
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}

/// Reads a matrix file as the scripts write it: u64 rows, u64 cols, then rows × cols float64,
/// row-major.
inline std::vector<double> ReadMatrixFile(const std::string& path, uint64_t* rows, uint64_t* cols) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Fail(ErrorCode::kIo, "cannot open {}", path);
  in.read(reinterpret_cast<char*>(rows), 8);
  in.read(reinterpret_cast<char*>(cols), 8);
  std::vector<double> v(*rows * *cols);
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * 8));
  if (!in) Fail(ErrorCode::kIo, "{} is truncated", path);
  return v;
}

}  // namespace prospect::bench
