#include "prospect/common/large_buffer.hpp"

#include <sys/mman.h>

#include <cstdlib>
#include <new>

namespace prospect {
namespace {

constexpr size_t kHugePage = size_t{2} << 20;

size_t RoundUpToHugePage(size_t bytes) { return (bytes + kHugePage - 1) / kHugePage * kHugePage; }

}  // namespace

void* AllocateLargeBuffer(size_t bytes) {
  if (bytes < kHugePage) return ::operator new(bytes);
  const size_t rounded = RoundUpToHugePage(bytes);
  if (rounded < bytes) throw std::bad_alloc();
  void* p = std::aligned_alloc(kHugePage, rounded);
  if (!p) throw std::bad_alloc();
  // Advice only: where transparent huge pages are off (or this is not Linux) nothing changes.
  (void)madvise(p, rounded, MADV_HUGEPAGE);
  return p;
}

void FreeLargeBuffer(void* p, size_t bytes) noexcept {
  if (bytes < kHugePage) {
    ::operator delete(p);
  } else {
    std::free(p);
  }
}

}  // namespace prospect
