// Train/test splits and cross-validation folds as row-index lists: stratified (seeded, exact class
// proportions as far as integers allow), random, time-based, stratified k-fold and plain k-fold.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace prospect {

/// Row indices of one split; each list is sorted ascending and the two are disjoint.
struct TrainTestSplit {
  std::vector<size_t> train;
  std::vector<size_t> test;
};

/// Stratified random split. The test set has ceil(test_fraction · n) rows (sklearn's rounding);
/// each class (a distinct value of `labels`) gets floor(n_class · n_test / n) test rows and the
/// leftover rows go to the classes with the largest remainders (ties: the larger class, then the
/// smaller label), so each class's share differs from its overall share by less than one row.
/// Rows within a class are shuffled with Rng(DeriveSeed(seed, class rank)): the same seed gives the
/// same split. Throws kInvalidArgument unless 0 < test_fraction < 1 and both sides are non-empty;
/// kInvalidData for NaN labels.
TrainTestSplit StratifiedSplit(std::span<const double> labels, double test_fraction, uint64_t seed);

/// Plain random split of n rows (a numeric target has no classes to stratify): the rows are
/// shuffled with Rng(seed) and the first round(test_fraction · n) of them, at least 1 and at most
/// n − 1, are the test part. Throws kInvalidArgument for n < 2.
TrainTestSplit RandomSplit(size_t n, double test_fraction, uint64_t seed);

/// Time-based split: rows ordered by `keys` (dates, timestamps or any sortable number); the last
/// ceil(test_fraction · n) rows go to test. Rows sharing the key at the cut all go to test, so no
/// key is on both sides (test can be slightly larger than asked). Throws kInvalidData for a NaN key
/// or when every row would land in test (too few distinct keys); kInvalidArgument for a fraction
/// outside (0, 1).
TrainTestSplit TimeSplit(std::span<const double> keys, double test_fraction);
TrainTestSplit TimeSplit(std::span<const int64_t> keys, double test_fraction);

/// Stratified k-fold: each class's rows are shuffled (seeded) and dealt round-robin over the folds,
/// continuing the rotation from class to class. Each fold's count of every class is within ±1 of
/// n_class / k, and fold sizes differ by at most 1. fold[i].test are the rows of fold i,
/// fold[i].train all others. Throws kInvalidArgument for k < 2 or k > n.
std::vector<TrainTestSplit> StratifiedKFold(std::span<const double> labels, size_t k,
                                            uint64_t seed);

/// Plain k-fold over n rows: optionally shuffled (seeded), then cut into k contiguous folds, the
/// first n mod k one row larger (numpy.array_split; sklearn KFold). Throws kInvalidArgument for
/// k < 2 or k > n.
std::vector<TrainTestSplit> KFold(size_t n, size_t k, uint64_t seed, bool shuffle = true);

}  // namespace prospect
