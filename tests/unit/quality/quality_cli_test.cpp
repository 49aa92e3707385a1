// `prospect quality` and `prospect report` as a user runs them: human output, --json purity,
// --clean writing the table and the recipe, and errors.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "prospect/quality/cleaning.hpp"
#include "prospect/workspace/workspace.hpp"
#include "support/cli_expect.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using testing::ExpectCliErrorStartingWith;
using testing::RunCli;
using testing::TempDir;

std::string MakeQualityWorkspace(const TempDir& dir, const std::string& cleaning_toml = "") {
  const std::string ws_dir = dir.File("w");
  Workspace::Init(ws_dir);
  if (!cleaning_toml.empty()) {
    std::ofstream(ws_dir + "/prospect.toml", std::ios::app) << cleaning_toml;
  }
  const Table t(
      Schema({{"id", DataType::kInt64}, {"age", DataType::kDouble}, {"pdays", DataType::kInt64}}),
      {Column::FromInts(DataType::kInt64, {1, 2, 2, 3, 4, 4}),
       Column::FromDoubles({30, 0, 40, 50, 60, 60}, {1, 0, 1, 1, 1, 1}),
       Column::FromInts(DataType::kInt64, {999, 999, 999, 5, 3, 3})});
  Workspace::Open(ws_dir).store().WriteTable("bank", t, {}, Context(1));
  return ws_dir;
}

TEST(CliQuality, PrintsColumnsAndFindings) {
  TempDir dir;
  const std::string ws = MakeQualityWorkspace(dir);
  auto r = RunCli("--workspace " + ws + " quality bank");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Table bank: 6 rows × 3 columns; 1 duplicate rows"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("age: 16.7% missing (1 of 6)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("pdays: 50.0% of values are 999 (3 of 6)"), std::string::npos) << r.out;
}

TEST(CliQuality, JsonIsOneDocumentWithEverything) {
  TempDir dir;
  const std::string ws = MakeQualityWorkspace(dir);
  auto r = RunCli("--workspace " + ws + " --json quality bank --key id");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["rows"], 6);
  EXPECT_EQ(doc["key"], "id");
  EXPECT_EQ(doc["duplicate_keys"], 2);
  EXPECT_EQ(doc["columns"][1]["numeric"]["quantiles"]["p50"], 50.0);
  EXPECT_TRUE(doc["findings"].is_array());
}

TEST(CliQuality, CleanWritesTheTableAndTheRecipe) {
  TempDir dir;
  const std::string ws = MakeQualityWorkspace(
      dir,
      "\n[[cleaning.bank]]\nstep = \"map\"\ncolumn = \"pdays\"\nto_null = [999]\n"
      "[[cleaning.bank]]\nstep = \"impute\"\ncolumn = \"age\"\nmethod = \"median\"\n"
      "indicator = true\n[[cleaning.bank]]\nstep = \"deduplicate\"\n");
  auto r = RunCli("--workspace " + ws + " quality bank --clean");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Cleaned bank into bank_clean: 6 → 5 rows (1 removed), 4 columns."),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("imputed 1 cells of age with median 50.0 (flag in age_missing)"),
            std::string::npos)
      << r.out;
  Workspace w = Workspace::Open(ws);
  const Table cleaned = w.store().LoadTable("bank_clean", Context(1));
  EXPECT_EQ(cleaned.num_rows(), 5u);
  EXPECT_EQ(cleaned.column("pdays").null_count(), 3u);
  const auto recipe = LoadCleaningRecipe(w.store(), "bank");
  ASSERT_TRUE(recipe.has_value());
  EXPECT_EQ(recipe->steps[1].fill, nlohmann::json(50.0));

  r = RunCli("--workspace " + ws + " --json quality bank --clean --out-table bank2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["out_table"], "bank2");
  EXPECT_EQ(doc["recipe_version"], 2);
  EXPECT_EQ(doc["summary"]["rows_removed"], 1);
}

TEST(CliQuality, CleanWithoutStepsSaysHowToDeclareThem) {
  TempDir dir;
  const std::string ws = MakeQualityWorkspace(dir);
  auto r = RunCli("--workspace " + ws + " quality bank --clean");
  ExpectCliErrorStartingWith(
      r, 6,
      "error: no cleaning steps for table bank in prospect.toml. Add them as blocks, e.g.\n"
      "[[cleaning.bank]]\n");
}

TEST(CliQuality, UnknownTableIsNotFound) {
  TempDir dir;
  const std::string ws = MakeQualityWorkspace(dir);
  auto r = RunCli("--workspace " + ws + " quality bnak");
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("bnak"), std::string::npos) << r.err;
}

TEST(CliReport, WritesAnOfflineHtmlFile) {
  TempDir dir;
  const std::string ws = MakeQualityWorkspace(dir);
  auto r = RunCli("--workspace " + ws + " --json report --out " + dir.File("r.html"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["out"], dir.File("r.html"));
  EXPECT_EQ(doc["sections_with_results"], 2);
  EXPECT_TRUE(std::filesystem::exists(dir.File("r.html")));
  for (const char* cmd : {"quality", "report"}) {
    auto h = RunCli(std::string(cmd) + " --help");
    EXPECT_EQ(h.exit_code, 0);
    EXPECT_NE(h.out.find("Examples:"), std::string::npos) << cmd;
  }
}

}  // namespace
}  // namespace prospect
