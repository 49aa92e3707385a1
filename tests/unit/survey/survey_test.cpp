// NPS and CSAT: the intervals against a hand computation and against what numpy, scipy, pandas
// and statsmodels computed on the same responses (tests/fixtures/survey/make_survey_fixtures.py),
// overall, by a column, by a joined column, by segment and over months and weeks; the errors.
#include "prospect/survey/survey.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/segment/segment.hpp"
#include "prospect/store/store.hpp"
#include "support/expect_error.hpp"
#include "support/json_fixture.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using testing::TempDir;

constexpr double kTolerance = 1e-9;

const nlohmann::json& SurveyFixture() {
  return testing::LoadJsonFixture("survey/survey_fixtures.json");
}

// The fixture's responses of one scale as a table: customer_id, responded_on, channel, score.
Table FixtureResponses(const std::string& scale) {
  const nlohmann::json& rows = SurveyFixture()[scale]["rows"];
  ColumnBuilder id(DataType::kInt64), day(DataType::kDate), channel(DataType::kString),
      score(DataType::kInt64);
  for (size_t r = 0; r < rows["score"].size(); ++r) {
    int64_t d = 0;
    EXPECT_TRUE(ParseIsoDate(rows["responded_on"][r].get<std::string>(), &d));
    id.AppendInt(rows["customer_id"][r].get<int64_t>());
    day.AppendInt(d);
    channel.AppendString(rows["channel"][r].get<std::string>());
    score.AppendInt(rows["score"][r].get<int64_t>());
  }
  return Table(Schema({{"customer_id", DataType::kInt64},
                       {"responded_on", DataType::kDate},
                       {"channel", DataType::kString},
                       {"score", DataType::kInt64}}),
               {id.Finish(), day.Finish(), channel.Finish(), score.Finish()});
}

void ExpectMatches(const SatisfactionEstimate& e, const nlohmann::json& expected,
                   SurveyScale scale) {
  const auto& bands = BandNames(scale);
  EXPECT_EQ(e.responses, expected["responses"].get<int64_t>());
  EXPECT_EQ(e.low, expected[bands[0]].get<int64_t>());
  EXPECT_EQ(e.middle, expected[bands[1]].get<int64_t>());
  EXPECT_EQ(e.high, expected[bands[2]].get<int64_t>());
  EXPECT_NEAR(e.score, expected["score"].get<double>(), kTolerance);
  EXPECT_NEAR(e.std_error, expected["std_error"].get<double>(), kTolerance);
  EXPECT_NEAR(e.ci_low, expected["ci"][0].get<double>(), kTolerance);
  EXPECT_NEAR(e.ci_high, expected["ci"][1].get<double>(), kTolerance);
}

// Each expected group (keyed by `group_key` and/or `period_key`) matched to the report's.
void ExpectGroupsMatch(const SurveyReport& report, const nlohmann::json& expected,
                       const std::string& group_key, const std::string& period_key) {
  std::map<std::pair<std::string, std::string>, const SatisfactionEstimate*> found;
  for (const SatisfactionEstimate& g : report.groups) found[{g.group, g.period}] = &g;
  ASSERT_EQ(report.groups.size(), expected.size());
  for (const nlohmann::json& e : expected) {
    const std::pair<std::string, std::string> key = {
        group_key.empty() ? "" : e[group_key].get<std::string>(),
        period_key.empty() ? "" : e[period_key].get<std::string>()};
    SCOPED_TRACE(key.first + " " + key.second);
    ASSERT_TRUE(found.contains(key));
    ExpectMatches(*found[key], e, report.scale);
  }
}

class Surveys : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = Store::Open("sqlite:" + dir_.File("s.db"));
    store_->WriteTable("nps_answers", FixtureResponses("nps"), {}, ctx_);
    store_->WriteTable("csat_answers", FixtureResponses("csat"), {}, ctx_);
  }

  // The fixture's segments as the segments table of segmentation `name`.
  void SaveSegments(const std::string& name) {
    const nlohmann::json& s = SurveyFixture()["segments"];
    ColumnBuilder id(DataType::kInt64), seg(DataType::kInt64), seg_name(DataType::kCategorical);
    for (size_t r = 0; r < s["customer_id"].size(); ++r) {
      id.AppendInt(s["customer_id"][r].get<int64_t>());
      seg.AppendInt(0);
      seg_name.AppendString(s["segment_name"][r].get<std::string>());
    }
    store_->WriteTable("segments",
                       Table(Schema({{"customer_id", DataType::kInt64},
                                     {"segment", DataType::kInt64},
                                     {"segment_name", DataType::kCategorical}}),
                             {id.Finish(), seg.Finish(), seg_name.Finish()}),
                       {}, ctx_);
    store_->PutObject("segmentation", name, {{"method", "kmeans"}}, "");
  }

  SurveyReport Nps(SurveyRequest r) {
    r.table = "nps_answers";
    return SummarizeSurvey(*store_, r, ctx_);
  }

  TempDir dir_;
  Context ctx_{1};
  std::unique_ptr<Store> store_;
};

