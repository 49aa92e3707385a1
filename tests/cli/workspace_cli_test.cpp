// The CLI as a user runs it: init, tables, export, ingest errors, exit codes, --json purity.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "prospect/common/strings.hpp"
#include "prospect/models/classify/classifier.hpp"
#include "prospect/models/cluster/clusterer.hpp"
#include "prospect/models/regress/regressor.hpp"
#include "support/cli_expect.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using testing::ExpectCliErrorStartingWith;
using testing::RunCli;
using testing::TempDir;

TEST(CliWorkspace, InitCreatesConfigAndStoreAndRefusesTwice) {
  TempDir dir;
  const std::string ws = dir.File("shop");
  auto r = RunCli("init " + ws);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(ws + "/prospect.toml"));
  EXPECT_TRUE(std::filesystem::exists(ws + "/prospect.db"));
  r = RunCli("init " + ws);
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_EQ(r.err,
            "error: " + ws + " already holds a workspace (" + ws + "/prospect.toml exists)\n");
}

TEST(CliWorkspace, CommandsOutsideAWorkspaceExplainHowToMakeOne) {
  TempDir dir;
  auto r = RunCli("--workspace " + dir.path() + " tables");
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("no workspace in " + dir.path() +
                       " (no prospect.toml). Create one with: prospect init"),
            std::string::npos)
      << r.err;
}

TEST(CliWorkspace, TablesJsonIsOneDocumentOnStdout) {
  TempDir dir;
  ASSERT_EQ(RunCli("init " + dir.path() + "/w").exit_code, 0);
  auto r = RunCli("--workspace " + dir.path() + "/w --json tables");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_TRUE(doc["tables"].is_array());
  EXPECT_EQ(doc["tables"].size(), 0u);
}

TEST(CliWorkspace, GlobalOptionsWorkAfterTheCommandToo) {
  TempDir dir;
  ASSERT_EQ(RunCli("init " + dir.path() + "/w").exit_code, 0);
  auto r = RunCli("tables --workspace " + dir.path() + "/w --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(nlohmann::json::parse(r.out).contains("tables"));
}

TEST(CliWorkspace, UnknownCommandAndBadFlagsExitTwo) {
  auto unknown = RunCli("frobnicate");
  ExpectCliErrorStartingWith(unknown, 2,
                             "error: unknown command \"frobnicate\". Commands: init, generate,");
  auto typo = RunCli("--workspace w segmnt --k 3");
  ExpectCliErrorStartingWith(
      typo, 2, "error: unknown command \"segmnt\". Did you mean \"segment\"? Commands:");
  TempDir dir;
  ASSERT_EQ(RunCli("init " + dir.path() + "/w").exit_code, 0);
  auto r = RunCli("--workspace " + dir.path() + "/w ingest t x.csv --mode sideways");
  ExpectCliErrorStartingWith(r, 2, "error: ");
  EXPECT_NE(r.err.find("sideways"), std::string::npos) << r.err;
}

TEST(CliWorkspace, IngestOfMissingFileIsNotFound) {
  TempDir dir;
  ASSERT_EQ(RunCli("init " + dir.path() + "/w").exit_code, 0);
  auto r = RunCli("--workspace " + dir.path() + "/w ingest t " + dir.path() + "/nope.csv");
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.err, "error: file " + dir.path() + "/nope.csv does not exist\n");
}

TEST(CliWorkspace, ExportOfMissingTableSuggestsIngest) {
  TempDir dir;
  ASSERT_EQ(RunCli("init " + dir.path() + "/w").exit_code, 0);
  auto r =
      RunCli("--workspace " + dir.path() + "/w export customers --out " + dir.path() + "/c.csv");
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(
      r.err,
      "error: no table \"customers\" in the workspace. Tables: none yet (use prospect ingest).\n");
}

