// Cleaning recipes: fitted values computed by hand, re-application to new data with the stored
// values (never refitted), JSON and store round trips, and the errors a config mistake gives.
#include "prospect/quality/cleaning.hpp"

#include <gtest/gtest.h>

#include "prospect/common/error.hpp"
#include "support/expect_error.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using nlohmann::json;

std::vector<std::string> Cells(const Table& t, const std::string& column) {
  std::vector<std::string> out;
  const Column& c = t.column(column);
  for (size_t r = 0; r < c.size(); ++r) out.push_back(c.IsNull(r) ? "NULL" : c.FormatValue(r));
  return out;
}

Table Training() {
  return Table(Schema({{"id", DataType::kInt64},
                       {"age", DataType::kDouble},
                       {"pdays", DataType::kInt64},
                       {"income", DataType::kInt64},
                       {"gender", DataType::kString}}),
               {Column::FromInts(DataType::kInt64, {1, 2, 2, 3, 4, 5}),
                Column::FromDoubles({10, 0, 30, 20, 0, 100}, {1, 0, 1, 1, 0, 1}),
                Column::FromInts(DataType::kInt64, {999, 3, 999, 5, 999, 1}),
                Column::FromInts(DataType::kInt64, {1, 2, 3, 4, 5, 1000}),
                Column::FromStringVector({"Male", "male ", "Male", "Female", "", "female"},
                                         {1, 1, 1, 1, 0, 1})});
}

json Steps() {
  return json::parse(R"([
    {"step": "map", "column": "pdays", "to_null": [999]},
    {"step": "impute", "column": "age", "method": "median", "indicator": true},
    {"step": "clip", "column": "income", "method": "iqr"},
    {"step": "map", "column": "gender", "canonical": true},
    {"step": "impute", "column": "gender", "method": "mode"},
    {"step": "deduplicate", "columns": ["id"]}
  ])");
}

TEST(Cleaning, FitsTheValuesComputedByHand) {
  const CleaningRecipe recipe = FitCleaning(Training(), "people", Steps(), Context(1));
  ASSERT_EQ(recipe.steps.size(), 6u);
  EXPECT_EQ(recipe.fitted_rows, 6);
  // median of {10, 20, 30, 100}
  EXPECT_EQ(recipe.steps[1].fill, json(25.0));
  // income {1,2,3,4,5,1000}: Q1 = 2.25, Q3 = 4.75, IQR = 2.5 → fences −1.5 and 8.5
  EXPECT_DOUBLE_EQ(*recipe.steps[2].lower, -1.5);
  EXPECT_DOUBLE_EQ(*recipe.steps[2].upper, 8.5);
  // "Male" ×2 beats "male "; "Female"/"female" tie → the smaller text
  EXPECT_EQ(recipe.steps[3].canonical, json({{"female", "Female"}, {"male", "Male"}}));
  // fitted after the spelling map: Male ×3, Female ×2
  EXPECT_EQ(recipe.steps[4].fill, json("Male"));
}

TEST(Cleaning, ApplyOnTheFitTableGivesTheHandComputedResult) {
  const Table train = Training();
  const CleaningRecipe recipe = FitCleaning(train, "people", Steps(), Context(1));
  CleaningSummary summary;
  const Table out = ApplyCleaning(recipe, train, Context(1), &summary);
  EXPECT_EQ(Cells(out, "id"), (std::vector<std::string>{"1", "2", "3", "4", "5"}));
  EXPECT_EQ(Cells(out, "age"), (std::vector<std::string>{"10.0", "25.0", "20.0", "25.0", "100.0"}));
  EXPECT_EQ(Cells(out, "age_missing"),
            (std::vector<std::string>{"false", "true", "false", "true", "false"}));
  EXPECT_EQ(Cells(out, "pdays"), (std::vector<std::string>{"NULL", "3", "5", "NULL", "1"}));
  EXPECT_EQ(out.column("income").type(), DataType::kDouble);  // 8.5 is not a whole number
  EXPECT_EQ(Cells(out, "income"), (std::vector<std::string>{"1.0", "2.0", "4.0", "5.0", "8.5"}));
  EXPECT_EQ(Cells(out, "gender"),
            (std::vector<std::string>{"Male", "Male", "Female", "Male", "Female"}));
  EXPECT_EQ(summary.rows_before, 6);
  EXPECT_EQ(summary.rows_after, 5);
  ASSERT_EQ(summary.steps.size(), 6u);
  EXPECT_EQ(summary.steps[0].cells_changed, 3);  // three 999s to null
  EXPECT_EQ(summary.steps[1].description,
            "imputed 2 cells of age with median 25.0 (flag in age_missing)");
  EXPECT_EQ(summary.steps[2].description, "clipped 1 cells of income to [-1.5, 8.5] (iqr)");
  EXPECT_EQ(summary.steps[3].cells_changed, 2);  // "male " → Male, "female" → Female
  EXPECT_EQ(summary.steps[4].cells_changed, 1);
  EXPECT_EQ(summary.steps[5].rows_removed, 1);
}

