// Profile features on a small fixture whose expected values were computed by hand (dates worked
// out on a calendar; see the comments), including the as-of cut, refunds, one-order and
// no-activity customers, window edges and a plain transaction log.
#include "prospect/features/profile.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/features/labels.hpp"
#include "prospect/store/store.hpp"
#include "support/expect_error.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

int64_t At(int y, int m, int d, int h = 0, int mi = 0) {
  return DaysFromCivil(y, m, d) * kMicrosPerDay + (h * 3600 + mi * 60) * kMicrosPerSecond;
}
int64_t Day(int y, int m, int d) { return DaysFromCivil(y, m, d); }

ProfileInputs HandComputedInputs() {
  ProfileInputs in;
  ColumnBuilder region(DataType::kCategorical);
  for (const char* r : {"north", "south", "north", "east"}) region.AppendString(r);
  in.customers = Table(Schema({{"customer_id", DataType::kInt64},
                               {"signup_date", DataType::kDate},
                               {"region", DataType::kCategorical}}),
                       {Column::FromInts(DataType::kInt64, {1, 2, 3, 4}),
                        Column::FromInts(DataType::kDate, {Day(2023, 1, 1), Day(2023, 6, 15),
                                                           Day(2024, 1, 10), Day(2024, 3, 5)}),
                        region.Finish()});
  in.orders = Table(Schema({{"order_id", DataType::kString},
                            {"customer_id", DataType::kInt64},
                            {"order_date", DataType::kTimestamp},
                            {"total", DataType::kDouble}}),
                    {Column::FromStringVector({"o1", "o2", "o3", "o4", "o5", "o6", "o7"}),
                     Column::FromInts(DataType::kInt64, {1, 1, 1, 1, 2, 1, 2}),
                     Column::FromInts(DataType::kTimestamp,
                                      {At(2023, 12, 1, 10), At(2024, 1, 1, 10), At(2024, 2, 20, 10),
                                       At(2024, 2, 25, 12), At(2024, 2, 29, 12), At(2024, 3, 1),
                                       At(2024, 3, 10)}),
                     Column::FromDoubles({100, 50, 30, -30, 80, 999, 500})});
  ColumnBuilder type(DataType::kCategorical);
  for (const char* t : {"view", "cart", "view", "view", "view", "purchase", "view"})
    type.AppendString(t);
  in.events =
      Table(Schema({{"customer_id", DataType::kInt64},
                    {"timestamp", DataType::kTimestamp},
                    {"type", DataType::kCategorical},
                    {"item_id", DataType::kInt64},
                    {"value", DataType::kDouble}}),
            {Column::FromInts(DataType::kInt64, {1, 1, 1, 1, 2, 2, 5}),
             Column::FromInts(DataType::kTimestamp,
                              {At(2024, 2, 28, 9), At(2024, 2, 28, 9, 5), At(2024, 1, 15),
                               At(2024, 3, 1), At(2024, 2, 1), At(2023, 12, 20), At(2024, 2, 1)}),
             type.Finish(), Column::FromInts(DataType::kInt64, {10, 10, 11, 12, 10, 13, 10}),
             Column::FromDoubles({0, 25, 0, 0, 0, 80, 0})});
  in.items = Table(Schema({{"item_id", DataType::kInt64}, {"category", DataType::kString}}),
                   {Column::FromInts(DataType::kInt64, {10, 11, 12, 13}),
                    Column::FromStringVector({"A", "A", "C", "B"})});
  return in;
}

double Get(const Table& t, const std::string& column, size_t row) {
  return t.column(column).NumericAt(row);
}

class ProfileFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    Context ctx(1);
    profile_ =
        BuildProfiles(HandComputedInputs(), ProfileConfig(), At(2024, 3, 1), ctx, &warnings_);
  }
  Table profile_;
  std::vector<std::string> warnings_;
};

TEST_F(ProfileFixture, PopulationExcludesCustomersWhoSignedUpAfterAsOf) {
  ASSERT_EQ(profile_.num_rows(), 3u);  // customer 4 signed up 2024-03-05
  EXPECT_EQ(profile_.column("customer_id").ints()[2], 3);
  EXPECT_EQ(profile_.column("region").StringAt(1), "south");
}

