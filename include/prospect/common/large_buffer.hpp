// LargeVector: std::vector for scratch buffers of many megabytes, backed by transparent huge
// pages where the kernel offers them (madvise MADV_HUGEPAGE on 2 MiB-aligned memory). Touching a
// fresh 80 MB buffer then costs about 40 page faults instead of about 20,000; on virtual machines,
// where a fault is expensive, first touches were most of the experiment analysis's time
// (BENCHMARKS.md). Buffers under 2 MiB come from operator new as usual.
#pragma once

#include <cstddef>
#include <vector>

namespace prospect {

/// Memory of at least `bytes`; 2 MiB-aligned and advised for huge pages from 2 MiB up. Throws
/// std::bad_alloc when there is none.
void* AllocateLargeBuffer(size_t bytes);
/// Frees what AllocateLargeBuffer(bytes) returned.
void FreeLargeBuffer(void* p, size_t bytes) noexcept;

template <typename T>
struct LargeBufferAllocator {
  using value_type = T;
  LargeBufferAllocator() = default;
  template <typename U>
  explicit LargeBufferAllocator(const LargeBufferAllocator<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(AllocateLargeBuffer(n * sizeof(T))); }
  void deallocate(T* p, size_t n) noexcept { FreeLargeBuffer(p, n * sizeof(T)); }
  friend bool operator==(const LargeBufferAllocator&, const LargeBufferAllocator&) { return true; }
};

template <typename T>
using LargeVector = std::vector<T, LargeBufferAllocator<T>>;

}  // namespace prospect