// The commands are read from `prospect --help` (and each group's --help), so a new command is
// checked without editing this list.
std::vector<std::string> SubcommandsIn(const std::string& help) {
  std::vector<std::string> names;
  const size_t at = help.find("Subcommands:\n");
  if (at == std::string::npos) return names;
  std::istringstream lines(help.substr(at + 13));
  std::string line;
  while (std::getline(lines, line) && line.rfind("  ", 0) == 0) {
    std::istringstream words(line);
    std::string name;
    words >> name;
    names.push_back(name);
  }
  return names;
}

TEST(CliWorkspace, EveryCommandHasHelpWithExamplesAndTheGlobalOptions) {
  std::vector<std::string> commands = SubcommandsIn(RunCli("--help").out);
  ASSERT_GE(commands.size(), 17u);
  size_t checked = 0;
  for (size_t i = 0; i < commands.size(); ++i) {
    auto r = RunCli(commands[i] + " --help");
    EXPECT_EQ(r.exit_code, 0) << commands[i];
    const auto nested = SubcommandsIn(r.out);
    if (!nested.empty()) {  // a group (experiment, models): check its commands instead
      for (const auto& n : nested) commands.push_back(commands[i] + " " + n);
      continue;
    }
    ++checked;
    EXPECT_NE(r.out.find("Examples:\n  prospect "), std::string::npos) << commands[i];
    EXPECT_NE(
        r.out.find("Global options (every command, before or after its name):\n  --workspace DIR"),
        std::string::npos)
        << commands[i];
  }
  EXPECT_GE(checked, 20u);
}

// `--help` lists each algorithm's parameters from its registry entry, so a parameter added to a
// model shows up without touching the CLI.
TEST(CliWorkspace, TrainAndSegmentHelpListEveryRegisteredParameter) {
  const std::string train = RunCli("train --help").out;
  EXPECT_NE(train.find(DescribeAlgorithms(ClassifierRegistry())), std::string::npos) << train;
  EXPECT_NE(train.find(DescribeAlgorithms(RegressorRegistry())), std::string::npos) << train;
  EXPECT_NE(train.find("      early_stopping_rounds=30 (0 to 100000)  stop after"),
            std::string::npos)
      << train;
  const std::string segment = RunCli("segment --help").out;
  EXPECT_NE(segment.find(DescribeAlgorithms(ClustererRegistry())), std::string::npos) << segment;
  EXPECT_NE(segment.find("      covariance=full (full|diag)"), std::string::npos) << segment;
}

TEST(CliWorkspace, ExportToDashWritesStandardOutput) {
  TempDir dir;
  const std::string ws = "--workspace " + dir.path() + "/w ";
  ASSERT_EQ(RunCli("init " + dir.path() + "/w").exit_code, 0);
  const std::string csv = dir.Write("t.csv", "id,name\n1,a\n2,\"b,c\"\n");
  ASSERT_EQ(RunCli(ws + "ingest t " + csv).exit_code, 0);
  auto r = RunCli(ws + "export t --out -");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "id,name\n1,a\n2,\"b,c\"\n");
  EXPECT_FALSE(std::filesystem::exists("-"));
  auto both = RunCli(ws + "--json export t --out -");
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_EQ(both.out, "");
}

TEST(CliWorkspace, IngestSummaryCountsBlankCellsAndLiteralQuotesAndDecimalCommasRead) {
  TempDir dir;
  const std::string ws = "--workspace " + dir.path() + "/w ";
  ASSERT_EQ(RunCli("init " + dir.path() + "/w").exit_code, 0);
  const std::string churn =
      dir.Write("churn.csv", "id,zip,TotalCharges,loc\n1,08123,29.85,37°36'37.8\"N\n2,10001, ,x\n");
  auto r = RunCli(ws + "ingest churn " + churn);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("1 blank cells (spaces only) in non-text columns read as null."),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("1 unquoted fields hold a quote character, read as text"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("TotalCharges  double"), std::string::npos) << r.out;
  r = RunCli(ws + "export churn --out -");
  EXPECT_EQ(
      r.out,
      "id,zip,TotalCharges,loc\n1,08123,29.85,\"37°36'37.8\"\"N\"\n2,10001,,x\n");  // zip code kept
  r = RunCli(ws + "ingest strict " + churn + " --strict-quotes");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("a quote inside an unquoted field"), std::string::npos) << r.err;

  const std::string eu = dir.Write("ventes.csv", "id;montant\n1;1,5\n2;20,25\n");
  r = RunCli(ws + "--json ingest ventes " + eu + " --decimal ,");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["columns"][1]["type"], "double");
  r = RunCli(ws + "export ventes --out -");
  EXPECT_EQ(r.out, "id,montant\n1,1.5\n2,20.25\n");
}

