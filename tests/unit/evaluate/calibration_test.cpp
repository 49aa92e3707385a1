// Platt scaling against sklearn's _SigmoidCalibration and isotonic regression against
// IsotonicRegression(out_of_bounds="clip") (fixtures:
// tests/fixtures/evaluate/make_metric_fixtures.py); JSON round trips and errors.
#include "prospect/evaluate/calibration.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "fixtures.hpp"
#include "prospect/common/error.hpp"
#include "support/expect_error.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using evaluate_testing::Fixtures;
using evaluate_testing::Vec;

/// Fits a `Calibrator` on each of the three cases of `fixture` (scores in column `scores`, with
/// the case's labels and weights), lets `check_fit` compare the fitted parameters with sklearn's,
/// then compares the predictions on the case's grid (which includes points below and above the
/// fitted range) within `tolerance`.
template <typename Calibrator, typename CheckFit>
void ExpectMatchesSklearnCases(const char* fixture, const char* scores, double tolerance,
                               CheckFit check_fit) {
  ASSERT_EQ(Fixtures()[fixture].size(), 3u);
  for (const auto& c : Fixtures()[fixture]) {
    const std::string name = c["name"];
    Calibrator calibrator;
    calibrator.Fit(Vec(c[scores]), Vec(c["y"]), Vec(c["weight"]));
    check_fit(calibrator, c, name);
    const auto grid = Vec(c["grid"]);
    const auto predicted = calibrator.Predict(grid);
    for (size_t i = 0; i < grid.size(); ++i) {
      EXPECT_NEAR(predicted[i], c["predict"][i].get<double>(), tolerance)
          << name << " at " << grid[i];
    }
  }
}

TEST(PlattCalibrator, MatchesSklearnSigmoidCalibrationWithin1e6) {
  ExpectMatchesSklearnCases<PlattCalibrator>(
      "platt", "f", 1e-6,
      [](const PlattCalibrator& platt, const nlohmann::json& c, const std::string& name) {
        // sklearn stops BFGS at gradient 1e-5; we solve to the optimum, which scipy finds at gtol
        // 1e-13.
        EXPECT_NEAR(platt.a(), c["a_exact"].get<double>(), 1e-9) << name;
        EXPECT_NEAR(platt.b(), c["b_exact"].get<double>(), 1e-9) << name;
        EXPECT_NEAR(platt.a(), c["a"].get<double>(), 1e-6) << name;
        EXPECT_NEAR(platt.b(), c["b"].get<double>(), 1e-6) << name;
      });
}

TEST(PlattCalibrator, RoundTripsThroughJsonExactly) {
  const auto& c = Fixtures()["platt"][0];
  PlattCalibrator platt;
  platt.Fit(Vec(c["f"]), Vec(c["y"]));
  const PlattCalibrator loaded =
      PlattCalibrator::FromJson(nlohmann::json::parse(platt.ToJson().dump()));
  EXPECT_EQ(loaded.a(), platt.a());
  EXPECT_EQ(loaded.b(), platt.b());
  EXPECT_EQ(loaded.Predict(0.37), platt.Predict(0.37));
}

TEST(PlattCalibrator, RejectsOneClassAndBadJson) {
  PlattCalibrator platt;
  ExpectError(
      [&] {
        platt.Fit(std::vector<double>{0.1, 0.2}, std::vector<double>{1, 1});
      },
      ErrorCode::kInvalidData,
      "Platt calibration needs both classes, but every weighted row is 1; fit it on held-out "
      "predictions "
      "that contain positives and negatives");
  EXPECT_THROW((void)platt.Predict(0.5), Error);
  EXPECT_THROW(PlattCalibrator::FromJson({{"method", "isotonic"}}), Error);
  EXPECT_THROW(PlattCalibrator::FromJson({{"method", "platt"}, {"a", "x"}, {"b", 1}}), Error);
}

TEST(IsotonicCalibrator, MatchesSklearnKnotsAndPredictionsWithin1e9) {
  ExpectMatchesSklearnCases<IsotonicCalibrator>(
      "isotonic", "x", 1e-9,
      [](const IsotonicCalibrator& iso, const nlohmann::json& c, const std::string& name) {
        const auto ex = Vec(c["x_thresholds"]), ey = Vec(c["y_thresholds"]);
        ASSERT_EQ(iso.x_thresholds().size(), ex.size()) << name;
        for (size_t i = 0; i < ex.size(); ++i) {
          EXPECT_EQ(iso.x_thresholds()[i], ex[i]) << name;
          EXPECT_NEAR(iso.y_thresholds()[i], ey[i], 1e-9) << name;
        }
      });
}

TEST(IsotonicCalibrator, PoolsViolatorsByHand) {
  // y = 1, 3, 2, 4 at x = 1..4: the violators 3, 2 pool to 2.5.
  IsotonicCalibrator iso;
  iso.Fit(std::vector<double>{1, 2, 3, 4}, std::vector<double>{1, 3, 2, 4});
  EXPECT_DOUBLE_EQ(iso.Predict(2.0), 2.5);
  EXPECT_DOUBLE_EQ(iso.Predict(3.0), 2.5);
  EXPECT_DOUBLE_EQ(iso.Predict(1.5), 1.75);
  EXPECT_DOUBLE_EQ(iso.Predict(-10.0), 1.0);  // clipped to the fitted range
  EXPECT_DOUBLE_EQ(iso.Predict(10.0), 4.0);
}

TEST(IsotonicCalibrator, RoundTripsThroughJsonAndValidatesIt) {
  const auto& c = Fixtures()["isotonic"][1];
  IsotonicCalibrator iso;
  iso.Fit(Vec(c["x"]), Vec(c["y"]), Vec(c["weight"]));
  const IsotonicCalibrator loaded =
      IsotonicCalibrator::FromJson(nlohmann::json::parse(iso.ToJson().dump()));
  EXPECT_EQ(loaded.x_thresholds(), iso.x_thresholds());
  EXPECT_EQ(loaded.y_thresholds(), iso.y_thresholds());
  EXPECT_THROW(
      IsotonicCalibrator::FromJson({{"method", "isotonic"}, {"x", {0.0, 1.0}}, {"y", {0.5, 0.2}}}),
      Error);
  EXPECT_THROW(IsotonicCalibrator::FromJson(
                   {{"method", "isotonic"}, {"x", {0.0}}, {"y", nlohmann::json::array()}}),
               Error);
  IsotonicCalibrator empty;
  EXPECT_THROW((void)empty.Predict(0.5), Error);
  EXPECT_THROW(empty.Fit(std::vector<double>{0.1, NAN}, std::vector<double>{0, 1}), Error);
}

}  // namespace
}  // namespace prospect
