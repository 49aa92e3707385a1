// The CLI as a user runs it: init, tables, export, ingest errors, exit codes, --json purity.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/test_paths.hpp"

namespace prospect {
namespace {

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
  EXPECT_EQ(r.err, "error: " + ws + " already holds a workspace (" + ws + "/prospect.toml exists)\n");
}

TEST(CliWorkspace, CommandsOutsideAWorkspaceExplainHowToMakeOne) {
  TempDir dir;
  auto r = RunCli("--workspace " + dir.path() + " tables");
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("no workspace in " + dir.path() + " (no prospect.toml). Create one with: prospect init"),
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
  EXPECT_EQ(RunCli("frobnicate").exit_code, 2);
  TempDir dir;
  ASSERT_EQ(RunCli("init " + dir.path() + "/w").exit_code, 0);
  auto r = RunCli("--workspace " + dir.path() + "/w ingest t x.csv --mode sideways");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u);
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
  auto r = RunCli("--workspace " + dir.path() + "/w export customers --out " + dir.path() + "/c.csv");
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.err, "error: no table \"customers\" in the workspace. Tables: none yet (use prospect ingest).\n");
}

TEST(CliWorkspace, EveryCommandHasHelpWithExamples) {
  for (const char* cmd : {"init", "ingest", "tables", "export"}) {
    auto r = RunCli(std::string(cmd) + " --help");
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_NE(r.out.find("Examples:"), std::string::npos) << cmd;
  }
}

}  // namespace
}  // namespace prospect
