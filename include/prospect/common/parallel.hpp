// ParallelFor: the one way a loop of independent tasks (trees of a forest, chunks of a file) runs
// on the Context's threads and carries a worker's exception to the calling thread. OpenMP cannot
// let an exception leave a parallel region (the program would terminate), so each task's is
// caught, the first one kept, and rethrown once every worker has stopped.
#pragma once

#include <cstdint>
#include <exception>

#include "prospect/common/context.hpp"

namespace prospect {

/// Runs body(i) for every i in [0, n) on ctx.threads() threads, dynamically scheduled (tasks of
/// uneven cost). Each task must write only its own outputs. If tasks throw, the others still run
/// to their end and the first exception caught is rethrown here.
template <typename Body>
void ParallelFor(const Context& ctx, int64_t n, Body&& body) {
  std::exception_ptr failure;
#pragma omp parallel for num_threads(ctx.threads()) schedule(dynamic)
  for (int64_t i = 0; i < n; ++i) {
    try {
      body(i);
    } catch (...) {
#pragma omp critical(prospect_parallel_for_failure)
      if (!failure) failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
}

}  // namespace prospect
