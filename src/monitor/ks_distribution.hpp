// Two-sided Kolmogorov-Smirnov p-values that agree with scipy 1.10 (one-sample kstwo.sf and
// ks_2samp's p-value), for the drift monitor. Private to the library.
#pragma once

#include <cstdint>

namespace prospect::monitor {

/// scipy.stats.kstwo.sf(d, n): P(D_n >= d) for the one-sample two-sided KS statistic.
/// Throws kInvalidArgument for n < 1 or d outside [0, 1] (NaN too). Thread-safe.
double KolmogorovSf(double d, int64_t n);

/// The p-value scipy.stats.ks_2samp(a, b, alternative="two-sided", method="auto") gives for
/// statistic d with sample sizes n1, n2: exact when max(n1, n2) <= 10000 (falling back to the
/// asymptotic one exactly when scipy does), else kstwo.sf(d, round(n1*n2/(n1+n2))).
/// Throws kInvalidArgument for n1 < 1, n2 < 1 or d outside [0, 1] (NaN too). Thread-safe.
double KsTwoSamplePValue(double d, int64_t n1, int64_t n2);

}  // namespace prospect::monitor