TEST(SurveyEstimate, NpsAndItsIntervalAgreeWithAHandComputation) {
  // 60 promoters, 25 passives, 15 detractors: NPS = 100 (0.60 − 0.15) = 45;
  // Var = [0.60 + 0.15 − 0.45²] / 100 = 0.005475, SE = 100 √0.005475 = 7.399324293;
  // 95%: z = 1.959963985, 45 ∓ 14.502409125 = [30.497590875, 59.502409125].
  const SatisfactionEstimate e = EstimateNps(60, 25, 15);
  EXPECT_EQ(e.responses, 100);
  EXPECT_DOUBLE_EQ(e.score, 45.0);
  EXPECT_NEAR(e.std_error, 7.399324293, 1e-9);
  EXPECT_NEAR(e.ci_low, 30.497590875, 1e-8);
  EXPECT_NEAR(e.ci_high, 59.502409125, 1e-8);
  // 90%: z = 1.644853627, 45 ∓ 12.170803.
  const SatisfactionEstimate e90 = EstimateNps(60, 25, 15, 0.90);
  EXPECT_NEAR(e90.ci_low, 45 - 1.644853627 * 7.399324293, 1e-8);
}

TEST(SurveyEstimate, NpsIntervalStaysWithinTheScale) {
  // 4 promoters, 1 passive: 80 ± 1.96 × 17.89 reaches past 100, so it is clipped.
  const SatisfactionEstimate e = EstimateNps(4, 1, 0);
  EXPECT_DOUBLE_EQ(e.score, 80.0);
  EXPECT_NEAR(e.std_error, 100 * std::sqrt((0.8 - 0.64) / 5), 1e-12);
  EXPECT_DOUBLE_EQ(e.ci_high, 100.0);
  const SatisfactionEstimate all_detractors = EstimateNps(0, 0, 7);
  EXPECT_DOUBLE_EQ(all_detractors.score, -100.0);
  EXPECT_DOUBLE_EQ(all_detractors.ci_low, -100.0);
  EXPECT_DOUBLE_EQ(all_detractors.ci_high, -100.0);
  EXPECT_TRUE(std::isnan(EstimateNps(0, 0, 0).score));
}

TEST(SurveyEstimate, NpsOfCountsAgreesWithNumpy) {
  for (const nlohmann::json& c : SurveyFixture()["nps_counts"]) {
    ExpectMatches(EstimateNps(c["promoters"], c["passives"], c["detractors"]), c,
                  SurveyScale::kNps);
  }
}

TEST(SurveyEstimate, CsatHasTheWilsonInterval) {
  // 45 of 60 satisfied: p = 0.75, z² = 3.841458821; centre (p + z²/120) / (1 + z²/60) =
  // 0.734951, half-width z / (1 + z²/60) · √(p(1−p)/60 + z²/14400) = 0.107278.
  const SatisfactionEstimate e = EstimateCsat(45, 10, 5);
  EXPECT_DOUBLE_EQ(e.score, 75.0);
  EXPECT_NEAR(e.std_error, 5.590169944, 1e-9);
  EXPECT_NEAR(e.ci_low, 62.767929923, 1e-8);
  EXPECT_NEAR(e.ci_high, 84.223477470, 1e-8);
}

