// Uplift models in the workspace: groups and balance, the held-out split (reproduced exactly by
// evaluate), what score writes, and the errors of a bad request.
#include "prospect/targeting/uplift.hpp"

#include <gtest/gtest.h>

#include <random>

#include "prospect/common/error.hpp"
#include "prospect/targeting/campaign.hpp"
#include "prospect/workspace/workspace.hpp"
#include "support/expect_error.hpp"
#include "support/test_paths.hpp"
#include "support/uplift_fixture.hpp"

namespace prospect {
namespace {

using testing::Campaign;
using testing::TempDir;
using testing::UpliftFixture;

TEST(UpliftTrain, GroupsBalanceAndHeldOutHalfOfTheUsableRows) {
  UpliftFixture f;
  const UpliftTrainResult r = TrainUplift(f.ws.store(), UpliftFixture::Request(), Context(1));
  EXPECT_EQ(r.name, "campaign_response_t");
  // Control first, then the other values in sorted order; "other" and empty responses left out.
  const Table t = f.ws.store().LoadTable("campaign", Context(1));
  std::map<std::string, size_t> usable;
  const Column &arm = t.column("arm"), &response = t.column("response");
  for (size_t i = 0; i < t.num_rows(); ++i) {
    if (arm.FormatValue(i) != "other" && !response.IsNull(i)) ++usable[arm.FormatValue(i)];
  }
  ASSERT_EQ(r.balance.groups.size(), 3u);
  EXPECT_EQ(r.balance.groups[0].value, "none");
  EXPECT_EQ(r.balance.groups[1].value, "a");
  EXPECT_EQ(r.balance.groups[2].value, "b");
  size_t total = 0;
  for (const auto& g : r.balance.groups) {
    EXPECT_EQ(g.customers, usable[g.value]) << g.value;
    total += g.customers;
  }
  EXPECT_EQ(r.summary["rows"]["test"].get<size_t>(), (total + 1) / 2);
  EXPECT_EQ(r.summary["rows"]["train"].get<size_t>() + r.summary["rows"]["test"].get<size_t>(),
            total);
  EXPECT_EQ(r.summary["input_columns"], nlohmann::json({"x0", "x1"}));
  const auto warnings = r.summary["warnings"].dump();
  EXPECT_NE(warnings.find("200 rows of other arm values"), std::string::npos) << warnings;
  EXPECT_NE(warnings.find("rows with an empty response were left out"), std::string::npos);

  // Both arms' effects are found where they are: the top 30 % by predicted effect gain more
  // than the average customer, and each arm's ranking has a positive Qini coefficient.
  ASSERT_EQ(r.holdout.size(), 2u);
  for (const TreatmentUplift& m : r.holdout) {
    EXPECT_NEAR(m.observed_effect, 0.15, 0.04) << m.treatment;
    EXPECT_GT(m.uplift_at_k, m.observed_effect + 0.05) << m.treatment;
    EXPECT_GT(m.qini_coefficient, 0.1) << m.treatment;
    EXPECT_EQ(m.deciles.size(), 10u);
    EXPECT_LE(m.qini.n.size(), 101u);
  }
}

TEST(UpliftTrain, EvaluateReproducesTheHeldOutPartAndMeasuresOtherTablesWhole) {
  UpliftFixture f;
  const UpliftTrainResult r = TrainUplift(f.ws.store(), UpliftFixture::Request(), Context(1));
  const UpliftPackage model = LoadUplift(f.ws.store(), r.name);
  EXPECT_EQ(model.treatments, (std::vector<std::string>{"a", "b"}));
  const UpliftEvaluation own = EvaluateUplift(f.ws.store(), model, "", 0.3, Context(1));
  EXPECT_TRUE(own.held_out);
  EXPECT_EQ(own.rows, r.summary["rows"]["test"].get<size_t>());
  ASSERT_EQ(own.treatments.size(), 2u);
  for (size_t k = 0; k < 2; ++k) {
    EXPECT_EQ(own.treatments[k].uplift_at_k, r.holdout[k].uplift_at_k);
    EXPECT_EQ(own.treatments[k].qini_coefficient, r.holdout[k].qini_coefficient);
    EXPECT_EQ(own.treatments[k].treated, r.holdout[k].treated);
  }
  const UpliftEvaluation next =
      EvaluateUplift(f.ws.store(), model, "campaign_next", 0.3, Context(1));
  EXPECT_FALSE(next.held_out);
  // Less "other" (every 30th) and empty responses (every 50th; every 150th is both).
  EXPECT_EQ(next.rows, 3000u - 100 - 60 + 20);
  for (const TreatmentUplift& m : next.treatments) EXPECT_GT(m.qini_coefficient, 0.1);
  ExpectError([&] { (void)EvaluateUplift(f.ws.store(), model, "", 1.0, Context(1)); },
              ErrorCode::kInvalidArgument, "k 1: expected a share in (0, 1)");
}

TEST(UpliftTrain, ScoreWritesTheIdAndAnEffectPerTreatment) {
  UpliftFixture f;
  const UpliftTrainResult r = TrainUplift(f.ws.store(), UpliftFixture::Request(), Context(1));
  const UpliftPackage model = LoadUplift(f.ws.store(), r.name);
  const Table next = f.ws.store().LoadTable("campaign_next", Context(1));
  const Table scored = model.Score(next, Context(1));
  ASSERT_EQ(scored.num_rows(), next.num_rows());
  EXPECT_EQ(scored.schema().ToJson(),
            nlohmann::json::parse(R"([{"name":"customer_id","type":"int64"},
                                      {"name":"uplift_a","type":"double"},
                                      {"name":"uplift_b","type":"double"}])"));
  // The effect of a is the one that grows with x0, b's with x1.
  const Column &x0 = next.column("x0"), &a = scored.column("uplift_a"),
               &b = scored.column("uplift_b");
  double a_pos = 0, a_neg = 0, b_when_x0 = 0;
  size_t n_pos = 0;
  for (size_t i = 0; i < next.num_rows(); ++i) {
    if (x0.NumericAt(i) > 0) {
      a_pos += a.NumericAt(i), b_when_x0 += b.NumericAt(i), ++n_pos;
    } else {
      a_neg += a.NumericAt(i);
    }
  }
  EXPECT_GT(a_pos / n_pos - a_neg / (next.num_rows() - n_pos), 0.1);
  // One treatment: a single "uplift" column.
  UpliftTrainRequest one = UpliftFixture::Request();
  one.treatments = {"b"};
  one.name = "only_b";
  (void)TrainUplift(f.ws.store(), one, Context(1));
  const Table b_only = LoadUplift(f.ws.store(), "only_b").Score(next, Context(1));
  EXPECT_EQ(b_only.schema().ToJson()[1]["name"], "uplift");
}

// A campaign table of ids, groups and outcomes learns from a feature table joined on the id,
// and evaluate and score join it again; the same model as from one table.
TEST(UpliftTrain, FeaturesComeFromAnotherTableJoinedOnTheId) {
  UpliftFixture f;
  const Table whole = f.ws.store().LoadTable("campaign", Context(1));
  f.ws.store().WriteTable("sent", whole.Select({"customer_id", "arm", "response"}), {}, Context(1));
  f.ws.store().WriteTable("people", whole.Select({"customer_id", "x1", "x0"}), {}, Context(1));
  UpliftTrainRequest r = UpliftFixture::Request();
  r.table = "sent";
  r.features = "people";
  r.name = "joined";
  const UpliftTrainResult joined = TrainUplift(f.ws.store(), r, Context(1));
  EXPECT_EQ(joined.summary["input_columns"], nlohmann::json({"x1", "x0"}));
  const UpliftTrainResult one = TrainUplift(f.ws.store(), UpliftFixture::Request(), Context(1));
  ASSERT_EQ(joined.holdout.size(), 2u);
  for (size_t k = 0; k < 2; ++k)
    EXPECT_NEAR(joined.holdout[k].uplift_at_k, one.holdout[k].uplift_at_k, 1e-9);
  const UpliftPackage model = LoadUplift(f.ws.store(), "joined");
  EXPECT_TRUE(EvaluateUplift(f.ws.store(), model, "", 0.3, Context(1)).held_out);
  const Table sent = f.ws.store().LoadTable("sent", Context(1));
  EXPECT_EQ(model.Score(model.WithFeatures(f.ws.store(), sent, Context(1)), Context(1)).num_rows(),
            sent.num_rows());
  r.id_column.clear();
  ExpectError([&] { (void)TrainUplift(f.ws.store(), r, Context(1)); }, ErrorCode::kInvalidArgument,
              "features people: give the id column to join on");
}

TEST(UpliftTrain, ANonRandomisedAssignmentIsReportedAsImbalanced) {
  UpliftFixture f;
  UpliftTrainRequest r = UpliftFixture::Request();
  r.table = "confounded";
  r.treatments = {"a"};
  r.propensity = "estimate";
  const UpliftTrainResult res = TrainUplift(f.ws.store(), r, Context(1));
  ASSERT_EQ(res.balance.imbalanced.size(), 1u);
  EXPECT_EQ(res.balance.imbalanced[0].treatment, "a");
  EXPECT_EQ(res.balance.imbalanced[0].feature, "x1");
  EXPECT_GT(res.balance.imbalanced[0].smd, 0.5);
  EXPECT_NE(res.summary["warnings"].dump().find("a and control differ in x1"), std::string::npos);
}

// prospect target on the model: the audience table, best first, within the budget; restricted
// to one treatment; the stored summary; a cost list that does not fit.
TEST(PlanCampaign, KeepsTheBestAudienceWithinTheBudgetAsATable) {
  UpliftFixture f;
  (void)TrainUplift(f.ws.store(), UpliftFixture::Request(), Context(1));
  CampaignRequest r;
  r.uplift_model = "campaign_response_t";
  r.table = "campaign_next";
  r.value = "100";
  r.cost = {2, 5};
  r.budget = 1000;
  const CampaignResult res = PlanCampaign(f.ws.store(), r, Context(1));
  EXPECT_EQ(res.name, "audience_campaign_response_t");
  EXPECT_LE(res.plan.spend, 1000);
  EXPECT_GT(res.plan.spend, 995);  // the budget binds: many customers are worth more than 5
  const Table stored = f.ws.store().LoadTable(res.name, Context(1));
  ASSERT_EQ(stored.num_rows(), res.plan.contacted);
  EXPECT_EQ(stored.schema().ToJson().dump(),
            R"([{"name":"customer_id","type":"int64"},{"name":"treatment","type":"string"},)"
            R"({"name":"uplift","type":"double"},{"name":"value","type":"double"},)"
            R"({"name":"cost","type":"double"},{"name":"expected_profit","type":"double"}])");
  const Column& profit = stored.column("expected_profit");
  double total = 0;
  for (size_t i = 0; i < stored.num_rows(); ++i) {
    total += profit.NumericAt(i);
    if (i > 0) {
      EXPECT_GE(profit.NumericAt(i - 1), profit.NumericAt(i));
    }
    const double u = stored.column("uplift").NumericAt(i), c = stored.column("cost").NumericAt(i);
    EXPECT_NEAR(profit.NumericAt(i), u * 100 - c, 1e-9);
    EXPECT_EQ(c, stored.column("treatment").FormatValue(i) == "a" ? 2 : 5);
  }
  EXPECT_NEAR(total, res.plan.expected_profit, 1e-6);
  const nlohmann::json listed = ListCampaignPlans(f.ws.store());
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["contacted"], res.plan.contacted);

