// The transaction summary on a log small enough to work out by hand.
#include "prospect/clv/summary.hpp"

#include <gtest/gtest.h>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "support/expect_error.hpp"

namespace prospect::clv {
namespace {

int64_t Day2024(int month, int day) { return DaysFromCivil(2024, month, day); }

// A: two purchases on Jan 1 (10 + 5), Jan 8 (20), Jan 22 (30), Feb 5 (40, after the calibration
//    end); B: Jan 15 (7) only; C: Feb 10 only (after the calibration end); a row without an id.
Table TransactionLog(DataType date_type) {
  const std::vector<std::string> who = {"A", "A", "A", "A", "A", "B", "C", ""};
  const std::vector<int64_t> days = {Day2024(1, 1), Day2024(1, 1),  Day2024(1, 8),  Day2024(1, 22),
                                     Day2024(2, 5), Day2024(1, 15), Day2024(2, 10), Day2024(1, 3)};
  ColumnVector<int64_t> when;
  for (int64_t d : days) when.push_back(date_type == DataType::kDate ? d : d * kMicrosPerDay + 5);
  ColumnVector<uint8_t> id_valid = {1, 1, 1, 1, 1, 1, 1, 0};
  return Table(
      Schema(
          {{"customer_id", DataType::kString}, {"day", date_type}, {"amount", DataType::kDouble}}),
      {Column::FromStringVector(who, id_valid), Column::FromInts(date_type, std::move(when)),
       Column::FromDoubles({10, 5, 20, 30, 40, 7, 3, 1})});
}

TEST(ClvSummary, CountsRepeatPurchaseDaysAndSplitsOffTheHoldout) {
  for (const DataType type : {DataType::kDate, DataType::kTimestamp}) {
    SummaryRequest r;
    r.date_column = "day";
    r.value_column = "amount";
    r.calibration_end = Day2024(1, 31);
    const CustomerSummary s = Summarise(TransactionLog(type), r, Context(1));
    ASSERT_EQ(s.ids, (std::vector<std::string>{"A", "B"}));  // C bought after the end
    EXPECT_EQ(s.skipped_rows, 1u);
    EXPECT_EQ(s.transactions, 7u);
    // A: first purchase Jan 1; repeat days Jan 8 and Jan 22 (x = 2, t_x = 21 days); T = 30 days;
    // monetary = (20 + 30) / 2; Feb 5 is in the holdout (which ends on the last day, Feb 10).
    EXPECT_EQ(s.frequency[0], 2);
    EXPECT_DOUBLE_EQ(s.recency[0], 3);
    EXPECT_DOUBLE_EQ(s.age[0], 30.0 / 7);
    EXPECT_DOUBLE_EQ(s.monetary[0], 25);
    EXPECT_EQ(s.holdout_purchases[0], 1);
    EXPECT_EQ(s.holdout_value[0], 40);
    // B: one purchase, no repeat: x = 0, t_x = 0, T = 16 days, monetary 0.
    EXPECT_EQ(s.frequency[1], 0);
    EXPECT_EQ(s.recency[1], 0);
    EXPECT_DOUBLE_EQ(s.age[1], 16.0 / 7);
    EXPECT_EQ(s.monetary[1], 0);
    EXPECT_EQ(s.observation_end, Day2024(2, 10));
    EXPECT_DOUBLE_EQ(s.holdout_length, 10.0 / 7);
  }
}

TEST(ClvSummary, ExactTimesCountEveryTransactionAtItsTimestamp) {
  // The log above at 06:00 plus one hour per row (A's rows at 06:00, 07:00, 08:00, 09:00, ...):
  // A's second purchase on Jan 1 is a repeat purchase one hour after the first.
  Table log = TransactionLog(DataType::kTimestamp);
  ColumnVector<int64_t> when;
  const Column& day = log.column("day");
  for (size_t r = 0; r < log.num_rows(); ++r) {
    when.push_back(DayOfTimestamp(day.ints()[r]) * kMicrosPerDay +
                   (6 + static_cast<int64_t>(r)) * 3600 * kMicrosPerSecond);
  }
  log = log.WithColumn("day", Column::FromInts(DataType::kTimestamp, std::move(when)));
  SummaryRequest r;
  r.date_column = "day";
  r.value_column = "amount";
  r.unit = TimeUnit::kDay;
  r.calibration_end = Day2024(1, 31);
  r.exact_times = true;
  const CustomerSummary s = Summarise(log, r, Context(1));
  ASSERT_EQ(s.ids, (std::vector<std::string>{"A", "B"}));
  // A: first at Jan 1 06:00; repeats Jan 1 07:00 (5), Jan 8 08:00 (20), Jan 22 09:00 (30):
  // x = 3, t_x = 21 days + 3 hours, T = to the end of Jan 31 = 31 days − 6 hours.
  EXPECT_EQ(s.frequency[0], 3);
  EXPECT_DOUBLE_EQ(s.recency[0], 21 + 3.0 / 24);
  EXPECT_DOUBLE_EQ(s.age[0], 31 - 6.0 / 24);
  EXPECT_DOUBLE_EQ(s.monetary[0], (5 + 20 + 30) / 3.0);
  EXPECT_EQ(s.holdout_purchases[0], 1);
  // B: Jan 15 at 11:00 (row 5), no repeat: T = 17 days − 11 hours.
  EXPECT_EQ(s.frequency[1], 0);
  EXPECT_DOUBLE_EQ(s.age[1], 17 - 11.0 / 24);
  // A date column cannot give times.
  ExpectError([&] { (void)Summarise(TransactionLog(DataType::kDate), r, Context(1)); },
              ErrorCode::kInvalidArgument,
              "clv: exact times need a timestamp column; day is a date (one purchase per day is "
              "all it can tell)");
}

TEST(ClvSummary, DaysAndGroupsOfIdenticalHistories) {
  SummaryRequest r;
  r.date_column = "day";
  r.unit = TimeUnit::kDay;
  const CustomerSummary s = Summarise(TransactionLog(DataType::kDate), r, Context(1));
  ASSERT_EQ(s.size(), 3u);  // no calibration end: everything is calibration
  EXPECT_EQ(s.frequency[0], 3);
  EXPECT_EQ(s.recency[0], 35);
  EXPECT_EQ(s.age[0], 40);
  EXPECT_EQ(s.monetary[0], 0);  // no value column
  const GroupedHistories g = GroupHistories(s);
  EXPECT_EQ(g.customers, 3);
  EXPECT_EQ(g.count.size(), 3u);
}

TEST(ClvSummary, BadRequestsNameTheColumnAndWhatWasExpected) {
  SummaryRequest r;
  r.date_column = "amount";
  ExpectError([&] { (void)Summarise(TransactionLog(DataType::kDate), r, Context(1)); },
              ErrorCode::kInvalidArgument,
              "clv: date column amount is double: expected a date or timestamp");
  r.date_column = "day";
  r.value_column = "customer_id";
  ExpectError([&] { (void)Summarise(TransactionLog(DataType::kDate), r, Context(1)); },
              ErrorCode::kInvalidArgument,
              "clv: value column customer_id is string: expected a number");
  r.value_column.clear();
  r.calibration_end = Day2024(1, 1) - 1;
  ExpectError([&] { (void)Summarise(TransactionLog(DataType::kDate), r, Context(1)); },
              ErrorCode::kInvalidData,
              "clv: no customer bought on or before the calibration end 2023-12-31 (the first "
              "transaction is on 2024-01-01)");
  ExpectError([] { (void)ParseTimeUnit("fortnight"); }, ErrorCode::kInvalidArgument,
              "Unknown time unit \"fortnight\". Valid time units: day, week, month, year.");
}

}  // namespace
}  // namespace prospect::clv
