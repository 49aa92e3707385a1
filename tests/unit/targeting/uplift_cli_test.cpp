// `prospect uplift ...` as users run it on the real Hillstrom data: the Womens e-mail against no
// e-mail on visits (scikit-uplift's tutorial reports uplift@30% = 0.066 for class transformation
// with XGBoost on this design), all three groups in one model, evaluate and score.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/cli_expect.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using testing::ExpectCliFailure;
using testing::InitWorkspaceAndIngest;
using testing::ReadFileText;
using testing::RunCli;
using testing::SharedData;
using testing::TempDir;

constexpr const char* kHillstrom =
    "uplift train --table hillstrom --treatment segment --control 'No E-Mail' --target visit "
    "--exclude conversion,spend ";

TEST(UpliftCli, HillstromWomensEmailBeatsTheScikitUpliftTutorialAndThreeArmsScore) {
  TempDir dir;
  const std::string ws = "--workspace " + dir.File("w") + " ";
  ASSERT_NO_FATAL_FAILURE(
      InitWorkspaceAndIngest(dir, ws, "hillstrom", SharedData("hillstrom/hillstrom.csv")));
  // S-learner over gradient boosting, half held out (seed 42).
  const auto s = RunCli(ws + "--json " + kHillstrom + "--treatments 'Womens E-Mail' --learner s");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const auto doc = nlohmann::json::parse(s.out);
  EXPECT_EQ(doc["name"], "hillstrom_visit_s");
  EXPECT_EQ(doc["rows"]["test"], 21347);  // half of the 42,693 Womens and No e-mail customers
  EXPECT_EQ(doc["balance"]["imbalanced"].size(), 0u);
  EXPECT_GT(doc["holdout"][0]["uplift_at_k"].get<double>(), 0.066);
  EXPECT_NEAR(doc["holdout"][0]["observed_effect"].get<double>(), 0.0452, 5e-4);

  // Mens, Womens and none in one model; a logistic base keeps it quick.
  const auto three =
      RunCli(ws + "--json " + kHillstrom + "--learner t --model logistic --name hill3");
  ASSERT_EQ(three.exit_code, 0) << three.err;
  const auto t = nlohmann::json::parse(three.out);
  EXPECT_EQ(t["treatments"], nlohmann::json({"Mens E-Mail", "Womens E-Mail"}));
  ASSERT_EQ(t["holdout"].size(), 2u);
  EXPECT_NEAR(t["holdout"][0]["observed_effect"].get<double>(), 0.0766, 5e-4);  // Mens
  const auto ev = RunCli(ws + "--json uplift evaluate hill3");
  ASSERT_EQ(ev.exit_code, 0) << ev.err;
  const auto e = nlohmann::json::parse(ev.out);
  EXPECT_EQ(e["held_out"], true);
  EXPECT_EQ(e["treatments"], t["holdout"]);
  const auto sc = RunCli(ws + "uplift score hill3 --table hillstrom --out " + dir.File("u.csv"));
  ASSERT_EQ(sc.exit_code, 0) << sc.err;
  const std::string csv = ReadFileText(dir.File("u.csv"));
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "row,uplift_mens_e_mail,uplift_womens_e_mail");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 64001);

  ExpectCliFailure(RunCli(ws + "uplift train --table hillstrom --treatment segment --control none "
                               "--target visit"),
                   "error: control \"none\": column segment has no such value. Values: Mens "
                   "E-Mail (21307 rows), No E-Mail (21306 rows), Womens E-Mail (21387 rows)\n");
}

}  // namespace
}  // namespace prospect
