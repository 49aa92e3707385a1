// Shared helpers of the experiment tests: the scipy/statsmodels fixture file and a relative
// tolerance check (tests/fixtures/experiment/make_experiment_fixtures.py made the values).
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <vector>

#include "support/json_fixture.hpp"

namespace prospect::experiment::testing {

inline const nlohmann::json& Fixtures() {
  return prospect::testing::LoadJsonFixture("experiment/experiment_fixtures.json");
}

inline std::vector<double> Doubles(const nlohmann::json& j) { return j.get<std::vector<double>>(); }

/// |actual - expected| <= rel * |expected| (or <= rel when expected is 0).
inline ::testing::AssertionResult Rel(double actual, double expected, double rel = 1e-6) {
  const double tol = rel * std::max(std::fabs(expected), expected == 0.0 ? 1.0 : 0.0);
  if (std::fabs(actual - expected) <= tol) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "actual " << actual << " vs expected " << expected << " (rel diff "
         << std::fabs(actual - expected) / std::fabs(expected) << " > " << rel << ")";
}

}  // namespace prospect::experiment::testing
