// Uplift metrics against a hand computation on six customers and against scikit-uplift's and
// CausalML's definitions written out in numpy (tests/fixtures/uplift/make_uplift_fixture.py):
// distinct scores, many tied scores, and a continuous outcome.
#include "prospect/evaluate/uplift.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "prospect/common/error.hpp"
#include "support/expect_error.hpp"
#include "support/json_fixture.hpp"

namespace prospect {
namespace {

// score, treated, outcome: (0.9, t, 1) (0.8, c, 0) (0.7, t, 0) (0.6, c, 1) (0.5, t, 1) (0.4, c, 0)
struct Six {
  std::vector<double> y = {1, 0, 0, 1, 1, 0};
  std::vector<double> score = {0.9, 0.8, 0.7, 0.6, 0.5, 0.4};
  std::vector<uint8_t> treated = {1, 0, 1, 0, 1, 0};
  UpliftSample sample() const { return {y, score, treated}; }
};

TEST(Uplift, SixCustomersByHand) {
  const Six six;
  // Qini after n: Y_t − Y_c · N_t / N_c = 1, 1, 1, 1 − 1·2/2, 2 − 1·3/2, 2 − 1·3/3.
  const UpliftCurve qini = QiniCurve(six.sample());
  EXPECT_EQ(qini.n, (std::vector<double>{0, 1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(qini.value, (std::vector<double>{0, 1, 1, 1, 0, 0.5, 1}));
  EXPECT_DOUBLE_EQ(AreaUnder(qini), 4.0);
  // Perfect: treated responders (rows 4, 0), then the rest, the control responder last:
  // (0, 0) (2, 2) (5, 2) (6, 1), area 9.5; the diagonal to (6, 1) has area 3.
  const UpliftCurve perfect = PerfectQiniCurve(six.y, six.treated);
  EXPECT_EQ(perfect.n, (std::vector<double>{0, 2, 5, 6}));
  EXPECT_EQ(perfect.value, (std::vector<double>{0, 2, 2, 1}));
  EXPECT_DOUBLE_EQ(QiniCoefficient(six.sample()), (4.0 - 3.0) / (9.5 - 3.0));
  // CausalML: Q_1 (no control yet) interpolated to 0.5; Σ Q = 4, Σ random (i / 6) = 3.5; / 7.
  EXPECT_DOUBLE_EQ(QiniArea(six.sample()), 0.5 / 7);
  // Top half overall: treated rows 0, 2 (mean 0.5) against control row 1 (0). By group: the
  // best treated (row 0, 1) against the best control (row 1, 0).
  EXPECT_DOUBLE_EQ(UpliftAtK(six.sample(), 0.5), 0.5);
  EXPECT_DOUBLE_EQ(UpliftAtK(six.sample(), 0.5, UpliftAtKStrategy::kByGroup), 1.0);
  // Four bins of 2, 2, 1, 1 customers.
  const std::vector<UpliftBin> bins = UpliftByBins(six.sample(), 4);
  ASSERT_EQ(bins.size(), 4u);
  EXPECT_EQ(bins[0].uplift, 1.0);
  EXPECT_EQ(bins[1].uplift, -1.0);
  EXPECT_EQ(bins[2].treated, 1u);
  EXPECT_EQ(bins[2].control, 0u);
  EXPECT_TRUE(std::isnan(bins[2].response_control));
  EXPECT_TRUE(std::isnan(bins[3].uplift));
}

void ExpectCurve(const UpliftCurve& got, const nlohmann::json& want, const std::string& what) {
  ASSERT_EQ(got.n.size(), want["n"].size()) << what;
  for (size_t j = 0; j < got.n.size(); ++j) {
    EXPECT_DOUBLE_EQ(got.n[j], want["n"][j].get<double>()) << what << " point " << j;
    EXPECT_NEAR(got.value[j], want["value"][j].get<double>(), 1e-9) << what << " point " << j;
  }
}

TEST(Uplift, AgreesWithScikitUpliftAndCausalMlDefinitions) {
  const nlohmann::json& cases = testing::LoadJsonFixture("uplift/uplift_fixture.json")["cases"];
  ASSERT_EQ(cases.size(), 3u);
  for (const nlohmann::json& c : cases) {
    const std::string name = c["name"];
    const auto y = c["y"].get<std::vector<double>>();
    const auto score = c["score"].get<std::vector<double>>();
    std::vector<uint8_t> treated;
    for (const auto& t : c["treated"]) treated.push_back(static_cast<uint8_t>(t.get<int>()));
    const UpliftSample s{y, score, treated};
    ExpectCurve(QiniCurve(s), c["qini_curve"], name + " qini");
    ExpectCurve(UpliftGainCurve(s), c["uplift_curve"], name + " uplift");
    EXPECT_NEAR(QiniCoefficient(s), c["qini_coefficient"].get<double>(), 1e-12) << name;
    EXPECT_NEAR(QiniArea(s), c["qini_area"].get<double>(), 1e-9) << name;
    EXPECT_NEAR(UpliftAtK(s, 0.3), c["uplift_at_30_overall"].get<double>(), 1e-12) << name;
    EXPECT_NEAR(UpliftAtK(s, 0.3, UpliftAtKStrategy::kByGroup),
                c["uplift_at_30_by_group"].get<double>(), 1e-12)
        << name;
    if (c.contains("uplift_auc")) {
      EXPECT_NEAR(UpliftAuc(s), c["uplift_auc"].get<double>(), 1e-12) << name;
      EXPECT_NEAR(QiniCoefficient(s, false), c["qini_coefficient_no_negative"].get<double>(), 1e-12)
          << name;
    } else {
      ExpectErrorStartingWith([&] { QiniCoefficient(s, false); },
                              "perfect Qini curve without negative effects: the outcome must be "
                              "0/1",
                              "");
    }
    const std::vector<UpliftBin> bins = UpliftByBins(s);
    ASSERT_EQ(bins.size(), c["bins"].size());
    for (size_t b = 0; b < bins.size(); ++b) {
      const nlohmann::json& want = c["bins"][b];
      EXPECT_EQ(bins[b].treated, want["treated"].get<size_t>()) << name << " bin " << b;
      EXPECT_EQ(bins[b].control, want["control"].get<size_t>()) << name << " bin " << b;
      if (!want["response_treated"].is_null()) {
        EXPECT_NEAR(bins[b].response_treated, want["response_treated"].get<double>(), 1e-12);
      }
      if (!want["response_control"].is_null()) {
        EXPECT_NEAR(bins[b].response_control, want["response_control"].get<double>(), 1e-12);
      }
    }
  }
}

TEST(Uplift, BadInputIsNamed) {
  const Six six;
  const std::vector<uint8_t> all_treated(6, 1);
  ExpectError(
      [&] {
        QiniCurve({six.y, six.score, all_treated});
      },
      ErrorCode::kInvalidData,
      "Qini curve: every customer is treated; uplift needs treated and control");
  const std::vector<uint8_t> two = {1, 0, 2, 0, 1, 0};
  ExpectError(
      [&] {
        UpliftAtK({six.y, six.score, two}, 0.3);
      },
      ErrorCode::kInvalidData, "uplift@k: treatment flag 2 of row 3; expected 0 or 1");
  ExpectError([&] { UpliftAtK(six.sample(), 1.0); }, ErrorCode::kInvalidArgument,
              "uplift@k: k is 1; expected a share in (0, 1)");
  // The top sixth is one treated customer: no control to compare with.
  ExpectError([&] { UpliftAtK(six.sample(), 0.2); }, ErrorCode::kInvalidData,
              "uplift@k: the top 20 % holds 1 treated and 0 control customers; both are needed");
  std::vector<double> nan_y = six.y;
  nan_y[4] = std::nan("");
  ExpectError(
      [&] {
        UpliftAuc({nan_y, six.score, six.treated});
      },
      ErrorCode::kInvalidData, "uplift curve: outcome nan of row 5 is not a number");
  ExpectError([&] { ParseUpliftAtKStrategy("group"); }, ErrorCode::kInvalidArgument,
              "uplift@k strategy \"group\": expected overall or by_group");
  ExpectError([&] { UpliftByBins(six.sample(), 7); }, ErrorCode::kInvalidArgument,
              "uplift by bins: 7 bins for 6 customers");
}

}  // namespace
}  // namespace prospect
