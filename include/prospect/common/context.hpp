// Context: what every Fit/Predict/Ingest gets — thread count, seed, logger, cancellation and
// progress reporting. Passed by reference; the library never reads globals or the clock for these.
#pragma once

#include <spdlog/logger.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

namespace prospect {

/// Default seed: runs are deterministic unless the user asks otherwise.
inline constexpr uint64_t kDefaultSeed = 42;

/// Progress of a long operation: done out of total units (bytes, rows, iterations).
using ProgressFn = std::function<void(std::string_view stage, uint64_t done, uint64_t total)>;

class Context {
 public:
  /// threads: 0 = all cores. A null logger logs nowhere.
  explicit Context(int threads = 0, uint64_t seed = kDefaultSeed,
                   std::shared_ptr<spdlog::logger> logger = nullptr);

  /// Number of threads every OpenMP region and worker pool must use (resolved, >= 1).
  int threads() const { return threads_; }
  uint64_t seed() const { return seed_; }
  spdlog::logger& logger() const { return *logger_; }
  std::shared_ptr<spdlog::logger> logger_ptr() const { return logger_; }

  void set_progress(ProgressFn fn) { progress_ = std::move(fn); }
  /// Reports progress if a sink is set; cheap otherwise.
  void Progress(std::string_view stage, uint64_t done, uint64_t total) const {
    if (progress_) progress_(stage, done, total);
  }

  /// Cancellation: set from another thread (e.g. a signal handler); long loops call
  /// ThrowIfCancelled() at chunk boundaries.
  void Cancel() { cancelled_->store(true); }
  bool cancelled() const { return cancelled_->load(std::memory_order_relaxed); }
  /// The shared flag, for a signal handler or another thread to set.
  std::shared_ptr<std::atomic<bool>> cancel_flag() const { return cancelled_; }
  void ThrowIfCancelled() const;

 private:
  int threads_;
  uint64_t seed_;
  std::shared_ptr<spdlog::logger> logger_;
  ProgressFn progress_;
  std::shared_ptr<std::atomic<bool>> cancelled_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace prospect
