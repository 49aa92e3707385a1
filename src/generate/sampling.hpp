// Random variates for the generator, written out rather than taken from <random>'s distributions
// (whose algorithms the standard leaves to each library), so a seed gives the same data with any
// standard library. Only prospect::Rng (mt19937_64, fully specified) is used underneath.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>
#include <span>

#include "prospect/common/rng.hpp"

namespace prospect::gen {

/// Uniform on the open interval (0, 1): 53 random bits, centred in their cell.
inline double Uniform(Rng& rng) { return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53; }

inline bool Bernoulli(Rng& rng, double p) { return Uniform(rng) < p; }

/// Exponential with the given mean.
inline double Exponential(Rng& rng, double mean) { return -mean * std::log(Uniform(rng)); }

/// Standard normal (Box–Muller, one value per call).
inline double Normal(Rng& rng) {
  const double u1 = Uniform(rng);
  const double u2 = Uniform(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

/// Gamma with shape k and scale 1 (Marsaglia & Tsang 2000; shape < 1 by boosting with U^(1/k)).
inline double StandardGamma(Rng& rng, double shape) {
  if (shape < 1.0) {
    const double g = StandardGamma(rng, shape + 1.0);
    return g * std::pow(Uniform(rng), 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x = 0;
    double v = 0;
    do {
      x = Normal(rng);
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = Uniform(rng);
    if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
    if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
  }
}

/// Gamma with shape and rate (mean shape / rate).
inline double GammaRate(Rng& rng, double shape, double rate) {
  return StandardGamma(rng, shape) / rate;
}

/// Beta(a, b) as X / (X + Y) of two gammas.
inline double Beta(Rng& rng, double a, double b) {
  const double x = StandardGamma(rng, a);
  const double y = StandardGamma(rng, b);
  return x / (x + y);
}

/// Poisson by multiplying uniforms (Knuth), in pieces of mean <= 16 so exp() never underflows.
inline int64_t Poisson(Rng& rng, double mean) {
  int64_t count = 0;
  while (mean > 0) {
    const double piece = mean > 16.0 ? 16.0 : mean;
    mean -= piece;
    const double limit = std::exp(-piece);
    double prod = Uniform(rng);
    while (prod > limit) {
      ++count;
      prod *= Uniform(rng);
    }
  }
  return count;
}

/// Index drawn with probability proportional to weights (linear scan; for short lists).
inline size_t Categorical(Rng& rng, std::span<const double> weights) {
  double total = 0;
  for (double w : weights) total += w;
  double u = Uniform(rng) * total;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (u < weights[i]) return i;
    u -= weights[i];
  }
  return weights.size() - 1;
}

inline double Logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }

}  // namespace prospect::gen
