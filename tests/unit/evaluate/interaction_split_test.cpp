// Interaction-table splits: tiny tables whose splits are worked out by hand in the comments, the
// time-fraction cutoff, leave-last-out ties, the seeded per-user split's determinism and its
// independence from other users, and the errors word for word.
#include "prospect/evaluate/interaction_split.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>

#include "prospect/common/datetime.hpp"
#include "prospect/common/rng.hpp"
#include "support/expect_error.hpp"

namespace prospect {
namespace {

using RowList = std::vector<size_t>;

// Six events. Row: user, item, t (int64), day (date, January 2024), at (timestamp: that day's
// midnight).
//   0: a, 100, t 10, 2024-01-10
//   1: b, 101, t  5, 2024-01-05
//   2: a, 102, t 30, 2024-01-30
//   3: c, 103, t 20, 2024-01-20
//   4: b, 104, t  5, 2024-01-05   (ties with row 1, the same user)
//   5: a, 105, t 20, 2024-01-20
Table SixEvents() {
  const std::vector<int64_t> t = {10, 5, 30, 20, 5, 20};
  ColumnVector<int64_t> ticks(t.begin(), t.end()), days, micros;
  for (int64_t d : t) {
    days.push_back(DaysFromCivil(2024, 1, static_cast<int>(d)));
    micros.push_back(days.back() * kMicrosPerDay);
  }
  return Table(Schema({{"user", DataType::kString},
                       {"item", DataType::kInt64},
                       {"t", DataType::kInt64},
                       {"day", DataType::kDate},
                       {"at", DataType::kTimestamp}}),
               {Column::FromStringVector({"a", "b", "a", "c", "b", "a"}),
                Column::FromInts(DataType::kInt64, {100, 101, 102, 103, 104, 105}),
                Column::FromInts(DataType::kInt64, std::move(ticks)),
                Column::FromInts(DataType::kDate, std::move(days)),
                Column::FromInts(DataType::kTimestamp, std::move(micros))});
}

int64_t Micros(const char* text) {
  int64_t micros = 0;
  EXPECT_TRUE(ParseIsoTimestamp(text, &micros)) << text;
  return micros;
}

TEST(InteractionSplitTime, RowsBeforeTheCutoffTrainTheOthersTest) {
  // t < 20: rows 0 (10), 1 (5), 4 (5); t >= 20: rows 2 (30), 3 (20), 5 (20).
  const InteractionSplit s = SplitByTime(SixEvents(), "t", 20);
  EXPECT_EQ(s.train_rows, (RowList{0, 1, 4}));
  EXPECT_EQ(s.test_rows, (RowList{2, 3, 5}));
  EXPECT_EQ(s.method, "time");
  EXPECT_EQ(s.summary, (nlohmann::json{{"method", "time"},
                                       {"time_column", "t"},
                                       {"cutoff", 20},
                                       {"train_rows", 3},
                                       {"test_rows", 3}}));
}

TEST(InteractionSplitTime, TimestampAndDateColumnsCompareWithATimestampCutoff) {
  const InteractionSplit at = SplitByTime(SixEvents(), "at", Micros("2024-01-20 00:00:00"));
  EXPECT_EQ(at.train_rows, (RowList{0, 1, 4}));
  EXPECT_EQ(at.test_rows, (RowList{2, 3, 5}));
  EXPECT_EQ(at.summary["cutoff_time"], "2024-01-20 00:00:00");
  // A date is its midnight: 2024-01-20 is after noon on the 19th, so rows 3 and 5 test; were days
  // compared with microseconds unconverted, every row would train.
  const InteractionSplit day = SplitByTime(SixEvents(), "day", Micros("2024-01-19 12:00:00"));
  EXPECT_EQ(day.train_rows, (RowList{0, 1, 4}));
  EXPECT_EQ(day.test_rows, (RowList{2, 3, 5}));
  EXPECT_EQ(day.summary["cutoff_time"], "2024-01-19 12:00:00");
}

TEST(InteractionSplitTime, ACutoffThatEmptiesASideIsRefusedWithTheTimeRange) {
  ExpectError([] { (void)SplitByTime(SixEvents(), "t", 5); }, ErrorCode::kInvalidArgument,
              "time split: the cutoff 5 leaves nothing for training: the times of column t run "
              "from 5 to 30; choose a cutoff after the earliest and no later than the latest");
  ExpectError([] { (void)SplitByTime(SixEvents(), "at", Micros("2024-02-01 00:00:00")); },
              ErrorCode::kInvalidArgument,
              "time split: the cutoff 2024-02-01 00:00:00 leaves nothing for testing: the times "
              "of column at run from 2024-01-05 00:00:00 to 2024-01-30 00:00:00; choose a cutoff "
              "after the earliest and no later than the latest");
  ExpectError([] { (void)SplitByTime(SixEvents(), "user", 5); }, ErrorCode::kInvalidArgument,
              "time split: column user is string; the time column must be a timestamp, date or "
              "int64 column");
  ExpectError([] { (void)SplitByTime(SixEvents(), "ts", 5); }, ErrorCode::kNotFound,
              "time split: no column \"ts\". Did you mean \"t\"? Columns: user, item, t, day, "
              "at.");
}

TEST(InteractionSplitTime, FractionCutsAtTheOrderStatistic) {
  // Sorted times 5, 5, 10, 20, 20, 30 (n = 6); the cutoff is t_m, m = ⌊f · 6⌋.
  //  f 0.5: m 3, cutoff 20 → train rows 0, 1, 4 (t 10, 5, 5)
  //  f 0.7: m 4 (4.2), cutoff 20 again: the tied 20s all go to test, train stays at 3 rows
  //  f 0.9: m 5 (5.4), cutoff 30 → only row 2 tests
  for (const double f : {0.5, 0.7}) {
    const InteractionSplit s = SplitByTimeFraction(SixEvents(), "t", f);
    EXPECT_EQ(s.train_rows, (RowList{0, 1, 4})) << f;
    EXPECT_EQ(s.test_rows, (RowList{2, 3, 5})) << f;
    EXPECT_EQ(s.summary["cutoff"], 20) << f;
    EXPECT_EQ(s.summary["train_fraction"], f) << f;
  }
  const InteractionSplit late = SplitByTimeFraction(SixEvents(), "day", 0.9);
  EXPECT_EQ(late.train_rows, (RowList{0, 1, 3, 4, 5}));
  EXPECT_EQ(late.test_rows, (RowList{2}));
  EXPECT_EQ(late.summary["cutoff_time"], "2024-01-30 00:00:00");
}

TEST(InteractionSplitTime, FractionErrors) {
  ExpectError([] { (void)SplitByTimeFraction(SixEvents(), "t", 1.0); }, ErrorCode::kInvalidArgument,
              "time split: the train fraction must lie strictly between 0 and 1, got 1");
  // ⌊0.1 · 6⌋ = 0 rows would train.
  ExpectError([] { (void)SplitByTimeFraction(SixEvents(), "t", 0.1); }, ErrorCode::kInvalidArgument,
              "time split: a train fraction of 0.1 of 6 rows puts no row in training; give a "
              "larger fraction or more rows");
  // ⌊0.2 · 6⌋ = 1: the cutoff is t_1 = 5, the earliest time, so no row is before it.
  ExpectError([] { (void)SplitByTimeFraction(SixEvents(), "t", 0.2); }, ErrorCode::kInvalidData,
              "time split: the cutoff for a train fraction of 0.2 is 5, and no row of column t is "
              "earlier, so nothing is left for training; the column needs more distinct times");
  const Table empty(Schema({{"t", DataType::kInt64}}), {Column::FromInts(DataType::kInt64, {})});
  ExpectError([&] { (void)SplitByTimeFraction(empty, "t", 0.5); }, ErrorCode::kInvalidData,
              "time split: the table has no rows to split");
  const Table gap(Schema({{"t", DataType::kInt64}}),
                  {Column::FromInts(DataType::kInt64, {1, 2, 3}, {1, 0, 1})});
  ExpectError([&] { (void)SplitByTimeFraction(gap, "t", 0.5); }, ErrorCode::kInvalidData,
              "time split: column t is empty at row 2; drop or fill rows without a time");
}

TEST(InteractionSplitLeaveLastOut, LatestRowPerUserTestsAndTiesGoToTheLaterRow) {
  // a: rows 0 (10), 2 (30), 5 (20) → row 2. b: rows 1 (5), 4 (5) tie → the later row, 4.
  // c: row 3 only → stays in train.
  const InteractionSplit s = SplitLeaveLastOut(SixEvents(), "user", "t");
  EXPECT_EQ(s.train_rows, (RowList{0, 1, 3, 5}));
  EXPECT_EQ(s.test_rows, (RowList{2, 4}));
  EXPECT_EQ(s.method, "leave_last_out");
  EXPECT_EQ(s.summary, (nlohmann::json{{"method", "leave_last_out"},
                                       {"user_column", "user"},
                                       {"time_column", "t"},
                                       {"users", 3},
                                       {"users_in_test", 2},
                                       {"train_rows", 4},
                                       {"test_rows", 2}}));
  // Any user column type: the items as users make every user a one-row user...
  ExpectError([] { (void)SplitLeaveLastOut(SixEvents(), "item", "day"); }, ErrorCode::kInvalidData,
              "leave-last-out split: each of the 6 users in column item has a single row, so "
              "nothing can be held out; a user needs at least two rows to appear in test");
  // ... and the times as users group rows 1 and 4 (t 5) and rows 3 and 5 (t 20); by date the
  // later row of each tie tests.
  const InteractionSplit by_t = SplitLeaveLastOut(SixEvents(), "t", "day");
  EXPECT_EQ(by_t.test_rows, (RowList{4, 5}));
}

TEST(InteractionSplitLeaveLastOut, NullsAndMissingColumnsNameTheColumn) {
  const Table gaps(Schema({{"user", DataType::kString}, {"t", DataType::kInt64}}),
                   {Column::FromStringVector({"a", "a", "b"}, {1, 1, 0}),
                    Column::FromInts(DataType::kInt64, {1, 2, 3})});
  ExpectError([&] { (void)SplitLeaveLastOut(gaps, "user", "t"); }, ErrorCode::kInvalidData,
              "leave-last-out split: column user is empty at row 3; drop or fill rows without a "
              "user");
  ExpectError([&] { (void)SplitLeaveLastOut(gaps, "usr", "t"); }, ErrorCode::kNotFound,
              "leave-last-out split: no column \"usr\". Did you mean \"user\"? Columns: user, t.");
}

// 40 users u0 … u39; user u has 1 + u % 12 rows, interleaved (row r belongs to the r-th user
// still in need of a row, round-robin), item = a number unique to the (user, row) pair.
Table ManyUsers(const std::vector<size_t>& skip_users = {}) {
  std::vector<std::string> user;
  ColumnVector<int64_t> item;
  for (size_t round = 0; round < 12; ++round) {
    for (size_t u = 0; u < 40; ++u) {
      if (round >= 1 + u % 12) continue;
      if (std::find(skip_users.begin(), skip_users.end(), u) != skip_users.end()) continue;
      user.push_back(fmt::format("u{}", u));
      item.push_back(static_cast<int64_t>(u * 100 + round));
    }
  }
  return Table(Schema({{"user", DataType::kString}, {"item", DataType::kInt64}}),
               {Column::FromStringVector(user), Column::FromInts(DataType::kInt64, item)});
}

// Test items per user, the rows named by their item so they can be compared across tables.
std::map<std::string, std::vector<int64_t>> TestItemsByUser(const Table& t,
                                                            const InteractionSplit& s) {
  std::map<std::string, std::vector<int64_t>> out;
  for (size_t r : s.test_rows) {
    out[std::string(t.column("user").StringAt(r))].push_back(t.column("item").ints()[r]);
  }
  return out;
}

TEST(InteractionSplitRandom, EachUserGetsTheFloorOfTheFractionAtLeastOne) {
  // test_fraction 0.25: ⌊0.25 · n⌋ clamped to [1, n − 1] for n ≥ 2, none for n = 1:
  //   n 1 → 0, 2 → 1, 3 → 1, 4 → 1, 7 → 1, 8 → 2, 11 → 2, 12 → 3.
  const Table t = ManyUsers();
  const InteractionSplit s = SplitRandomPerUser(t, "user", 0.25, 42);
  const auto test_items = TestItemsByUser(t, s);
  const std::map<size_t, size_t> expected = {{1, 0}, {2, 1}, {3, 1},  {4, 1},
                                             {7, 1}, {8, 2}, {11, 2}, {12, 3}};
  for (const auto& [n_rows, n_test] : expected) {
    const std::string user = fmt::format("u{}", n_rows - 1);  // u has 1 + u % 12 rows
    const auto it = test_items.find(user);
    EXPECT_EQ(it == test_items.end() ? 0 : it->second.size(), n_test) << user;
  }
  // 40 users, rows per user 1 + u % 12: users 0, 12, 24, 36 have one row and stay in train.
  EXPECT_EQ(s.summary["users"], 40);
  EXPECT_EQ(s.summary["users_in_test"], 36);
  EXPECT_EQ(s.summary["seed"], 42);
  EXPECT_EQ(s.train_rows.size() + s.test_rows.size(), t.num_rows());
  EXPECT_TRUE(std::is_sorted(s.test_rows.begin(), s.test_rows.end()));
  EXPECT_TRUE(std::is_sorted(s.train_rows.begin(), s.train_rows.end()));
}

TEST(InteractionSplitRandom, SameSeedSameRowsOtherSeedOtherRows) {
  const Table t = ManyUsers();
  const InteractionSplit a = SplitRandomPerUser(t, "user", 0.3, 7);
  EXPECT_EQ(SplitRandomPerUser(t, "user", 0.3, 7).test_rows, a.test_rows);
  const InteractionSplit b = SplitRandomPerUser(t, "user", 0.3, 8);
  EXPECT_NE(b.test_rows, a.test_rows);
  EXPECT_EQ(b.test_rows.size(), a.test_rows.size());  // the counts depend on the fraction only
}

TEST(InteractionSplitRandom, AUsersRowsDoNotDependOnOtherUsers) {
  // Dropping ten other users moves every row number, but each remaining user's test items stay.
  const Table all = ManyUsers();
  const Table fewer = ManyUsers({3, 5, 8, 13, 21, 22, 30, 31, 34, 39});
  auto expected = TestItemsByUser(all, SplitRandomPerUser(all, "user", 0.4, 99));
  for (const char* gone : {"u3", "u5", "u8", "u13", "u21", "u22", "u30", "u31", "u34", "u39"}) {
    expected.erase(gone);
  }
  EXPECT_EQ(TestItemsByUser(fewer, SplitRandomPerUser(fewer, "user", 0.4, 99)), expected);
}

TEST(InteractionSplitRandom, FollowsTheDocumentedShuffle) {
  // The documented algorithm written out for user "a" of SixEvents (rows 0, 2, 5; test fraction
  // 0.5 → ⌊1.5⌋ = 1 test row): one draw of Rng(DeriveSeed(seed, FNV-1a("a"))) picks position
  // r mod 3 of [0, 2, 5]. FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c (the published test vector).
  const uint64_t seed = 2024;
  Rng rng(DeriveSeed(seed, 0xaf63dc4c8601ec8cULL));
  const RowList rows_of_a = {0, 2, 5};
  const size_t expected_a = rows_of_a[rng() % 3];
  // b: rows 1, 4 → 1 test row from Rng(DeriveSeed(seed, FNV-1a("b") = 0xaf63df4c8601f1a5)).
  Rng rng_b(DeriveSeed(seed, 0xaf63df4c8601f1a5ULL));
  const RowList rows_of_b = {1, 4};
  const size_t expected_b = rows_of_b[rng_b() % 2];
  RowList expected = {expected_a, expected_b};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(SplitRandomPerUser(SixEvents(), "user", 0.5, seed).test_rows, expected);
}

TEST(InteractionSplitRandom, FractionAndDataErrors) {
  ExpectError([] { (void)SplitRandomPerUser(SixEvents(), "user", 0.0, 1); },
              ErrorCode::kInvalidArgument,
              "random per-user split: the test fraction must lie strictly between 0 and 1, got 0");
  ExpectError([] { (void)SplitRandomPerUser(SixEvents(), "item", 0.5, 1); },
              ErrorCode::kInvalidData,
              "random per-user split: each of the 6 users in column item has a single row, so "
              "nothing can be held out; a user needs at least two rows to appear in test");
}

}  // namespace
}  // namespace prospect