TEST(SurveyEstimate, BandsAndPeriods) {
  EXPECT_EQ(BandOf(SurveyScale::kNps, 6), SurveyBand::kLow);
  EXPECT_EQ(BandOf(SurveyScale::kNps, 7), SurveyBand::kMiddle);
  EXPECT_EQ(BandOf(SurveyScale::kNps, 8), SurveyBand::kMiddle);
  EXPECT_EQ(BandOf(SurveyScale::kNps, 9), SurveyBand::kHigh);
  EXPECT_EQ(BandOf(SurveyScale::kCsat, 2), SurveyBand::kLow);
  EXPECT_EQ(BandOf(SurveyScale::kCsat, 3), SurveyBand::kMiddle);
  EXPECT_EQ(BandOf(SurveyScale::kCsat, 4), SurveyBand::kHigh);
  EXPECT_EQ(PeriodOf(DaysFromCivil(2026, 3, 1), "month"), "2026-03");
  EXPECT_EQ(PeriodOf(DaysFromCivil(2026, 3, 1), "week"), "2026-02-23");  // a Sunday
  EXPECT_EQ(PeriodOf(DaysFromCivil(2026, 3, 2), "week"), "2026-03-02");  // a Monday
  EXPECT_EQ(PeriodOf(DaysFromCivil(1969, 12, 31), "week"), "1969-12-29");
}

TEST_F(Surveys, NpsOfATableAgreesWithPandas) {
  const SurveyReport r = Nps({});
  EXPECT_EQ(r.score_column, "score");
  EXPECT_EQ(r.skipped, 0);
  EXPECT_TRUE(r.groups.empty());
  ExpectMatches(r.overall, SurveyFixture()["nps"]["overall"], SurveyScale::kNps);
}

TEST_F(Surveys, NpsByAColumnAgreesWithPandas) {
  SurveyRequest q;
  q.by = "channel";
  const SurveyReport r = Nps(q);
  EXPECT_EQ(r.grouped_by, "channel");
  ExpectGroupsMatch(r, SurveyFixture()["nps"]["by_channel"], "channel", "");
}

TEST_F(Surveys, NpsOverMonthsAndWeeksAgreesWithPandas) {
  SurveyRequest q;
  q.over = "month";
  const SurveyReport months = Nps(q);
  EXPECT_EQ(months.time_column, "responded_on");  // the only date column
  ExpectGroupsMatch(months, SurveyFixture()["nps"]["by_month"], "", "month");
  q.over = "week";
  q.time_column = "responded_on";
  ExpectGroupsMatch(Nps(q), SurveyFixture()["nps"]["by_week"], "", "week");
}

TEST_F(Surveys, NpsBySegmentAndMonthAgreesWithPandas) {
  SaveSegments("default");
  // The segments of a segmentation, or the same column named as TABLE.COLUMN.
  SurveyRequest by_segment, by_joined_column;
  by_segment.by_segment = "default";
  by_joined_column.by = "segments.segment_name";
  for (SurveyRequest q : {by_segment, by_joined_column}) {
    q.over = "month";
    const SurveyReport r = Nps(q);
    SCOPED_TRACE(r.grouped_by);
    ExpectGroupsMatch(r, SurveyFixture()["nps"]["by_segment_month"], "segment_name", "month");
    // Groups in order, customers without a segment last.
    EXPECT_EQ(r.groups.front().group, "At risk");
    EXPECT_EQ(r.groups.front().period, "2025-11");
    EXPECT_EQ(r.groups.back().group, "(none)");
    EXPECT_EQ(r.groups.back().period, "2026-03");
    EXPECT_EQ(r.id_column, "customer_id");
  }
  EXPECT_EQ(Nps(by_segment).grouped_by, "segmentation default");
  EXPECT_EQ(Nps(by_joined_column).grouped_by, "segments.segment_name");
}

TEST_F(Surveys, CsatAgreesWithStatsmodels) {
  SurveyRequest q;
  q.table = "csat_answers";
  q.scale = SurveyScale::kCsat;
  const SurveyReport r = SummarizeSurvey(*store_, q, ctx_);
  ExpectMatches(r.overall, SurveyFixture()["csat"]["overall"], SurveyScale::kCsat);
  q.by = "channel";
  ExpectGroupsMatch(SummarizeSurvey(*store_, q, ctx_), SurveyFixture()["csat"]["by_channel"],
                    "channel", "");
  q.by.clear();
  q.over = "week";
  ExpectGroupsMatch(SummarizeSurvey(*store_, q, ctx_), SurveyFixture()["csat"]["by_week"], "",
                    "week");
}