TEST_F(ProfileFixture, RfmWithRefundAndAsOfCut) {
  // Customer 1: purchases 12-01 10:00 (100), 01-01 10:00 (50), 02-20 10:00 (30); refund 02-25
  // (-30); o6 at exactly the as-of instant is not used.
  EXPECT_DOUBLE_EQ(Get(profile_, "recency_days", 0), 9 + 14.0 / 24);
  EXPECT_EQ(Get(profile_, "frequency", 0), 3);
  EXPECT_DOUBLE_EQ(Get(profile_, "monetary", 0), 150);        // net of the refund
  EXPECT_DOUBLE_EQ(Get(profile_, "avg_order_value", 0), 60);  // 180 / 3 purchases
  EXPECT_EQ(Get(profile_, "refunds", 0), 1);
  EXPECT_DOUBLE_EQ(Get(profile_, "refund_amount", 0), 30);
  EXPECT_DOUBLE_EQ(Get(profile_, "interpurchase_days_mean", 0), 40.5);  // gaps 31 and 50 days
  EXPECT_NEAR(Get(profile_, "interpurchase_days_std", 0), std::sqrt(180.5), 1e-12);
  EXPECT_DOUBLE_EQ(Get(profile_, "tenure_days", 0), 425);
}

TEST_F(ProfileFixture, OrderWindowsIncludeTheirStartAndExcludeAsOf) {
  EXPECT_EQ(Get(profile_, "orders_7d", 0), 0);  // only the refund falls in [02-23, 03-01)
  EXPECT_DOUBLE_EQ(Get(profile_, "order_amount_7d", 0), -30);
  EXPECT_EQ(Get(profile_, "orders_30d", 0), 1);
  EXPECT_DOUBLE_EQ(Get(profile_, "order_amount_30d", 0), 0);
  EXPECT_EQ(Get(profile_, "orders_90d", 0), 2);
  EXPECT_EQ(Get(profile_, "orders_365d", 0), 3);
  EXPECT_DOUBLE_EQ(Get(profile_, "order_amount_365d", 0), 150);
}

TEST_F(ProfileFixture, OneOrderAndNoActivityCustomers) {
  EXPECT_DOUBLE_EQ(Get(profile_, "recency_days", 1), 0.5);
  EXPECT_EQ(Get(profile_, "frequency", 1), 1);
  EXPECT_TRUE(profile_.column("interpurchase_days_mean").IsNull(1));
  EXPECT_DOUBLE_EQ(Get(profile_, "tenure_days", 1), 260);
  EXPECT_TRUE(profile_.column("recency_days").IsNull(2));
  EXPECT_EQ(Get(profile_, "frequency", 2), 0);
  EXPECT_DOUBLE_EQ(Get(profile_, "monetary", 2), 0);
  EXPECT_TRUE(profile_.column("avg_order_value").IsNull(2));
  EXPECT_EQ(Get(profile_, "events_total", 2), 0);
  EXPECT_DOUBLE_EQ(Get(profile_, "trend_30d", 2), 1);
  EXPECT_TRUE(profile_.column("days_since_view").IsNull(2));
  EXPECT_DOUBLE_EQ(Get(profile_, "tenure_days", 2), 51);
}

TEST_F(ProfileFixture, EventCountsValuesAndRecencyPerType) {
  EXPECT_EQ(Get(profile_, "events_total", 0), 3);  // the view at the as-of instant is not counted
  EXPECT_EQ(Get(profile_, "view_count_7d", 0), 1);
  EXPECT_EQ(Get(profile_, "view_count_30d", 0), 1);
  EXPECT_EQ(Get(profile_, "view_count_90d", 0), 2);
  EXPECT_EQ(Get(profile_, "cart_count_365d", 0), 1);
  EXPECT_DOUBLE_EQ(Get(profile_, "cart_value_7d", 0), 25);
  EXPECT_DOUBLE_EQ(Get(profile_, "days_since_view", 0), 1.625);
  EXPECT_DOUBLE_EQ(Get(profile_, "days_since_cart", 0), 2335.0 / 1440);
  EXPECT_DOUBLE_EQ(Get(profile_, "trend_30d", 0), 1.5);  // (2 + 1) / (1 + 1)
  EXPECT_EQ(Get(profile_, "purchase_count_30d", 1), 0);
  EXPECT_EQ(Get(profile_, "purchase_count_90d", 1), 1);
  EXPECT_DOUBLE_EQ(Get(profile_, "purchase_value_90d", 1), 80);
  EXPECT_DOUBLE_EQ(Get(profile_, "days_since_purchase", 1), 72);
  EXPECT_DOUBLE_EQ(Get(profile_, "trend_30d", 1), 2);
}

TEST_F(ProfileFixture, DistinctItemsAndCategories) {
  EXPECT_EQ(Get(profile_, "distinct_items", 0), 2);  // 10, 11 (12 is at the as-of instant)
  EXPECT_EQ(Get(profile_, "distinct_categories", 0), 1);
  EXPECT_EQ(Get(profile_, "distinct_items", 1), 2);
  EXPECT_EQ(Get(profile_, "distinct_categories", 1), 2);
}

