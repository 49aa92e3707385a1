// Driver analysis on simulated survey responses with a planted driver: the driver ranks first,
// with the right direction, and the features that do not drive answers rank far below it; with
// gbdt (TreeSHAP) and logistic regression, NPS and CSAT, a driver among the responses' own
// columns (an experience), through the store; the simulation itself; the errors.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "prospect/common/error.hpp"
#include "prospect/common/rng.hpp"
#include "prospect/store/store.hpp"
#include "prospect/survey/survey.hpp"
#include "support/expect_error.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

// Customers with one feature that will drive answers (visits_per_month) and four that will not:
// two numbers, a count and a category.
Table DriverFeatures(size_t n, uint64_t seed) {
  Rng rng(seed);
  std::normal_distribution<double> normal(0, 1);
  std::poisson_distribution<int64_t> orders(3);
  std::uniform_int_distribution<int> pick(0, 2);
  const char* channels[] = {"app", "email", "web"};
  ColumnBuilder id(DataType::kInt64), visits(DataType::kDouble), age(DataType::kDouble),
      spend(DataType::kDouble), count(DataType::kInt64), channel(DataType::kString);
  for (size_t i = 0; i < n; ++i) {
    id.AppendInt(static_cast<int64_t>(i + 1000));
    visits.AppendDouble(std::exp(1 + 0.5 * normal(rng)));
    age.AppendDouble(40 + 12 * normal(rng));
    spend.AppendDouble(std::exp(4 + normal(rng)));
    count.AppendInt(orders(rng));
    channel.AppendString(channels[pick(rng)]);
  }
  return Table(Schema({{"customer_id", DataType::kInt64},
                       {"visits_per_month", DataType::kDouble},
                       {"age", DataType::kDouble},
                       {"spend", DataType::kDouble},
                       {"orders", DataType::kInt64},
                       {"channel", DataType::kString}}),
               {id.Finish(), visits.Finish(), age.Finish(), spend.Finish(), count.Finish(),
                channel.Finish()});
}

SurveySimulation Planted(const std::string& driver, const std::string& scale = "nps") {
  SurveySimulation s;
  s.driver = driver;
  s.scale = scale;
  s.response_share = 0.6;
  return s;
}

DriverRequest Request(SurveyScale scale = SurveyScale::kNps, const std::string& model = "gbdt") {
  DriverRequest r;
  r.table = "survey";
  r.features = "profiles";
  r.scale = scale;
  r.model = model;
  return r;
}

// The planted feature first with most of the attribution; every other below a fifth of it.
void ExpectPlantedFirst(const DriverReport& d, const std::string& planted,
                        const std::string& direction) {
  ASSERT_FALSE(d.drivers.empty());
  std::string ranking = fmt::format("held-out AUC {:.3f};", d.holdout_auc);
  for (const SurveyDriver& s : d.drivers)
    ranking += fmt::format(" {} {:.3f} ({:.1f}%, {})", s.feature, s.mean_abs_shap, 100 * s.share,
                           s.direction);
  ::testing::Test::RecordProperty("ranking", ranking);  // in --gtest_output=xml
  EXPECT_EQ(d.drivers[0].feature, planted);
  EXPECT_EQ(d.drivers[0].direction, direction);
  EXPECT_GT(d.drivers[0].share, 0.5);
  for (size_t i = 1; i < d.drivers.size(); ++i) {
    SCOPED_TRACE(d.drivers[i].feature);
    EXPECT_NE(d.drivers[i].feature, planted);
    EXPECT_LT(d.drivers[i].mean_abs_shap, 0.2 * d.drivers[0].mean_abs_shap);
  }
  EXPECT_GT(d.holdout_auc, 0.8);
}

class SurveyDrivers : public ::testing::Test {
 protected:
  Context ctx_{1};
  Table features_ = DriverFeatures(3000, 7);
};