  r.treatments = {"b"};
  r.cost = {5};
  r.name = "only_b";
  const CampaignResult b = PlanCampaign(f.ws.store(), r, Context(1));
  EXPECT_TRUE(b.plan.exact);
  EXPECT_EQ(b.plan.contacted, 200u);  // 1000 / 5
  EXPECT_LE(b.plan.expected_profit, res.plan.expected_profit);
  r.treatments.clear();
  r.cost = {1, 2, 3};
  ExpectError([&] { (void)PlanCampaign(f.ws.store(), r, Context(1)); }, ErrorCode::kInvalidArgument,
              "cost: 3 numbers for 2 treatments (a, b); give one for all or one per treatment");
}

// --value TABLE.COLUMN: each customer's value from another table by id (a CLV model's
// predictions), in any row order; a customer without a value there is an error, not a zero.
TEST(PlanCampaign, TakesEachCustomersValueFromAnotherTableById) {
  UpliftFixture f;
  (void)TrainUplift(f.ws.store(), UpliftFixture::Request(), Context(1));
  const Table next = f.ws.store().LoadTable("campaign_next", Context(1));
  const auto value_of = [](int64_t id) { return 10.0 + static_cast<double>(id % 7); };
  ColumnVector<int64_t> ids;
  ColumnVector<double> values;
  for (size_t r = next.num_rows(); r-- > 0;) {  // reversed: the join is by id, not by row
    ids.push_back(next.column("customer_id").ints()[r]);
    values.push_back(value_of(ids.back()));
  }
  const auto write = [&](const std::string& name, size_t rows) {
    ColumnVector<int64_t> i(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(rows));
    ColumnVector<double> v(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(rows));
    f.ws.store().WriteTable(
        name,
        Table(
            Schema({{"customer_id", DataType::kInt64}, {"clv", DataType::kDouble}}),
            {Column::FromInts(DataType::kInt64, std::move(i)), Column::FromDoubles(std::move(v))}),
        {}, Context(1));
  };
  write("clv_predictions", ids.size());
  CampaignRequest r;
  r.uplift_model = "campaign_response_t";
  r.table = "campaign_next";
  r.value = "clv_predictions.clv";
  r.cost = {0.01};
  const CampaignResult res = PlanCampaign(f.ws.store(), r, Context(1));
  ASSERT_GT(res.plan.contacted, 100u);
  for (size_t i = 0; i < res.audience.num_rows(); ++i) {
    EXPECT_EQ(res.audience.column("value").NumericAt(i),
              value_of(res.audience.column("customer_id").ints()[i]));
  }
  write("clv_some", ids.size() - 5);  // the last five rows written are the first customers
  r.value = "clv_some.clv";
  ExpectError(
      [&] { (void)PlanCampaign(f.ws.store(), r, Context(1)); }, ErrorCode::kInvalidData,
      fmt::format("value clv_some.clv: 5 of {} customers have no value in clv_some (customer "
                  "{} first); target only customers in clv_some, or give the others a "
                  "value in a column of their own",
                  next.num_rows(), next.column("customer_id").FormatValue(0)));
}

TEST(UpliftTrain, BadRequestsNameTheValueAndWhatIsAllowed) {
  UpliftFixture f;
  auto with = [](auto change) {
    UpliftTrainRequest r = UpliftFixture::Request();
    change(r);
    return r;
  };
  auto train = [&](const UpliftTrainRequest& r) {
    return [&f, r] { (void)TrainUplift(f.ws.store(), r, Context(1)); };
  };
  ExpectError(train(with([](auto& r) { r.control = "ctrl"; })), ErrorCode::kInvalidArgument,
              "control \"ctrl\": column arm has no such value. Values: a (2043 rows), b (1911 "
              "rows), none (1846 rows), other (200 rows)");
  ExpectError(train(with([](auto& r) {
                r.treatments = {"a", "none"};
              })),
              ErrorCode::kInvalidArgument, "treatments: \"none\" is the control");
  ExpectError(train(with([](auto& r) { r.treatments = {"c"}; })), ErrorCode::kInvalidArgument,
              "treatments: column arm has no value \"c\". Values: a (2043 rows), b (1911 rows), "
              "none (1846 rows), other (200 rows)");
  ExpectError(
      train(with([](auto& r) { r.learner = "z"; })), ErrorCode::kInvalidArgument,
      "uplift parameter learner: \"z\" is not allowed. Did you mean \"s\"? Valid values: s, "
      "t, x, dr.");
  ExpectError(train(with([](auto& r) { r.target = "arm"; })), ErrorCode::kInvalidArgument,
              "treatment and target are both arm");
  ExpectError(train(with([](auto& r) { r.test_fraction = 0; })), ErrorCode::kInvalidArgument,
              "test_fraction 0: expected a share in (0, 1)");
  // A group too small to learn from.
  f.ws.store().WriteTable("tiny", Campaign(25, 4), {}, Context(1));
  ExpectError(train(with([](auto& r) { r.table = "tiny"; })), ErrorCode::kInvalidData,
              "control group \"none\" has 6 customers with a response; at least 10 are needed "
              "to learn from");
  ExpectError([&] { (void)LoadUplift(f.ws.store(), "nope"); }, ErrorCode::kNotFound,
              "no uplift model \"nope\". Uplift models: none yet (use prospect uplift train).");
}

}  // namespace
}  // namespace prospect