TEST_F(ProfileFixture, WarnsAboutRowsOfUnknownCustomers) {
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_EQ(
      warnings_[0],
      "profile: 1 rows of events belong to customers not in customers (or signed up after the "
      "as-of date) and were skipped");
}

TEST(Profile, ColumnsDoNotDependOnAsOf) {
  Context ctx(1);
  const Table early = BuildProfiles(HandComputedInputs(), ProfileConfig(), At(2023, 12, 2), ctx);
  const Table late = BuildProfiles(HandComputedInputs(), ProfileConfig(), At(2024, 3, 1), ctx);
  EXPECT_EQ(early.schema().Names(), late.schema().Names());
  EXPECT_EQ(early.num_rows(), 2u);  // customers 3 and 4 had not signed up yet
  EXPECT_EQ(Get(early, "frequency", 0), 1);
}

TEST(Profile, DefaultAsOfIsTheEndOfTheLatestDay) {
  EXPECT_EQ(DefaultAsOf(HandComputedInputs(), ProfileConfig()), At(2024, 3, 11));
}

TEST(Profile, TransactionLogWithLinesQuantitiesAndCancellations) {
  ProfileInputs in;
  in.orders = Table(
      Schema({{"InvoiceNo", DataType::kString},
              {"CustomerID", DataType::kInt64},
              {"InvoiceDate", DataType::kTimestamp},
              {"Quantity", DataType::kInt64},
              {"UnitPrice", DataType::kDouble}}),
      {Column::FromStringVector({"A", "A", "C1", "B"}),
       Column::FromInts(DataType::kInt64, {7, 7, 7, 0}, {1, 1, 1, 0}),
       Column::FromInts(DataType::kTimestamp,
                        {At(2011, 1, 1, 8), At(2011, 1, 1, 8), At(2011, 1, 5), At(2011, 1, 6)}),
       Column::FromInts(DataType::kInt64, {2, 1, -1, 5}), Column::FromDoubles({3, 4, 4, 1})});
  ProfileConfig config = ProfileConfig::FromJson({{"orders_table", "retail"},
                                                  {"customer_id", "CustomerID"},
                                                  {"order_id", "InvoiceNo"},
                                                  {"order_time", "InvoiceDate"},
                                                  {"order_amount", ""},
                                                  {"order_quantity", "Quantity"},
                                                  {"order_price", "UnitPrice"}});
  Context ctx(1);
  std::vector<std::string> warnings;
  const Table p = BuildProfiles(in, config, At(2011, 1, 10), ctx, &warnings);
  ASSERT_EQ(p.num_rows(), 1u);
  EXPECT_EQ(p.column("CustomerID").ints()[0], 7);
  EXPECT_EQ(Get(p, "frequency", 0), 1);
  EXPECT_DOUBLE_EQ(Get(p, "monetary", 0), 6);  // 2*3 + 1*4 − 1*4
  EXPECT_DOUBLE_EQ(Get(p, "avg_order_value", 0), 10);
  EXPECT_EQ(Get(p, "refunds", 0), 1);
  EXPECT_DOUBLE_EQ(Get(p, "tenure_days", 0), 9 - 8.0 / 24);  // from the first order
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "profile: 1 rows of retail have no CustomerID and were skipped");
}