TEST_F(Surveys, JsonNamesTheBandsOfTheScale) {
  SurveyRequest q;
  q.by = "channel";
  const nlohmann::json j = Nps(q).ToJson();
  EXPECT_EQ(j["scale"], "nps");
  EXPECT_EQ(j["overall"]["promoters"], SurveyFixture()["nps"]["overall"]["promoters"]);
  EXPECT_EQ(j["groups"][0]["group"], "app");
  EXPECT_TRUE(j["groups"][0].contains("detractors"));
  q.table = "csat_answers";
  q.scale = SurveyScale::kCsat;
  EXPECT_TRUE(SummarizeSurvey(*store_, q, ctx_).ToJson()["overall"].contains("satisfied"));
}

TEST_F(Surveys, EmptyScoresAreLeftOutAndCounted) {
  ColumnBuilder id(DataType::kInt64), nps(DataType::kInt64);
  for (int64_t v : {10, -1, 0, 9}) {
    id.AppendInt(static_cast<int64_t>(id.size()) + 1);
    v < 0 ? nps.AppendNull() : nps.AppendInt(v);
  }
  store_->WriteTable("few",
                     Table(Schema({{"customer_id", DataType::kInt64}, {"nps", DataType::kInt64}}),
                           {id.Finish(), nps.Finish()}),
                     {}, ctx_);
  SurveyRequest q;
  q.table = "few";
  const SurveyReport r = SummarizeSurvey(*store_, q, ctx_);
  EXPECT_EQ(r.score_column, "nps");  // found by its usual name
  EXPECT_EQ(r.skipped, 1);
  EXPECT_EQ(r.overall.responses, 3);
  EXPECT_NEAR(r.overall.score, 100.0 / 3, 1e-12);
  EXPECT_EQ(r.warnings.front(), "1 rows without a score were left out");
}

class SurveyErrors : public Surveys {
 protected:
  void WriteScores(const std::string& table, ColumnPtr scores) {
    ColumnVector<int64_t> ids;
    for (size_t r = 0; r < scores->size(); ++r) ids.push_back(static_cast<int64_t>(r + 1));
    store_->WriteTable(table,
                       Table(Schema({{"customer_id", DataType::kInt64}, {"score", scores->type()}}),
                             {Column::FromInts(DataType::kInt64, std::move(ids)), scores}),
                       {}, ctx_);
  }
  SurveyReport Run(const std::string& table, SurveyScale scale = SurveyScale::kNps) {
    SurveyRequest q;
    q.table = table;
    q.scale = scale;
    return SummarizeSurvey(*store_, q, ctx_);
  }
};

TEST_F(SurveyErrors, ScoreOutOfRangeNamesTableColumnRowAndValue) {
  WriteScores("bad", Column::FromInts(DataType::kInt64, {9, 10, 11}));
  ExpectError([&] { Run("bad"); }, ErrorCode::kInvalidData,
              "table bad, column score, row 3: 11 is out of range; NPS scores are whole numbers "
              "from 0 to 10");
  WriteScores("csat_bad", Column::FromInts(DataType::kInt64, {4, 9}));
  ExpectError([&] { Run("csat_bad", SurveyScale::kCsat); }, ErrorCode::kInvalidData,
              "table csat_bad, column score, row 2: 9 is out of range; CSAT scores are whole "
              "numbers from 1 to 5 (0 to 10 is the NPS scale)");
  WriteScores("zero", Column::FromInts(DataType::kInt64, {0}));
  ExpectError([&] { Run("zero", SurveyScale::kCsat); }, ErrorCode::kInvalidData,
              "table zero, column score, row 1: 0 is out of range; CSAT scores are whole numbers "
              "from 1 to 5 (0 to 10 is the NPS scale)");
}

TEST_F(SurveyErrors, ScoresThatAreNotWholeNumbers) {
  WriteScores("half", Column::FromDoubles({8.0, 7.5}));
  ExpectError([&] { Run("half"); }, ErrorCode::kInvalidData,
              "table half, column score, row 2: 7.5 is not a score; NPS scores are whole numbers "
              "from 0 to 10");
  WriteScores("text", Column::FromStringVector({"9", " 10 ", "n/a"}));
  ExpectError([&] { Run("text"); }, ErrorCode::kInvalidData,
              "table text, column score, row 3: \"n/a\" is not a score; NPS scores are whole "
              "numbers from 0 to 10");
  WriteScores("dated", Column::FromInts(DataType::kDate, {1, 2}));
  ExpectError([&] { Run("dated"); }, ErrorCode::kInvalidData,
              "table dated: column score holds date values, not scores; NPS scores are whole "
              "numbers from 0 to 10");
}

