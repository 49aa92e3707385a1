// `prospect monitor drift` and `prospect retrain` through the CLI: the drift table and its JSON,
// the stored report, and retrain's documented exit codes (0 nothing to do, 10 promoted, 11 kept
// the champion) on generated leads with and without planted concept drift.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "support/cli_expect.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using testing::InitWorkspaceAndIngest;
using testing::RunCli;
using testing::TempDir;

// x1, x2, x3 ~ N(0, 1); converted ~ Bernoulli(sigmoid(1.5 x1 - x2)), or with concept drift
// sigmoid(1.5 x3 + x2).
std::string LeadsCsv(int n, uint64_t seed, bool concept_drift) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z(0, 1);
  std::uniform_real_distribution<double> u(0, 1);
  std::ostringstream out;
  out << "x1,x2,x3,converted\n";
  for (int i = 0; i < n; ++i) {
    const double x1 = z(rng), x2 = z(rng), x3 = z(rng);
    const double logit = concept_drift ? 1.5 * x3 + x2 : 1.5 * x1 - x2;
    out << fmt::format("{:.4f},{:.4f},{:.4f},{}\n", x1, x2, x3,
                       u(rng) < 1 / (1 + std::exp(-logit)) ? 1 : 0);
  }
  return out.str();
}

TEST(MonitorCli, RetrainExitsZeroElevenAndTen) {
  TempDir dir;
  const std::string at = "--workspace " + dir.File("w") + " ";
  ASSERT_NO_FATAL_FAILURE(
      InitWorkspaceAndIngest(dir, at, "leads", dir.Write("a.csv", LeadsCsv(3000, 1, false))));
  ASSERT_EQ(
      RunCli(at + "train --table leads --target converted --model logistic --name m").exit_code, 0);

  auto nothing = RunCli(at + "retrain m");
  EXPECT_EQ(nothing.exit_code, 0) << nothing.err;
  EXPECT_NE(nothing.out.find("nothing to do"), std::string::npos) << nothing.out;

  ASSERT_EQ(RunCli(at + "ingest leads " + dir.Write("b.csv", LeadsCsv(3000, 2, false)) +
                   " --mode replace")
                .exit_code,
            0);
  auto kept = RunCli(at + "--json retrain m");
  EXPECT_EQ(kept.exit_code, 11) << kept.err;
  EXPECT_EQ(nlohmann::json::parse(kept.out)["outcome"], "kept_champion");

  ASSERT_EQ(
      RunCli(at + "ingest leads " + dir.Write("c.csv", LeadsCsv(3000, 3, true)) + " --mode replace")
          .exit_code,
      0);
  auto promoted = RunCli(at + "retrain m");
  EXPECT_EQ(promoted.exit_code, 10) << promoted.err;
  EXPECT_NE(promoted.out.find("Promoted: m v3 is the production version"), std::string::npos)
      << promoted.out;

  // Both retrainings are in the audit log.
  auto audit = RunCli(at + "--json audit list");
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  EXPECT_NE(audit.out.find("outcome=kept_champion"), std::string::npos);
  EXPECT_NE(audit.out.find("outcome=promoted"), std::string::npos);
}

TEST(MonitorCli, DriftPrintsEachColumnsTestAndStoresTheReport) {
  TempDir dir;
  const std::string at = "--workspace " + dir.File("w") + " ";
  ASSERT_NO_FATAL_FAILURE(
      InitWorkspaceAndIngest(dir, at, "leads", dir.Write("a.csv", LeadsCsv(3000, 1, false))));
  auto table = RunCli(at +
                      "monitor drift --reference leads --reference-rows :50% --current leads "
                      "--current-rows 50%:");
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("Wasserstein distance (normed)"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("0 of 4 columns drift"), std::string::npos) << table.out;
  auto json = RunCli(at +
                     "--json monitor drift --reference leads --reference-rows :10% "
                     "--current leads --current-rows 90%: --columns x1,converted");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto doc = nlohmann::json::parse(json.out);
  ASSERT_EQ(doc["columns"].size(), 2u);
  EXPECT_EQ(doc["columns"][0]["method"], "ks");  // 300 reference rows
  EXPECT_EQ(doc["columns"][1]["method"], "z");   // two values
  auto missing = RunCli(at + "monitor drift --reference nope --current leads");
  EXPECT_EQ(missing.exit_code, 4);
  EXPECT_NE(missing.err.find("reference nope is neither a table nor a model"), std::string::npos)
      << missing.err;
}

}  // namespace
}  // namespace prospect