TEST(Profile, UnknownConfigKeyIsNamed) {
  try {
    (void)ProfileConfig::FromJson({{"order_amout", "x"}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(
        std::string(e.what()).find("unknown key \"order_amout\". Did you mean \"order_amount\"?"),
        std::string::npos);
  }
}

// Labels by hand from HandComputedInputs' orders: customer 1 bought on 2023-12-01, 2024-01-01,
// 2024-02-20, 2024-03-01 00:00 (a refund on 2024-02-25 is no purchase); customer 2 on 2024-02-29
// and 2024-03-10 00:00; customers 3 and 4 never. The data ends on 2024-03-10.
uint8_t LabelOf(const Table& t, const std::string& column, int64_t id) {
  for (size_t r = 0; r < t.num_rows(); ++r) {
    if (t.column("customer_id").ints()[r] == id) return t.column(column).bools()[r];
  }
  ADD_FAILURE() << "no customer " << id;
  return 2;
}

TEST(ProfileLabel, PurchaseWithinDaysAfterTheAsOfInstantWithBothEdges) {
  const ProfileInputs in = HandComputedInputs();
  Context ctx(1);
  const int64_t as_of = At(2024, 3, 1);
  const Table p = BuildProfiles(in, ProfileConfig(), as_of, ctx);
  // [2024-03-01 00:00, 2024-03-10 00:00): customer 1's order at the start counts, customer 2's at
  // the end does not.
  const Table labelled =
      AddProfileLabel(p, in, ProfileConfig(), as_of, ProfileLabel::Parse("purchase:9d"));
  EXPECT_EQ(LabelOf(labelled, "purchased_9d", 1), 1);
  EXPECT_EQ(LabelOf(labelled, "purchased_9d", 2), 0);
  EXPECT_EQ(LabelOf(labelled, "purchased_9d", 3), 0);
  // Customer 4 signed up on 2024-03-05, after the as-of instant: not profiled.
  // [2024-02-25, 2024-03-01) (2024 is a leap year): customer 1's refund on 02-25 is no purchase
  // and 03-01 00:00 is past the end; customer 2 bought on 02-29.
  const Table earlier = BuildProfiles(in, ProfileConfig(), At(2024, 2, 25), ctx);
  const Table l2 = AddProfileLabel(earlier, in, ProfileConfig(), At(2024, 2, 25),
                                   ProfileLabel::Parse("purchase:5"));
  EXPECT_EQ(LabelOf(l2, "purchased_5d", 1), 0);
  EXPECT_EQ(LabelOf(l2, "purchased_5d", 2), 1);
  EXPECT_EQ(LabelOf(l2, "purchased_5d", 3), 0);
}

TEST(ProfileLabel, AWindowPastTheEndOfTheDataIsRefusedWithTheLatestAsOfThatWorks) {
  const ProfileInputs in = HandComputedInputs();
  Context ctx(1);
  const Table p = BuildProfiles(in, ProfileConfig(), At(2024, 3, 1), ctx);
  ExpectError(
      [&] {
        AddProfileLabel(p, in, ProfileConfig(), At(2024, 3, 1),
                        ProfileLabel::Parse("purchase:11d"));
      },
      ErrorCode::kFailedPrecondition,
      "label purchased_11d: its window runs from 2024-03-01 to 2024-03-11, past the end of the "
      "data "
      "(2024-03-10), so customers who buy later would count as non-buyers. Possible fix: an as-of "
      "date of "
      "2024-02-28 or earlier");
  // The suggested date works: its window ends with the last day of the data.
  EXPECT_NO_THROW(AddProfileLabel(BuildProfiles(in, ProfileConfig(), At(2024, 2, 29), ctx), in,
                                  ProfileConfig(), At(2024, 2, 29),
                                  ProfileLabel::Parse("purchase:11d")));
  for (const char* bad : {"purchase", "buy:30d", "purchase:0d", "purchase:x", "purchase:30w"}) {
    EXPECT_THROW(ProfileLabel::Parse(bad), Error) << bad;
  }
}

TEST(RunProfile, AnAsOfBeforeAllDataIsRefusedWithTheRangeAndLeavesProfilesAlone) {
  testing::TempDir dir;
  auto store = Store::Open(dir.File("s.db"));
  const ProfileInputs in = HandComputedInputs();
  Context ctx(1);
  store->WriteTable("customers", *in.customers, {}, ctx);
  store->WriteTable("orders", *in.orders, {}, ctx);
  store->WriteTable("events", *in.events, {}, ctx);
  ProfileRequest ok;
  ok.as_of = At(2024, 3, 1);
  ok.label = "purchase:9d";
  const ProfileResult r = RunProfile(*store, ProfileConfig(), ok, ctx);
  EXPECT_EQ(r.label_column, "purchased_9d");
  EXPECT_EQ(store->FindTable(kProfilesTable)->rows, static_cast<int64_t>(r.profiles.num_rows()));
  ProfileRequest early;
  early.as_of = At(2023, 1, 2);  // the end of 2023-01-01
  ExpectError([&] { RunProfile(*store, ProfileConfig(), early, ctx); }, ErrorCode::kInvalidArgument,
              "as-of 2023-01-01 is before all of the data (events and orders run from 2023-12-01 "
              "to 2024-03-10), so "
              "every profile would be empty. Possible fix: an as-of date from 2023-12-01 on");
  EXPECT_EQ(store->FindTable(kProfilesTable)->rows, static_cast<int64_t>(r.profiles.num_rows()));
  EXPECT_TRUE(store->LoadTable(kProfilesTable, ctx).HasColumn("purchased_9d"));
}

}  // namespace
}  // namespace prospect