TEST_F(SurveyDrivers, SimulationPlantsTheDriver) {
  const Table survey = SimulateSurvey(features_, "profiles", Planted("visits_per_month"), ctx_);
  EXPECT_EQ(survey.schema().Names(),
            (std::vector<std::string>{"customer_id", "responded_on", "score"}));
  EXPECT_NEAR(static_cast<double>(survey.num_rows()), 0.6 * 3000, 100);
  // Promoters visit more than detractors.
  const Table joined = LookupJoin(survey, "customer_id", features_, "customer_id");
  double promoter_visits = 0, detractor_visits = 0;
  int64_t promoters = 0, detractors = 0;
  for (size_t r = 0; r < joined.num_rows(); ++r) {
    const int64_t score = joined.column("score").ints()[r];
    EXPECT_GE(score, 0);
    EXPECT_LE(score, 10);
    const double v = joined.column("visits_per_month").doubles()[r];
    if (score >= 9) promoter_visits += v, ++promoters;
    if (score <= 6) detractor_visits += v, ++detractors;
  }
  EXPECT_GT(promoters, 300);
  EXPECT_GT(detractors, 300);
  EXPECT_GT(promoter_visits / static_cast<double>(promoters),
            1.5 * detractor_visits / static_cast<double>(detractors));
  // Same seed, same answers; another seed, others.
  const Table again = SimulateSurvey(features_, "profiles", Planted("visits_per_month"), ctx_);
  EXPECT_EQ(RowsToJson(again, 50), RowsToJson(survey, 50));
  const Table other =
      SimulateSurvey(features_, "profiles", Planted("visits_per_month"), Context(1, 99));
  EXPECT_NE(RowsToJson(other, 50), RowsToJson(survey, 50));
}

TEST_F(SurveyDrivers, GbdtFindsThePlantedDriver) {
  const Table survey = SimulateSurvey(features_, "profiles", Planted("visits_per_month"), ctx_);
  const DriverReport d = AnalyzeDrivers(survey, features_, Request(), ctx_);
  EXPECT_EQ(d.responses, static_cast<int64_t>(survey.num_rows()));
  EXPECT_EQ(d.high + d.low + d.middle_dropped, d.responses);
  EXPECT_EQ(d.unmatched, 0);
  EXPECT_EQ(d.drivers.size(), 5u);  // the id is not a feature
  ExpectPlantedFirst(d, "visits_per_month", "higher");
  EXPECT_GT(d.drivers[0].high_mean, d.drivers[0].low_mean);
  EXPECT_GT(d.drivers[0].correlation, 0.5);
  double shares = 0;
  for (const SurveyDriver& s : d.drivers) shares += s.share;
  EXPECT_NEAR(shares, 1.0, 1e-12);
  for (const SurveyDriver& s : d.drivers) {
    EXPECT_EQ(s.direction == "category", s.feature == "channel");
  }
}

TEST_F(SurveyDrivers, LogisticFindsADriverThatLowersSatisfaction) {
  // Answers driven by visits; the features show waiting time = 20 − visits instead.
  const Table survey = SimulateSurvey(features_, "profiles", Planted("visits_per_month"), ctx_);
  ColumnVector<double> wait;
  for (double v : features_.column("visits_per_month").doubles()) wait.push_back(20 - v);
  const Table shown = features_.WithColumn("wait_days", Column::FromDoubles(std::move(wait)))
                          .Select({"customer_id", "wait_days", "age", "spend", "orders"});
  const DriverReport d =
      AnalyzeDrivers(survey, shown, Request(SurveyScale::kNps, "logistic"), ctx_);
  ExpectPlantedFirst(d, "wait_days", "lower");
  EXPECT_LT(d.drivers[0].high_mean, d.drivers[0].low_mean);
}

