// Shared by the evaluate tests: the sklearn fixture file made by
// tests/fixtures/evaluate/make_metric_fixtures.py, and a JSON array as doubles.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "support/json_fixture.hpp"

namespace prospect::evaluate_testing {

inline const nlohmann::json& Fixtures() {
  return prospect::testing::LoadJsonFixture("evaluate/metric_fixtures.json");
}

/// The array as doubles; null gives an empty vector.
inline std::vector<double> Vec(const nlohmann::json& j) {
  return j.is_null() ? std::vector<double>{} : j.get<std::vector<double>>();
}

}  // namespace prospect::evaluate_testing
