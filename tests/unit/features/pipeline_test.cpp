// FeaturePipeline against scikit-learn (tests/fixtures/features/make_pipeline_fixtures.py) and
// hand-computed target encoding; serialisation round trip; unseen categories; errors.
#include "prospect/features/pipeline.hpp"

#include <gtest/gtest.h>

#include <random>

#include "prospect/common/error.hpp"
#include "support/expect_error.hpp"
#include "support/json_fixture.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

const nlohmann::json& Fixtures() {
  return testing::LoadJsonFixture("features/pipeline_fixtures.json");
}

Table FixtureTable(const nlohmann::json& data) {
  ColumnBuilder age(DataType::kDouble), spend(DataType::kDouble), channel(DataType::kCategorical);
  for (const auto& v : data["age"])
    v.is_null() ? age.AppendNull() : age.AppendDouble(v.get<double>());
  for (const auto& v : data["spend"]) spend.AppendDouble(v.get<double>());
  for (const auto& v : data["channel"])
    v.is_null() ? channel.AppendNull() : channel.AppendString(v.get<std::string>());
  return Table(Schema({{"age", DataType::kDouble},
                       {"spend", DataType::kDouble},
                       {"channel", DataType::kCategorical}}),
               {age.Finish(), spend.Finish(), channel.Finish()});
}

TEST(FeaturePipeline, NumericImputeAndScaleMatchSklearn) {
  const auto fx = Fixtures();
  const Table t = FixtureTable(fx["data"]);
  Context ctx(1);
  for (const std::string impute : {"median", "mean"}) {
    for (const std::string scale : {"standard", "minmax", "robust"}) {
      PipelineParams params;
      params.impute = impute;
      params.scale = scale;
      FeaturePipeline p(params);
      const auto m = p.FitTransform(t, {"age", "spend"}, nullptr, ctx);
      ASSERT_EQ(p.feature_names(), (std::vector<std::string>{"age", "age_missing", "spend"}));
      const auto& expected = fx["numeric_" + impute + "_" + scale];
      for (size_t r = 0; r < t.num_rows(); ++r) {
        EXPECT_NEAR(m.values()[r * 3 + 0], expected["age"][r].get<double>(), 1e-12)
            << impute << " " << scale << " row " << r;
        EXPECT_EQ(m.values()[r * 3 + 1], expected["age_missing"][r].get<double>());
        EXPECT_NEAR(m.values()[r * 3 + 2], expected["spend"][r].get<double>(), 1e-12)
            << impute << " " << scale << " row " << r;
      }
    }
  }
}

TEST(FeaturePipeline, OneHotWithRareBucketMatchesSklearnInfrequent) {
  const auto fx = Fixtures();
  const Table t = FixtureTable(fx["data"]);
  Context ctx(1);
  PipelineParams params;
  params.max_categories = 2;
  FeaturePipeline p(params);
  const auto m = p.FitTransform(t, {"channel"}, nullptr, ctx);
  ASSERT_EQ(p.feature_names(),
            (std::vector<std::string>{"channel=web", "channel=app", "channel=__other__"}));
  const auto& expected = fx["onehot_max2"];  // sklearn order: app, web, infrequent
  for (size_t r = 0; r < t.num_rows(); ++r) {
    EXPECT_EQ(m.values()[r * 3 + 0], expected["values"][r][1].get<double>()) << r;
    EXPECT_EQ(m.values()[r * 3 + 1], expected["values"][r][0].get<double>()) << r;
    EXPECT_EQ(m.values()[r * 3 + 2], expected["values"][r][2].get<double>()) << r;
  }
  // An unseen level goes to the rare bucket, as in sklearn's infrequent_if_exist.
  const Table unseen(Schema({{"channel", DataType::kString}}), {Column::FromStringVector({"tv"})});
  EXPECT_EQ(p.Transform(unseen, ctx).values(), (std::vector<double>{0, 0, 1}));
}

