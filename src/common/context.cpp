// Context: resolves the thread count and provides a null logger when none is given.
#include "prospect/common/context.hpp"

#include <omp.h>
#include <spdlog/sinks/null_sink.h>

#include "prospect/common/error.hpp"

namespace prospect {

Context::Context(int threads, uint64_t seed, std::shared_ptr<spdlog::logger> logger)
    : threads_(threads > 0 ? threads : std::max(1, omp_get_num_procs())),
      seed_(seed),
      logger_(logger ? std::move(logger)
                     : std::make_shared<spdlog::logger>(
                           "null", std::make_shared<spdlog::sinks::null_sink_mt>())) {}

void Context::ThrowIfCancelled() const {
  if (cancelled()) Fail(ErrorCode::kCancelled, "operation cancelled");
}

}  // namespace prospect
