// Splits and folds: determinism for a seed, exact class proportions, time order, fold balance.
#include "prospect/evaluate/split.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "prospect/common/error.hpp"
#include "support/expect_error.hpp"

namespace prospect {
namespace {

std::vector<double> Labels(size_t n, size_t positives_every) {
  std::vector<double> y(n);
  for (size_t i = 0; i < n; ++i) y[i] = i % positives_every == 0 ? 1.0 : 0.0;
  return y;
}

void ExpectPartition(const TrainTestSplit& s, size_t n) {
  std::vector<size_t> all(s.train);
  all.insert(all.end(), s.test.begin(), s.test.end());
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), n);
  for (size_t i = 0; i < n; ++i) EXPECT_EQ(all[i], i);
  EXPECT_TRUE(std::is_sorted(s.train.begin(), s.train.end()));
  EXPECT_TRUE(std::is_sorted(s.test.begin(), s.test.end()));
}

TEST(StratifiedSplit, KeepsExactClassCountsAndIsSeedDeterministic) {
  const auto y = Labels(1003, 7);  // 144 positives, 859 negatives
  const auto a = StratifiedSplit(y, 0.25, 11);
  ExpectPartition(a, y.size());
  EXPECT_EQ(a.test.size(), 251u);  // ceil(0.25 · 1003)
  size_t pos = 0;
  for (size_t i : a.test) pos += y[i] == 1.0;
  // 144 · 251 / 1003 = 36.04 → 36 positives; negatives 859 · 251 / 1003 = 214.96 → 215.
  EXPECT_EQ(pos, 36u);
  const auto b = StratifiedSplit(y, 0.25, 11);
  EXPECT_EQ(a.test, b.test);
  const auto c = StratifiedSplit(y, 0.25, 12);
  EXPECT_NE(a.test, c.test);
}

TEST(StratifiedSplit, EveryClassShareWithinOneRowForManyShapes) {
  for (size_t n : {10u, 37u, 200u, 999u}) {
    for (size_t every : {2u, 3u, 10u}) {
      for (double f : {0.1, 0.2, 0.33, 0.5}) {
        const auto y = Labels(n, every);
        const auto s = StratifiedSplit(y, f, 5);
        ExpectPartition(s, n);
        double pos_all = 0, pos_test = 0;
        for (double v : y) pos_all += v;
        for (size_t i : s.test) pos_test += y[i];
        EXPECT_LT(std::abs(pos_test -
                           pos_all * static_cast<double>(s.test.size()) / static_cast<double>(n)),
                  1.0)
            << n << " " << every << " " << f;
      }
    }
  }
}

TEST(StratifiedSplit, RejectsFractionsThatLeaveASideEmpty) {
  const auto y = Labels(10, 2);
  EXPECT_THROW(StratifiedSplit(y, 0.0, 1), Error);
  EXPECT_THROW(StratifiedSplit(y, 1.0, 1), Error);
  EXPECT_THROW(StratifiedSplit(y, 0.99, 1), Error);  // ceil(9.9) = 10 test rows, no training rows
  EXPECT_THROW(StratifiedSplit(std::vector<double>{0, NAN, 1}, 0.3, 1), Error);
}

TEST(TimeSplit, PutsTheLatestKeysInTestAndNeverSplitsAKey) {
  // Keys out of order with a tie at the cut: days 0..9 with day 7 twice.
  const std::vector<int64_t> keys = {5, 9, 0, 7, 3, 7, 1, 8, 2, 4, 6};
  const auto s = TimeSplit(keys, 0.3);  // ceil(3.3) = 4 rows: 9, 8, 7, 7
  ExpectPartition(s, keys.size());
  std::set<int64_t> test_keys;
  for (size_t i : s.test) test_keys.insert(keys[i]);
  EXPECT_EQ(test_keys, (std::set<int64_t>{7, 8, 9}));
  EXPECT_EQ(s.test.size(), 4u);
  const auto t = TimeSplit(keys, 0.25);  // ceil(2.75) = 3 rows: 9, 8, 7 → both 7s go to test
  EXPECT_EQ(t.test.size(), 4u);
  for (size_t i : t.train) EXPECT_LT(keys[i], 7);
}

TEST(TimeSplit, ErrorsWhenAllKeysAreEqualOrMissing) {
  EXPECT_THROW(TimeSplit(std::vector<double>{3, 3, 3, 3}, 0.25), Error);
  ExpectError(
      [&] {
        (void)TimeSplit(std::vector<double>{1, NAN, 2}, 0.5);
      },
      ErrorCode::kInvalidData,
      "time split: the key of row 1 is missing (NaN); drop or fill rows without a date");
}

TEST(StratifiedKFold, EachFoldsClassCountIsWithinOneOfProportional) {
  for (size_t n : {50u, 101u, 1000u}) {
    for (size_t k : {2u, 3u, 5u, 10u}) {
      std::vector<double> y(n);
      for (size_t i = 0; i < n; ++i)
        y[i] = static_cast<double>(i % 7 == 0) + static_cast<double>(i % 11 == 0);
      const auto folds = StratifiedKFold(y, k, 3);
      ASSERT_EQ(folds.size(), k);
      std::vector<size_t> seen(n, 0);
      size_t min_size = n, max_size = 0;
      for (const auto& f : folds) {
        ExpectPartition(f, n);
        for (size_t i : f.test) ++seen[i];
        min_size = std::min(min_size, f.test.size());
        max_size = std::max(max_size, f.test.size());
        for (double label : {0.0, 1.0, 2.0}) {
          const double total = static_cast<double>(std::count(y.begin(), y.end(), label));
          double in_fold = 0;
          for (size_t i : f.test) in_fold += y[i] == label;
          EXPECT_LE(std::abs(in_fold - total / static_cast<double>(k)), 1.0)
              << n << " " << k << " " << label;
        }
      }
      EXPECT_LE(max_size - min_size, 1u);
      for (size_t c : seen) EXPECT_EQ(c, 1u);  // every row is tested exactly once
    }
  }
}

TEST(StratifiedKFold, SameSeedSameFoldsDifferentSeedDifferentFolds) {
  const auto y = Labels(200, 4);
  EXPECT_EQ(StratifiedKFold(y, 5, 9)[2].test, StratifiedKFold(y, 5, 9)[2].test);
  EXPECT_NE(StratifiedKFold(y, 5, 9)[2].test, StratifiedKFold(y, 5, 10)[2].test);
  EXPECT_THROW(StratifiedKFold(y, 1, 9), Error);
  EXPECT_THROW(StratifiedKFold(y, 201, 9), Error);
}

TEST(KFold, ContiguousFoldsLikeArraySplitWithoutShuffle) {
  const auto folds = KFold(11, 3, 0, false);
  EXPECT_EQ(folds[0].test, (std::vector<size_t>{0, 1, 2, 3}));
  EXPECT_EQ(folds[1].test, (std::vector<size_t>{4, 5, 6, 7}));
  EXPECT_EQ(folds[2].test, (std::vector<size_t>{8, 9, 10}));
  const auto shuffled = KFold(11, 3, 4, true);
  for (const auto& f : shuffled) ExpectPartition(f, 11);
  EXPECT_EQ(shuffled[0].test.size(), 4u);
  EXPECT_NE(shuffled[0].test, folds[0].test);
}

}  // namespace
}  // namespace prospect