TEST(FeaturePipeline, TargetEncodingIsSmoothedAndOutOfFold) {
  // Levels a (4 rows, target 1,1,1,0) and b (2 rows, 0,0); prior = 3/6; m = 2.
  const Table t(Schema({{"c", DataType::kString}}),
                {Column::FromStringVector({"a", "a", "a", "a", "b", "b"})});
  const std::vector<double> y = {1, 1, 1, 0, 0, 0};
  PipelineParams params;
  params.categorical = "target";
  params.target_smoothing = 2;
  params.target_folds = 2;
  FeaturePipeline p(params);
  Context ctx(1);
  const auto train = p.FitTransform(t, {"c"}, &y, ctx);
  const Table fresh(Schema({{"c", DataType::kString}}),
                    {Column::FromStringVector({"a", "b", "zzz"})});
  const auto applied = p.Transform(fresh, ctx);
  EXPECT_DOUBLE_EQ(applied.values()[0], (3 + 2 * 0.5) / (4 + 2));  // 2/3
  EXPECT_DOUBLE_EQ(applied.values()[1], (0 + 2 * 0.5) / (2 + 2));  // 1/4
  EXPECT_DOUBLE_EQ(applied.values()[2], 0.5);                      // unseen → prior
  // Out of fold: a training row's value never equals the full-data value computed with its own
  // label for these rows, and each is a smoothed mean of the other fold only.
  for (size_t r = 0; r < 6; ++r) {
    EXPECT_GE(train.values()[r], 0.0);
    EXPECT_LE(train.values()[r], 1.0);
  }
  EXPECT_NE(train.values(), std::vector<double>(6, applied.values()[0]));
}

TEST(FeaturePipeline, TargetEncodingOfARowNeverSeesItsOwnLabel) {
  // Out of fold means a training row's encoded value does not depend on its own label: flip one
  // label, refit with the same seed (same folds), and that row's value must stay the same while
  // rows of other folds with its level change. In-sample encoding changes the row's own value.
  std::mt19937 rng(3);
  std::vector<std::string> levels;
  std::vector<double> y;
  for (int i = 0; i < 60; ++i) {
    levels.push_back(std::string(1, static_cast<char>('a' + rng() % 3)));
    y.push_back(static_cast<double>(rng() % 2));
  }
  const Table t(Schema({{"c", DataType::kString}}), {Column::FromStringVector(levels)});
  PipelineParams params;
  params.categorical = "target";
  params.target_smoothing = 1;
  params.target_folds = 5;
  const Context ctx(1, 7);
  const DenseMatrix base = FeaturePipeline(params).FitTransform(t, {"c"}, &y, ctx);
  for (size_t r = 0; r < y.size(); ++r) {
    std::vector<double> flipped = y;
    flipped[r] = 1 - flipped[r];
    const DenseMatrix again = FeaturePipeline(params).FitTransform(t, {"c"}, &flipped, ctx);
    EXPECT_EQ(again.values()[r], base.values()[r])
        << "row " << r << " is encoded with its own label";
    size_t changed = 0;
    for (size_t o = 0; o < y.size(); ++o) changed += again.values()[o] != base.values()[o];
    EXPECT_GT(changed, 0u) << "flipping row " << r << " changed no encoding at all";
  }
}

TEST(FeaturePipeline, JsonRoundTripGivesIdenticalOutput) {
  const auto fx = Fixtures();
  const Table t = FixtureTable(fx["data"]);
  Context ctx(1);
  FeaturePipeline p;
  const auto m = p.FitTransform(t, {"age", "spend", "channel"}, nullptr, ctx);
  const FeaturePipeline back = FeaturePipeline::FromJson(nlohmann::json::parse(p.ToJson().dump()));
  EXPECT_EQ(back.feature_names(), p.feature_names());
  EXPECT_EQ(back.Transform(t, ctx).values(), p.Transform(t, ctx).values());
  EXPECT_EQ(p.Transform(t, ctx).values(),
            m.values());  // no target encoding: fit output equals applied output
}

TEST(FeaturePipeline, MissingOrRetypedColumnIsNamed) {
  const auto fx = Fixtures();
  const Table t = FixtureTable(fx["data"]);
  Context ctx(1);
  FeaturePipeline p;
  (void)p.FitTransform(t, {"age", "channel"}, nullptr, ctx);
  const Table no_age = t.Select({"spend", "channel"});
  ExpectError(
      [&] { (void)p.Transform(no_age, ctx); }, ErrorCode::kInvalidData,
      "the data has no column \"age\", which the model was trained on (2 columns: age, channel)");
  const Table retyped(Schema({{"age", DataType::kString}, {"channel", DataType::kString}}),
                      {Column::FromStringVector({"x"}), Column::FromStringVector({"web"})});
  EXPECT_THROW((void)p.Transform(retyped, ctx), Error);
}

TEST(FeaturePipeline, RejectsFutureFormatAndMalformedJson) {
  EXPECT_THROW((void)FeaturePipeline::FromJson({{"format_version", 99}}), Error);
  EXPECT_THROW((void)FeaturePipeline::FromJson({{"format_version", 1}, {"params", 3}}), Error);
  EXPECT_THROW((void)FeaturePipeline::FromJson(nlohmann::json::array()), Error);
}

}  // namespace
}  // namespace prospect
