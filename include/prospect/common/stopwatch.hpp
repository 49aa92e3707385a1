// Wall time since a start, for the seconds that results and benchmarks report.
#pragma once

#include <chrono>

namespace prospect {

class Stopwatch {
 public:
  /// Seconds since construction or the last Restart.
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  void Restart() { start_ = std::chrono::steady_clock::now(); }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace prospect
