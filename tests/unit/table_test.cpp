// Table, Column and ColumnBuilder behaviour.
#include "prospect/table/table.hpp"

#include <gtest/gtest.h>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "support/expect_error.hpp"

namespace prospect {
namespace {

TEST(ColumnBuilder, TracksNullsAndValues) {
  ColumnBuilder b(DataType::kInt64);
  b.AppendInt(5);
  b.AppendNull();
  b.AppendInt(-7);
  ColumnPtr c = b.Finish();
  ASSERT_EQ(c->size(), 3u);
  EXPECT_EQ(c->null_count(), 1u);
  EXPECT_FALSE(c->IsNull(0));
  EXPECT_TRUE(c->IsNull(1));
  EXPECT_EQ(c->ints()[2], -7);
  EXPECT_EQ(c->FormatValue(1), "");
  EXPECT_EQ(c->FormatValue(2), "-7");
}

TEST(ColumnBuilder, CategoricalDictionaryEncodes) {
  ColumnBuilder b(DataType::kCategorical);
  for (const char* s : {"red", "blue", "red"}) b.AppendString(s);
  b.AppendNull();
  ColumnPtr c = b.Finish();
  ASSERT_EQ(c->dictionary().size(), 2u);
  EXPECT_EQ(c->codes()[0], c->codes()[2]);
  EXPECT_EQ(c->codes()[3], -1);
  EXPECT_EQ(c->StringAt(1), "blue");
  EXPECT_TRUE(c->IsNull(3));
}

TEST(Column, DoubleFormattingRoundTripsAndStaysDouble) {
  ColumnPtr c = Column::FromDoubles({0.1, 1.0, -2.5e-10, 67258.13});
  EXPECT_EQ(c->FormatValue(0), "0.1");
  EXPECT_EQ(c->FormatValue(1), "1.0");
  EXPECT_EQ(std::stod(c->FormatValue(2)), -2.5e-10);
  EXPECT_EQ(c->FormatValue(3), "67258.13");
}

TEST(Column, DatesAndTimestampsFormatAsIso) {
  ColumnPtr d =
      Column::FromInts(DataType::kDate, {DaysFromCivil(2010, 12, 1), DaysFromCivil(1969, 12, 31)});
  EXPECT_EQ(d->FormatValue(0), "2010-12-01");
  EXPECT_EQ(d->FormatValue(1), "1969-12-31");
  ColumnPtr t = Column::FromInts(
      DataType::kTimestamp,
      {DaysFromCivil(2011, 12, 9) * kMicrosPerDay + (12 * 3600 + 50 * 60) * kMicrosPerSecond, -1});
  EXPECT_EQ(t->FormatValue(0), "2011-12-09 12:50:00");
  EXPECT_EQ(t->FormatValue(1), "1969-12-31 23:59:59.999999");
}

TEST(Table, ColumnLookupSuggestsCloseName) {
  Table t(Schema({{"customer_id", DataType::kInt64}}),
          {Column::FromInts(DataType::kInt64, {1, 2})});
  ExpectError([&] { (void)t.column("custome_id"); }, ErrorCode::kNotFound,
              "no column \"custome_id\". Did you mean \"customer_id\"? Columns: customer_id.");
}

TEST(Table, TakeAndConcatKeepValuesAndNulls) {
  ColumnBuilder s(DataType::kString);
  s.AppendString("a");
  s.AppendNull();
  s.AppendString("c");
  Table t(Schema({{"x", DataType::kInt64}, {"s", DataType::kString}}),
          {Column::FromInts(DataType::kInt64, {1, 2, 3}), s.Finish()});
  const std::vector<size_t> rows = {2, 1};
  Table taken = t.Take(rows);
  EXPECT_EQ(taken.column("x").ints()[0], 3);
  EXPECT_TRUE(taken.column("s").IsNull(1));
  Table both = ConcatTables({t, taken});
  EXPECT_EQ(both.num_rows(), 5u);
  EXPECT_EQ(both.column("s").StringAt(3), "c");
  EXPECT_TRUE(both.column("s").IsNull(4));
}

TEST(Schema, RejectsDuplicateNames) {
  EXPECT_THROW(Schema({{"a", DataType::kInt64}, {"a", DataType::kDouble}}), Error);
}

TEST(Table, LookupJoinAddsTheMatchingRowsColumnsAndNullsWhereNoneMatches) {
  ColumnVector<uint8_t> id_valid{1, 1, 1, 0};
  const Table left(Schema({{"customer_id", DataType::kInt64}, {"response", DataType::kInt64}}),
                   {Column::FromInts(DataType::kInt64, {1, 2, 3, 0}, std::move(id_valid)),
                    Column::FromInts(DataType::kInt64, {0, 1, 1, 0})});
  const Table right(Schema({{"id", DataType::kString},
                            {"age", DataType::kDouble},
                            {"device", DataType::kCategorical},
                            {"response", DataType::kDouble}}),
                    {Column::FromStringVector({"3", "1"}), Column::FromDoubles({40.5, 22}),
                     Column::FromCategorical({0, -1}, {"mobile"}), Column::FromDoubles({9, 9})});
  const Table joined = LookupJoin(left, "customer_id", right, "id");
  // The key and a name the left side has already are not added.
  ASSERT_EQ(joined.schema().ToJson().dump(),
            R"([{"name":"customer_id","type":"int64"},{"name":"response","type":"int64"},)"
            R"({"name":"age","type":"double"},{"name":"device","type":"categorical"}])");
  const Column &age = joined.column("age"), &device = joined.column("device");
  EXPECT_EQ(age.FormatValue(0), "22.0");
  EXPECT_TRUE(age.IsNull(1));  // no customer 2 on the right
  EXPECT_EQ(age.FormatValue(2), "40.5");
  EXPECT_TRUE(age.IsNull(3));     // a null key matches nothing
  EXPECT_TRUE(device.IsNull(0));  // customer 1's device is null on the right
  EXPECT_EQ(device.FormatValue(2), "mobile");
  EXPECT_EQ(joined.column("response").FormatValue(1), "1");

  const Table twice(Schema({{"id", DataType::kString}}), {Column::FromStringVector({"1", "1"})});
  ExpectError([&] { (void)LookupJoin(left, "customer_id", twice, "id"); }, ErrorCode::kInvalidData,
              "id \"1\" appears more than once; a lookup needs one row per id");
}

}  // namespace
}  // namespace prospect