TEST(Cleaning, NewDataGetsTheStoredValuesNotRefittedOnes) {
  const CleaningRecipe recipe = FitCleaning(Training(), "people", Steps(), Context(1));
  // Refitting on this data would give median age 50, other fences and mode "Female".
  const Table fresh(
      Schema({{"id", DataType::kInt64},
              {"age", DataType::kDouble},
              {"pdays", DataType::kInt64},
              {"income", DataType::kInt64},
              {"gender", DataType::kString}}),
      {Column::FromInts(DataType::kInt64, {9, 9, 10}), Column::FromDoubles({0, 50, 0}, {0, 1, 0}),
       Column::FromInts(DataType::kInt64, {999, 7, 2}),
       Column::FromInts(DataType::kInt64, {2000, -100, 3}),
       Column::FromStringVector({"FEMALE ", "", "female"}, {1, 0, 1})});
  CleaningSummary summary;
  const Table out = ApplyCleaning(recipe, fresh, Context(1), &summary);
  EXPECT_EQ(Cells(out, "id"), (std::vector<std::string>{"9", "10"}));
  EXPECT_EQ(Cells(out, "age"), (std::vector<std::string>{"25.0", "25.0"}));
  EXPECT_EQ(Cells(out, "pdays"), (std::vector<std::string>{"NULL", "2"}));
  EXPECT_EQ(Cells(out, "income"), (std::vector<std::string>{"8.5", "3.0"}));
  // An unseen spelling folds onto the fitted canonical one.
  EXPECT_EQ(Cells(out, "gender"), (std::vector<std::string>{"Female", "Female"}));
  EXPECT_EQ(summary.rows_before - summary.rows_after, 1);
}

TEST(Cleaning, RecipeSurvivesJsonAndStoreRoundTrips) {
  const Table train = Training();
  const CleaningRecipe recipe = FitCleaning(train, "people", Steps(), Context(1));
  const json j = recipe.ToJson();
  EXPECT_EQ(j["format"], "prospect.cleaning_recipe");
  const CleaningRecipe back = CleaningRecipe::FromJson(json::parse(j.dump()));
  EXPECT_EQ(back.ToJson(), j);
  const Table a = ApplyCleaning(recipe, train, Context(1));
  const Table b = ApplyCleaning(back, train, Context(1));
  for (const auto& name : a.schema().Names()) EXPECT_EQ(Cells(a, name), Cells(b, name)) << name;

  testing::TempDir dir;
  auto store = Store::Open("sqlite:" + dir.File("s.db"));
  EXPECT_FALSE(LoadCleaningRecipe(*store, "people").has_value());
  EXPECT_EQ(SaveCleaningRecipe(*store, recipe), 1);
  const auto loaded = LoadCleaningRecipe(*store, "people");
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->ToJson(), j);
}

TEST(Cleaning, ImputeMeanConstantAndClipLimitsKeepIntegerColumnsWhenWhole) {
  const Table t(Schema({{"n", DataType::kInt64}, {"s", DataType::kCategorical}}),
                {Column::FromInts(DataType::kInt64, {1, 0, 3, 8}, {1, 0, 1, 1}),
                 Column::FromCategorical({0, -1, 1, 0}, {"a", "b"})});
  const json steps = json::parse(R"([
    {"step": "impute", "column": "n", "method": "mean"},
    {"step": "impute", "column": "s", "method": "constant", "value": "none"},
    {"step": "clip", "column": "n", "lower": 2, "upper": 6}
  ])");
  const CleaningRecipe recipe = FitCleaning(t, "t", steps, Context(1));
  EXPECT_EQ(recipe.steps[0].fill, json(4));  // (1 + 3 + 8) / 3
  const Table out = ApplyCleaning(recipe, t, Context(1));
  EXPECT_EQ(out.column("n").type(), DataType::kInt64);
  EXPECT_EQ(Cells(out, "n"), (std::vector<std::string>{"2", "4", "3", "6"}));
  EXPECT_EQ(out.column("s").type(), DataType::kCategorical);
  EXPECT_EQ(Cells(out, "s"), (std::vector<std::string>{"a", "none", "b", "a"}));
}