TEST_F(SurveyDrivers, CsatDriverAmongTheExperiences) {
  // The driver is a column of the responses (what the customer experienced), not a feature.
  const Table survey = SimulateSurvey(features_, "profiles", Planted("spend", "csat"), ctx_);
  const Table with_experience =
      LookupJoin(survey, "customer_id", features_.Select({"customer_id", "spend"}), "customer_id");
  DriverRequest r = Request(SurveyScale::kCsat);
  r.experiences = {"spend"};
  const Table profiles =
      features_.Select({"customer_id", "visits_per_month", "age", "orders", "channel"});
  const DriverReport d = AnalyzeDrivers(with_experience, profiles, r, ctx_);
  EXPECT_GT(d.high, 0);
  ExpectPlantedFirst(d, "spend", "higher");
  EXPECT_EQ(d.ToJson()["satisfied"], d.high);
  EXPECT_EQ(d.ToJson()["neutral_dropped"], d.middle_dropped);
}

TEST_F(SurveyDrivers, ThroughTheStoreWithUnmatchedResponses) {
  testing::TempDir dir;
  auto store = Store::Open("sqlite:" + dir.File("s.db"));
  // Responses of customers the profiles do not have are counted and left out.
  const Table survey = SimulateSurvey(features_, "profiles", Planted("visits_per_month"), ctx_);
  std::vector<size_t> known;
  for (size_t r = 0; r < features_.num_rows(); r += 1) {
    if (r % 10 != 0) known.push_back(r);
  }
  store->WriteTable("profiles", features_.Take(known), {}, ctx_);
  store->WriteTable("survey", survey, {}, ctx_);
  const DriverReport d = AnalyzeDrivers(*store, Request(), ctx_);
  EXPECT_GT(d.unmatched, 50);
  EXPECT_EQ(d.high + d.low + d.unmatched + d.middle_dropped, d.responses);
  EXPECT_EQ(d.features_id, "customer_id");
  ExpectPlantedFirst(d, "visits_per_month", "higher");
  EXPECT_NE(d.warnings.front().find("without a row in profiles were left out"), std::string::npos);
  const nlohmann::json j = d.ToJson();
  EXPECT_EQ(j["drivers"][0]["feature"], "visits_per_month");
  EXPECT_EQ(j["promoters"], d.high);
}

TEST_F(SurveyDrivers, Errors) {
  const Table survey =
      SimulateSurvey(features_.Take(std::vector<size_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}),
                     "profiles", Planted("visits_per_month"), ctx_);
  ExpectErrorStartingWith([&] { AnalyzeDrivers(survey, features_, Request(), ctx_); },
                          "a driver analysis needs at least 10 promoters and 10 detractors with "
                          "a row in table profiles; table survey has ",
                          "");
  DriverRequest r = Request();
  r.model = "xgbost";
  ExpectErrorStartingWith([&] { AnalyzeDrivers(survey, features_, r, ctx_); },
                          "Unknown model \"xgbost\"", "Valid models: ");
  r = Request();
  r.exclude = {"agee"};
  ExpectError([&] { AnalyzeDrivers(survey, features_, r, ctx_); }, ErrorCode::kNotFound,
              "table profiles has no column \"agee\". Did you mean \"age\"? Columns: customer_id, "
              "visits_per_month, age, spend, orders, channel.");
  r = Request();
  r.experiences = {"score"};
  ExpectError([&] { AnalyzeDrivers(survey, features_, r, ctx_); }, ErrorCode::kInvalidArgument,
              "experience column score is the score column of table survey");
  ExpectError([&] { SimulateSurvey(features_, "profiles", Planted("channel"), ctx_); },
              ErrorCode::kInvalidArgument,
              "survey simulation: the driver channel of table profiles holds string values; it "
              "must be a number column");
  SurveySimulation s = Planted("visits_per_month");
  s.response_share = 2;
  ExpectError([&] { SimulateSurvey(features_, "profiles", s, ctx_); }, ErrorCode::kOutOfRange,
              "survey simulation parameter response_share: 2 is out of range [0.0001, 1]");
}

}  // namespace
}  // namespace prospect
