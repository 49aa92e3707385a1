// Seeded random numbers. One engine type everywhere so results are reproducible across platforms.
#pragma once

#include <cstdint>
#include <random>

namespace prospect {

/// 64-bit Mersenne Twister: std-specified, so the same seed gives the same stream everywhere.
using Rng = std::mt19937_64;

/// Derives an independent stream for a sub-task (thread, shard, tree) from a base seed
/// (SplitMix64 finaliser), so parallel work is deterministic whatever the thread count.
inline uint64_t DeriveSeed(uint64_t seed, uint64_t stream) {
  uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace prospect