TEST(Cleaning, DeduplicateWithoutColumnsComparesWholeRows) {
  const Table t(Schema({{"a", DataType::kInt64}, {"b", DataType::kString}}),
                {Column::FromInts(DataType::kInt64, {1, 1, 1, 2}),
                 Column::FromStringVector({"x", "y", "x", "x"})});
  const CleaningRecipe recipe =
      FitCleaning(t, "t", json::parse(R"([{"step": "deduplicate"}])"), Context(1));
  const Table out = ApplyCleaning(recipe, t, Context(1));
  EXPECT_EQ(Cells(out, "b"), (std::vector<std::string>{"x", "y", "x"}));
  EXPECT_EQ(Cells(out, "a"), (std::vector<std::string>{"1", "1", "2"}));
}

void ExpectFitError(const json& steps, ErrorCode code, const std::string& message,
                    std::source_location where = std::source_location::current()) {
  ExpectError([&] { (void)FitCleaning(Training(), "people", steps, Context(1)); }, code, message,
              where);
}

TEST(Cleaning, ConfigMistakesGiveActionableErrors) {
  ExpectFitError(json::parse(R"([{"step": "imptue", "column": "age"}])"),
                 ErrorCode::kInvalidArgument,
                 "[[cleaning.people]] step 1 (step=\"imptue\"): unknown step \"imptue\". Did you "
                 "mean \"impute\"? "
                 "Valid: impute, deduplicate, clip, map");
  ExpectFitError(json::parse(R"([{"step": "impute", "column": "age", "methd": "mean"}])"),
                 ErrorCode::kInvalidArgument,
                 "[[cleaning.people]] step 1 (step=\"impute\"): unknown option \"methd\". Did you "
                 "mean \"method\"? "
                 "Options of this step: step, column, method, value, indicator");
  ExpectFitError(json::parse(R"([{"step": "clip", "column": "agee"}])"), ErrorCode::kNotFound,
                 "[[cleaning.people]] step 1 (step=\"clip\"): no column \"agee\" in the table. Did "
                 "you mean \"age\"? "
                 "Columns: id, age, pdays, income, gender");
  ExpectFitError(json::parse(R"([{"step": "impute", "column": "gender", "method": "median"}])"),
                 ErrorCode::kInvalidData,
                 "[[cleaning.people]] step 1 (step=\"impute\"): method median needs a numeric "
                 "column, but gender is "
                 "string; use method = \"mode\" or \"constant\"");
  ExpectFitError(json(), ErrorCode::kFailedPrecondition,
                 "no cleaning steps for table people in prospect.toml. Add them as blocks, "
                 "e.g.\n[[cleaning.people]]\n"
                 "step = \"impute\"\ncolumn = \"age\"\nmethod = \"median\"\nindicator = true");
}

TEST(Cleaning, ApplyToATableWithoutTheColumnIsNotFound) {
  const CleaningRecipe recipe = FitCleaning(Training(), "people", Steps(), Context(1));
  const Table other(Schema({{"id", DataType::kInt64}}), {Column::FromInts(DataType::kInt64, {1})});
  try {
    (void)ApplyCleaning(recipe, other, Context(1));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(e.what()).find("no column \"pdays\""), std::string::npos) << e.what();
  }
}

TEST(Cleaning, MalformedRecipeJsonIsInvalidData) {
  EXPECT_THROW((void)CleaningRecipe::FromJson(json::parse(R"({"format": "x"})")), Error);
  json j = FitCleaning(Training(), "people", Steps(), Context(1)).ToJson();
  j["steps"][1].erase("fill");
  ExpectError([&] { (void)CleaningRecipe::FromJson(j); }, ErrorCode::kInvalidData,
              "cleaning recipe step 2: field fill is missing or has the wrong type");
}

}  // namespace
}  // namespace prospect