TEST_F(SurveyErrors, MissingTablesColumnsAndSegmentations) {
  ExpectErrorStartingWith([&] { Run("nps_answer"); }, "no table \"nps_answer\" in the workspace.",
                          "Did you mean \"nps_answers\"?");
  SurveyRequest q;
  q.score_column = "scor";
  ExpectError([&] { Nps(q); }, ErrorCode::kNotFound,
              "table nps_answers has no column \"scor\". Did you mean \"score\"? Columns: "
              "customer_id, responded_on, channel, score.");
  store_->WriteTable("noscore", FixtureResponses("nps").Select({"customer_id", "channel"}), {},
                     ctx_);
  ExpectError([&] { Run("noscore"); }, ErrorCode::kNotFound,
              "table noscore has no score column (looked for score, nps, nps_score, "
              "likelihood_to_recommend); name the column that holds the NPS scores. Columns: "
              "customer_id, channel.");
  q = {};
  q.by = "chanel";
  ExpectError([&] { Nps(q); }, ErrorCode::kNotFound,
              "table nps_answers has no column \"chanel\". Did you mean \"channel\"? Columns: "
              "customer_id, responded_on, channel, score.");
  q = {};
  q.by_segment = "rfm";
  ExpectError([&] { Nps(q); }, ErrorCode::kNotFound,
              "no segmentation \"rfm\". Segmentations: none yet (use prospect segment).");
}

TEST_F(SurveyErrors, SegmentsTableOfAnotherSegmentation) {
  // Two segmentations of the customers, run one after the other: the segments table holds the
  // second's assignments, so only the second can group the answers.
  ColumnBuilder id(DataType::kInt64), x(DataType::kDouble);
  for (int64_t i = 1; i <= 400; ++i) {
    id.AppendInt(i);
    x.AppendDouble(static_cast<double>(i % 7 + (i % 2) * 20));
  }
  store_->WriteTable("people",
                     Table(Schema({{"customer_id", DataType::kInt64}, {"x", DataType::kDouble}}),
                           {id.Finish(), x.Finish()}),
                     {}, ctx_);
  SegmentRequest s;
  s.table = "people";
  s.features = {"x"};
  s.k = "2";
  s.name = "first";
  RunSegmentation(*store_, s, ctx_);
  s.name = "second";
  RunSegmentation(*store_, s, ctx_);
  SurveyRequest q;
  q.by_segment = "first";
  ExpectError([&] { Nps(q); }, ErrorCode::kFailedPrecondition,
              "the segments table holds the segments of segmentation \"second\", run after "
              "\"first\"; run segmentation \"first\" again to group by it");
  q.by_segment = "second";
  const SurveyReport r = Nps(q);
  ASSERT_EQ(r.groups.size(), 2u);  // every customer has a segment
  EXPECT_EQ(r.groups[0].group, "Segment 1");
  EXPECT_EQ(r.groups[0].responses + r.groups[1].responses, r.overall.responses);
}

TEST_F(SurveyErrors, BadSettings) {
  SurveyRequest q;
  q.over = "quarter";
  ExpectError([&] { Nps(q); }, ErrorCode::kInvalidArgument,
              "over \"quarter\": expected month or week");
  q = {};
  q.by = "channel";
  q.by_segment = "default";
  ExpectError([&] { Nps(q); }, ErrorCode::kInvalidArgument,
              "group the responses by a column or by a segmentation, not both (got \"channel\" "
              "and \"default\")");
  q = {};
  q.confidence = 95;
  ExpectError([&] { Nps(q); }, ErrorCode::kInvalidArgument,
              "confidence 95: expected a number between 0 and 1 (0.95 for a 95% interval)");
  q = {};
  q.over = "month";
  q.time_column = "channel";
  ExpectError([&] { Nps(q); }, ErrorCode::kInvalidData,
              "table nps_answers: column channel holds string values, not dates or timestamps");
  store_->WriteTable("undated", FixtureResponses("nps").Select({"customer_id", "score"}), {}, ctx_);
  q = {};
  q.table = "undated";
  q.over = "week";
  ExpectError([&] { SummarizeSurvey(*store_, q, ctx_); }, ErrorCode::kInvalidArgument,
              "table undated has 0 date or timestamp columns; name the time column to group by "
              "week");
  EXPECT_THROW(ParseSurveyScale("ces"), Error);
}

}  // namespace
}  // namespace prospect
