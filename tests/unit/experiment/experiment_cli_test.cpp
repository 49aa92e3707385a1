// `prospect experiment ...` as users run it: ingest the real Hillstrom data, analyze --json against
// statsmodels, power, assign, simulate, and the error for an unknown control.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "fixtures.hpp"
#include "support/cli_expect.hpp"
#include "support/test_paths.hpp"

namespace prospect::experiment {
namespace {

using prospect::testing::InitWorkspaceAndIngest;
using prospect::testing::RunCli;
using prospect::testing::SharedData;
using prospect::testing::TempDir;
using testing::Fixtures;
using testing::Rel;

std::string Ws(const TempDir& dir) { return "--workspace " + dir.path() + "/w "; }

TEST(ExperimentCli, AnalyzeHillstromJsonMatchesStatsmodels) {
  TempDir dir;
  ASSERT_NO_FATAL_FAILURE(
      InitWorkspaceAndIngest(dir, Ws(dir), "hillstrom", SharedData("hillstrom/hillstrom.csv")));
  auto r =
      RunCli(Ws(dir) +
             "--json experiment analyze --table hillstrom --variant segment --control 'No E-Mail' "
             "--metric visit --metric conversion --metric spend --sequential --bayesian");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  const auto& h = Fixtures()["hillstrom"];
  EXPECT_EQ(doc["srm"]["passed"], true);
  EXPECT_TRUE(Rel(doc["srm"]["p_value"], h["srm"]["p"]));
  ASSERT_EQ(doc["metrics"].size(), 3u);
  for (const auto& m : doc["metrics"]) {
    for (const auto& c : m["comparisons"]) {
      const auto& e =
          h["comparisons"][c["variant"].get<std::string>()][m["metric"].get<std::string>()];
      EXPECT_TRUE(Rel(c["p_value"], e["p"])) << m["metric"] << c["variant"];
      EXPECT_TRUE(Rel(c["absolute_ci"][0], e["ci"][0])) << m["metric"] << c["variant"];
      EXPECT_TRUE(Rel(c["absolute_ci"][1], e["ci"][1])) << m["metric"] << c["variant"];
      EXPECT_TRUE(c.contains("sequential"));
      EXPECT_TRUE(c.contains("bayesian"));
    }
  }
  // Human output: one table per metric and the SRM line.
  r = RunCli(
      Ws(dir) +
      "experiment analyze --table hillstrom --variant segment --control 'No E-Mail' --metric "
      "spend --cuped history");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Sample ratio: No E-Mail 21306, Mens E-Mail 21307, Womens E-Mail 21387"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("CUPED on history"), std::string::npos) << r.out;
  // Each analysis is kept as a new version for the report.
  EXPECT_EQ(doc["saved"], nlohmann::json({{"name", "hillstrom"}, {"version", 1}}));
  EXPECT_NE(r.out.find("Saved as experiment \"hillstrom\" version 2"), std::string::npos) << r.out;
  r = RunCli(Ws(dir) + "report --out " + dir.path() + "/r.html");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(dir.path() + "/r.html");
  const std::string page((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(page.find("Experiments <span class=\"badge done\">results</span>"), std::string::npos);
  EXPECT_NE(page.find("spend (CUPED, variance"), std::string::npos);  // the newest version is shown
}

TEST(ExperimentCli, UnknownControlExitsTwoAndListsTheValues) {
  TempDir dir;
  ASSERT_NO_FATAL_FAILURE(
      InitWorkspaceAndIngest(dir, Ws(dir), "cc", SharedData("cookie_cats/cookie_cats.csv")));
  const auto r = RunCli(
      Ws(dir) +
      "experiment analyze --table cc --variant version --control gate30 --metric retention_1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: control \"gate30\" does not occur in column \"version\". Did you mean "
            "\"gate_30\"? Values there: "
            "gate_30, gate_40.\n");
}

TEST(ExperimentCli, PowerGivesStatsmodelsSampleSizeAndDuration) {
  const auto r = RunCli(
      "--json experiment power --baseline 0.10 --mde 0.01 --daily-traffic 1000 --traffic 0.5");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  const double n = Fixtures()["binary_plan"]["nobs1"];
  EXPECT_TRUE(Rel(doc["nobs_control_exact"], n));
  EXPECT_EQ(doc["nobs_control"].get<int64_t>(), static_cast<int64_t>(std::ceil(n)));
  EXPECT_DOUBLE_EQ(doc["days"].get<double>(), doc["total"].get<double>() / 500.0);
  const auto mde = RunCli("--json experiment power --baseline 0.10 --n 1000");
  ASSERT_EQ(mde.exit_code, 0) << mde.err;
  EXPECT_TRUE(Rel(nlohmann::json::parse(mde.out)["effect_size"],
                  Fixtures()["mde"][0]["effect_size_exact"], 1e-9));
  EXPECT_EQ(RunCli("experiment power --baseline 0.10").exit_code, 2);
}

TEST(ExperimentCli, AssignWritesADeterministicCsv) {
  TempDir dir;
  std::string ids;
  for (int i = 0; i < 1000; ++i) ids += "user" + std::to_string(i) + "\n";
  const std::string file = dir.Write("ids.txt", ids);
  const std::string cmd =
      "experiment assign --variants control:50,treatment:50 --traffic 0.5 --ids " + file;
  auto a = RunCli(cmd + " --salt checkout --out " + dir.File("a.csv"));
  ASSERT_EQ(a.exit_code, 0) << a.err;
  auto b = RunCli(cmd + " --salt checkout");
  ASSERT_EQ(b.exit_code, 0) << b.err;
  std::ifstream in(dir.File("a.csv"));
  const std::string written((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The same salt gives every unit the same variant, bucket and status, in the file and on stdout.
  EXPECT_EQ(written, b.out);
  EXPECT_EQ(written.substr(0, 30), "unit_id,variant,status,bucket\n");
  std::map<std::string, int64_t> counted;
  std::istringstream lines(written);
  std::string line;
  std::getline(lines, line);
  size_t rows = 0;
  while (std::getline(lines, line)) {
    ++rows;
    const size_t c1 = line.find(','), c2 = line.find(',', c1 + 1), c3 = line.find(',', c2 + 1);
    if (line.substr(c2 + 1, c3 - c2 - 1) == "assigned") ++counted[line.substr(c1 + 1, c2 - c1 - 1)];
  }
  EXPECT_EQ(rows, 1000u);
  auto j = RunCli("--json " + cmd + " --salt checkout");
  const auto doc = nlohmann::json::parse(j.out);
  EXPECT_EQ(doc["units"], 1000);
  EXPECT_EQ(doc["counts"]["control"].get<int64_t>(), counted["control"]) << written.substr(0, 200);
  EXPECT_EQ(doc["counts"]["treatment"].get<int64_t>(), counted["treatment"]);
  const int64_t in_exp =
      doc["counts"]["control"].get<int64_t>() + doc["counts"]["treatment"].get<int64_t>();
  EXPECT_NEAR(in_exp, 500, 4 * std::sqrt(250.0));
  // Another salt is another, independent assignment.
  auto other = RunCli(cmd + " --salt pricing");
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_NE(other.out, b.out);
}

TEST(ExperimentCli, ThompsonOnAMoneyMetricSuggestsTheGaussianPolicy) {
  TempDir dir;
  ASSERT_NO_FATAL_FAILURE(
      InitWorkspaceAndIngest(dir, Ws(dir), "hillstrom", SharedData("hillstrom/hillstrom.csv")));
  auto r = RunCli(
      Ws(dir) +
      "experiment allocate --table hillstrom --variant segment --metric spend --policy thompson");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("the rewards are not 0/1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("use the thompson-gaussian policy"), std::string::npos) << r.err;
  r = RunCli(
      Ws(dir) +
      "--json experiment allocate --table hillstrom --variant segment --metric spend --policy "
      "thompson-gaussian");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["arms"].size(), 3u);
  EXPECT_EQ(
      RunCli(Ws(dir) + "experiment allocate --table hillstrom --variant segment --metric visit")
          .exit_code,
      0);
}

TEST(ExperimentCli, SimulateShowsBanditRegretBelowFixedSplit) {
  const auto r =
      RunCli("--json experiment simulate --rates 0.05,0.08 --horizon 20000 --checkpoints 4");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc["runs"].size(), 3u);
  EXPECT_EQ(doc["runs"][0]["policy"], "fixed");
  const double fixed = doc["runs"][0]["cumulative_regret"].back();
  EXPECT_LT(doc["runs"][1]["cumulative_regret"].back().get<double>(), fixed);
  EXPECT_LT(doc["runs"][2]["cumulative_regret"].back().get<double>(), fixed);
}

TEST(ExperimentCli, ANonSignificantResultPrintsTheMinimumDetectableEffect) {
  // Control 100/1000, treatment 110/1000: p ≈ 0.46. By hand: MDE = (z.975 + z.8) · SE with
  // SE = sqrt(.1·.9/1000 + .11·.89/1000), z.975 = 1.959964, z.8 = 0.841621 → 0.0384032.
  TempDir dir;
  ASSERT_EQ(RunCli("init " + dir.path() + "/w").exit_code, 0);
  std::string csv = "unit,arm,converted\n";
  for (int i = 0; i < 2000; ++i) {
    const bool treated = i >= 1000;
    const int k = i % 1000;
    csv += fmt::format("{},{},{}\n", i, treated ? "treatment" : "control",
                       k < (treated ? 110 : 100) ? 1 : 0);
  }
  ASSERT_EQ(RunCli(Ws(dir) + "ingest ab " + dir.Write("ab.csv", csv)).exit_code, 0);
  auto r = RunCli(
      Ws(dir) +
      "--json experiment analyze --table ab --variant arm --control control --metric converted");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto c = nlohmann::json::parse(r.out)["metrics"][0]["comparisons"][0];
  EXPECT_FALSE(c["significant"].get<bool>());
  EXPECT_NEAR(c["mde"]["absolute"].get<double>(), 0.0384032, 1e-6);
  EXPECT_NEAR(c["mde"]["relative"].get<double>(), 0.384032, 1e-5);
  EXPECT_EQ(c["mde"]["power"], 0.8);
  r = RunCli(Ws(dir) +
             "experiment analyze --table ab --variant arm --control control --metric converted");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(
      r.out.find(
          "converted treatment: not significant. With these samples the test finds a difference of "
          "0.0384 (±38.4% relative) or more with 80% power"),
      std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace prospect::experiment
