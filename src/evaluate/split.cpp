// Splits and folds. Shuffles use prospect::Rng seeded through DeriveSeed so results are the same on
// every platform (std::shuffle's algorithm is unspecified, so we use our own Fisher-Yates).
#include "prospect/evaluate/split.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "prospect/common/error.hpp"
#include "prospect/common/rng.hpp"

namespace prospect {
namespace {

// Fisher-Yates with an explicit draw: std::uniform_int_distribution and std::shuffle differ
// between standard libraries, a bias of < 2^-40 from the modulo does not matter here.
void Shuffle(std::vector<size_t>& v, uint64_t seed) {
  Rng rng(seed);
  for (size_t i = v.size(); i > 1; --i) {
    const size_t j = static_cast<size_t>(rng() % i);
    std::swap(v[i - 1], v[j]);
  }
}

void CheckFraction(std::string_view what, double test_fraction) {
  if (!(test_fraction > 0.0 && test_fraction < 1.0)) {
    Fail(ErrorCode::kInvalidArgument,
         "{}: the test fraction must lie strictly between 0 and 1, got {}", what, test_fraction);
  }
}

size_t TestCount(std::string_view what, size_t n, double test_fraction) {
  CheckFraction(what, test_fraction);
  // sklearn: n_test = ceil(test_size · n); the tiny slack keeps 0.3 · 10 from becoming 4.
  const auto n_test = static_cast<size_t>(std::ceil(test_fraction * static_cast<double>(n) - 1e-9));
  if (n_test == 0 || n_test >= n) {
    Fail(ErrorCode::kInvalidArgument,
         "{}: a test fraction of {} of {} rows leaves {} test and {} training rows; both need at "
         "least one",
         what, test_fraction, n, n_test, n - std::min(n, n_test));
  }
  return n_test;
}

// Rows per distinct label, labels ascending.
std::map<double, std::vector<size_t>> GroupByLabel(std::string_view what,
                                                   std::span<const double> labels) {
  std::map<double, std::vector<size_t>> groups;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (std::isnan(labels[i])) Fail(ErrorCode::kInvalidData, "{}: label of row {} is NaN", what, i);
    groups[labels[i]].push_back(i);
  }
  return groups;
}

TrainTestSplit FromTestMask(const std::vector<bool>& in_test) {
  TrainTestSplit split;
  for (size_t i = 0; i < in_test.size(); ++i) (in_test[i] ? split.test : split.train).push_back(i);
  return split;
}

void CheckFolds(std::string_view what, size_t n, size_t k) {
  if (k < 2 || k > n) {
    Fail(ErrorCode::kInvalidArgument,
         "{}: the number of folds must lie between 2 and the row count {}, got {}", what, n, k);
  }
}

}  // namespace

TrainTestSplit StratifiedSplit(std::span<const double> labels, double test_fraction,
                               uint64_t seed) {
  const size_t n = labels.size();
  const size_t n_test = TestCount("stratified split", n, test_fraction);
  auto groups = GroupByLabel("stratified split", labels);
  struct Share {
    double label;
    size_t size, test;
    size_t remainder;  // numerator of the fractional part, out of n
  };
  std::vector<Share> shares;
  size_t assigned = 0;
  for (const auto& [label, rows] : groups) {
    const size_t exact = rows.size() * n_test;  // n_class · n_test / n, kept in integers
    shares.push_back({label, rows.size(), exact / n, exact % n});
    assigned += exact / n;
  }
  std::vector<size_t> by_remainder(shares.size());
  std::iota(by_remainder.begin(), by_remainder.end(), size_t{0});
  std::stable_sort(by_remainder.begin(), by_remainder.end(), [&](size_t a, size_t b) {
    if (shares[a].remainder != shares[b].remainder)
      return shares[a].remainder > shares[b].remainder;
    return shares[a].size > shares[b].size;
  });
  for (size_t r = 0; assigned < n_test; ++r, ++assigned) shares[by_remainder[r]].test += 1;
  std::vector<bool> in_test(n, false);
  size_t rank = 0;
  for (auto& [label, rows] : groups) {
    Shuffle(rows, DeriveSeed(seed, rank));
    for (size_t j = 0; j < shares[rank].test; ++j) in_test[rows[j]] = true;
    ++rank;
  }
  return FromTestMask(in_test);
}

