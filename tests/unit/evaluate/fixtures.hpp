// Shared by the evaluate tests: the sklearn fixture file made by
// tests/fixtures/evaluate/make_metric_fixtures.py, and a JSON array as doubles.
#pragma once

#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>

#include "support/test_paths.hpp"

namespace prospect::evaluate_testing {

inline const nlohmann::json& Fixtures() {
  static const nlohmann::json j = [] {
    std::ifstream in(prospect::testing::SourceDir() +
                     "/tests/fixtures/evaluate/metric_fixtures.json");
    return nlohmann::json::parse(in);
  }();
  return j;
}

/// The array as doubles; null gives an empty vector.
inline std::vector<double> Vec(const nlohmann::json& j) {
  return j.is_null() ? std::vector<double>{} : j.get<std::vector<double>>();
}

}  // namespace prospect::evaluate_testing
