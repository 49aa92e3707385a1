// Shared helpers of the experiment tests: the scipy/statsmodels fixture file and a relative
// tolerance check (tests/fixtures/experiment/make_experiment_fixtures.py made the values).
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>

#include "support/test_paths.hpp"

namespace prospect::experiment::testing {

inline const nlohmann::json& Fixtures() {
  static const nlohmann::json doc = [] {
    std::ifstream in(prospect::testing::SourceDir() +
                     "/tests/fixtures/experiment/experiment_fixtures.json");
    return nlohmann::json::parse(in);
  }();
  return doc;
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