TrainTestSplit RandomSplit(size_t n, double test_fraction, uint64_t seed) {
  if (n < 2)
    Fail(ErrorCode::kInvalidArgument, "random split: {} rows; a split needs at least 2", n);
  if (!(test_fraction > 0 && test_fraction < 1)) {
    Fail(ErrorCode::kInvalidArgument, "random split: test fraction {} is not between 0 and 1",
         test_fraction);
  }
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  Rng rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  const size_t n_test = std::clamp<size_t>(
      static_cast<size_t>(std::round(test_fraction * static_cast<double>(n))), 1, n - 1);
  TrainTestSplit split;
  split.test.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n_test));
  split.train.assign(order.begin() + static_cast<std::ptrdiff_t>(n_test), order.end());
  std::sort(split.test.begin(), split.test.end());
  std::sort(split.train.begin(), split.train.end());
  return split;
}

TrainTestSplit TimeSplit(std::span<const double> keys, double test_fraction) {
  const size_t n = keys.size();
  const size_t n_test = TestCount("time split", n, test_fraction);
  for (size_t i = 0; i < n; ++i) {
    if (std::isnan(keys[i])) {
      Fail(ErrorCode::kInvalidData,
           "time split: the key of row {} is missing (NaN); drop or fill rows without a date", i);
    }
  }
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return keys[a] < keys[b]; });
  const double cut = keys[order[n - n_test]];
  std::vector<bool> in_test(n, false);
  size_t test_rows = 0;
  for (size_t i = 0; i < n; ++i) {
    if (keys[i] >= cut) {
      in_test[i] = true;
      ++test_rows;
    }
  }
  if (test_rows == n) {
    Fail(ErrorCode::kInvalidData,
         "time split: every row has a key at or after the cut {}, so nothing is left for training; "
         "the key column "
         "needs more distinct values, or use a stratified split",
         cut);
  }
  return FromTestMask(in_test);
}

TrainTestSplit TimeSplit(std::span<const int64_t> keys, double test_fraction) {
  // Dates and timestamps (µs since 1970 < 2^53) convert to double exactly.
  std::vector<double> as_double(keys.begin(), keys.end());
  return TimeSplit(std::span<const double>(as_double), test_fraction);
}

std::vector<TrainTestSplit> StratifiedKFold(std::span<const double> labels, size_t k,
                                            uint64_t seed) {
  const size_t n = labels.size();
  CheckFolds("stratified k-fold", n, k);
  auto groups = GroupByLabel("stratified k-fold", labels);
  std::vector<size_t> fold_of(n);
  size_t next = 0, rank = 0;
  for (auto& [label, rows] : groups) {
    Shuffle(rows, DeriveSeed(seed, rank++));
    for (size_t row : rows) {
      fold_of[row] = next;
      next = (next + 1) % k;
    }
  }
  std::vector<TrainTestSplit> folds(k);
  for (size_t i = 0; i < n; ++i) {
    for (size_t f = 0; f < k; ++f) (fold_of[i] == f ? folds[f].test : folds[f].train).push_back(i);
  }
  return folds;
}

std::vector<TrainTestSplit> KFold(size_t n, size_t k, uint64_t seed, bool shuffle) {
  CheckFolds("k-fold", n, k);
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  if (shuffle) Shuffle(order, DeriveSeed(seed, 0));
  std::vector<size_t> fold_of(n);
  const size_t base = n / k, extra = n % k;
  size_t pos = 0;
  for (size_t f = 0; f < k; ++f) {
    const size_t size = base + (f < extra ? 1 : 0);
    for (size_t j = 0; j < size; ++j) fold_of[order[pos++]] = f;
  }
  std::vector<TrainTestSplit> folds(k);
  for (size_t i = 0; i < n; ++i) {
    for (size_t f = 0; f < k; ++f) (fold_of[i] == f ? folds[f].test : folds[f].train).push_back(i);
  }
  return folds;
}

}  // namespace prospect
