// The report's Targeting section: it draws what uplift train, target and lookalike kept — each
// learner's Qini curve ends where its held-out Qini curve ends, the decile bars are the held-out
// deciles, the profit curve is the plan's, and the audiences are listed with their numbers.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>

#include "prospect/report/report.hpp"
#include "prospect/targeting/campaign.hpp"
#include "prospect/targeting/lookalike.hpp"
#include "support/report_charts.hpp"
#include "support/uplift_fixture.hpp"

namespace prospect {
namespace {

using nlohmann::json;
using testing::FindChart;

TEST(TargetingSection, DrawsTheHeldOutCurvesThePlanAndTheAudiences) {
  testing::UpliftFixture f;
  Store& store = f.ws.store();
  UpliftTrainRequest t = testing::UpliftFixture::Request();
  const UpliftTrainResult t_model = TrainUplift(store, t, Context(1));
  t.learner = "s";
  const UpliftTrainResult s_model = TrainUplift(store, t, Context(1));
  CampaignRequest plan;
  plan.uplift_model = t_model.name;
  plan.table = "campaign_next";
  plan.value = "100";
  plan.cost = {2, 5};
  plan.budget = 1000;
  const CampaignResult audience = PlanCampaign(store, plan, Context(1));
  LookalikeRequest look;
  look.table = "campaign_next";
  look.exclude = {"arm", "response"};
  for (int64_t id = 1; id <= 600; id += 3) look.seeds.push_back(std::to_string(id));
  look.size = 300;
  const LookalikeResult lookalike = FindLookalikes(store, look, Context(1));

  const std::string page = report::RenderReport(f.ws, report::RegisteredSections(), {}, Context(1));
  EXPECT_NE(page.find("Targeting and uplift <span class=\"badge done\">results</span>"),
            std::string::npos);
  const json charts = testing::ReportCharts(page);
  for (const std::string treatment : {"a", "b"}) {
    const json* qini = FindChart(charts, "Qini curve: " + treatment + " against control");
    ASSERT_NE(qini, nullptr) << treatment;
    const json& series = qini->at("series");
    ASSERT_EQ(series.size(), 3u);  // s, t (newest first), random
    EXPECT_EQ(series[2]["name"], "random");
    const json* decile = FindChart(charts, "Uplift by decile: " + treatment);
    ASSERT_NE(decile, nullptr) << treatment;
    for (size_t m = 0; m < 2; ++m) {
      const UpliftTrainResult& model = m == 0 ? s_model : t_model;
      const size_t k = treatment == "a" ? 0 : 1;
      const TreatmentUplift& held = model.holdout[k];
      const json& points = series[m]["data"];
      EXPECT_EQ(points.back()[0].get<double>(), 1.0);
      EXPECT_NEAR(points.back()[1].get<double>(), held.qini.value.back(), 1e-4);
      EXPECT_NEAR(series[2]["data"][1][1].get<double>(), s_model.holdout[k].qini.value.back(),
                  1e-4);
      EXPECT_EQ(series[m]["name"].get<std::string>().substr(0, 2), m == 0 ? "s " : "t ");
      const json& bars = decile->at("series")[m]["data"];
      ASSERT_EQ(bars.size(), held.deciles.size());
      for (size_t d = 0; d < bars.size(); ++d) {
        EXPECT_NEAR(bars[d].get<double>(), 100 * held.deciles[d].uplift, 0.05) << d;  // in pp
      }
    }
  }
  const json* profit = FindChart(charts, "Expected profit: " + audience.name);
  ASSERT_NE(profit, nullptr);
  const json& curve = profit->at("series")[0]["data"];
  EXPECT_NEAR(curve.back()[1].get<double>(), audience.plan.curve.back().profit, 1e-4);
  EXPECT_NE(page.find(fmt::format("<td class=\"num\">{}</td>", audience.plan.contacted)),
            std::string::npos);
  EXPECT_NE(page.find(lookalike.name), std::string::npos);
  for (const LookalikeQuality& q : lookalike.quality) {
    EXPECT_NE(page.find(fmt::format("{}: recall {:.3f} (lift {:.2f})", q.method, q.recall, q.lift)),
              std::string::npos)
        << q.method;
  }
}

}  // namespace
}  // namespace prospect