TEST(CliWorkspace, WideTablesListTheirFirstColumnsAndTablesNameShowsAll) {
  TempDir dir;
  const std::string ws = "--workspace " + dir.path() + "/w ";
  ASSERT_EQ(RunCli("init " + dir.path() + "/w").exit_code, 0);
  std::string header, row;
  for (int c = 0; c < 60; ++c) {
    header += fmt::format("{}feature_{:02d}", c ? "," : "", c);
    row += fmt::format("{}{}", c ? "," : "", c);
  }
  ASSERT_EQ(
      RunCli(ws + "ingest wide " + dir.Write("wide.csv", header + "\n" + row + "\n")).exit_code, 0);
  auto list = RunCli(ws + "tables");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  std::istringstream lines(list.out);
  std::string line;
  while (std::getline(lines, line)) EXPECT_LE(DisplayWidth(line), 120u) << line;
  EXPECT_NE(list.out.find("more)"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("All of a table's columns: prospect tables NAME"), std::string::npos);
  auto one = RunCli(ws + "tables wide");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(one.out.find("wide: 1 rows, 60 columns"), std::string::npos) << one.out;
  EXPECT_NE(one.out.find("feature_59  int64"), std::string::npos) << one.out;
  auto missing = RunCli(ws + "tables wid");
  EXPECT_EQ(missing.exit_code, 4);
  EXPECT_NE(missing.err.find("Did you mean \"wide\"?"), std::string::npos) << missing.err;
}

TEST(CliWorkspace, TablesAlignColumnsHoldingChineseText) {
  TempDir dir;
  const std::string ws = "--workspace " + dir.path() + "/w ";
  ASSERT_EQ(RunCli("init " + dir.path() + "/w").exit_code, 0);
  ASSERT_EQ(RunCli(ws + "ingest t " + dir.Write("t.csv", "城市,n\n北京,1\n")).exit_code, 0);
  ASSERT_EQ(RunCli(ws + "ingest abc " + dir.Write("abc.csv", "x\n1\n")).exit_code, 0);
  auto r = RunCli(ws + "tables");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Every row's "rows" cell starts at the same display column.
  std::istringstream lines(r.out);
  std::string line;
  std::vector<size_t> starts;
  while (std::getline(lines, line)) {
    if (line.rfind("t ", 0) == 0 || line.rfind("abc ", 0) == 0 || line.rfind("table ", 0) == 0) {
      const size_t first_gap = line.find(' ');
      const size_t next = line.find_first_not_of(' ', first_gap);
      starts.push_back(DisplayWidth(line.substr(0, next)));
    }
  }
  ASSERT_EQ(starts.size(), 3u) << r.out;
  EXPECT_EQ(starts[0], starts[1]);
  EXPECT_EQ(starts[1], starts[2]);
  auto one = RunCli(ws + "tables t");
  // The column names: "城市" takes 4 columns, so "type" starts at column 8 on every line.
  std::istringstream one_lines(one.out);
  std::vector<std::string> rows;
  while (std::getline(one_lines, line)) rows.push_back(line);
  ASSERT_GE(rows.size(), 5u) << one.out;
  EXPECT_EQ(rows[1].rfind("column  type", 0), 0u) << one.out;
  EXPECT_EQ(rows[3].rfind("城市    string", 0), 0u) << one.out;
}

}  // namespace
}  // namespace prospect
