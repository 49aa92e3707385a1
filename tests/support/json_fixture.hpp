// LoadJsonFixture: the one reader of the JSON reference files under tests/fixtures (the values
// the Python scripts there computed with pandas, sklearn, scipy and friends).
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "support/test_paths.hpp"

namespace prospect::testing {

/// Gives tests/fixtures/<relative> parsed, reading each file once per run; a file that cannot be
/// opened fails the test.
inline const nlohmann::json& LoadJsonFixture(const std::string& relative) {
  static std::mutex mutex;
  static std::map<std::string, nlohmann::json> cache;  // (a map: references stay valid)
  const std::lock_guard<std::mutex> lock(mutex);
  const auto found = cache.find(relative);
  if (found != cache.end()) return found->second;
  std::ifstream in(SourceDir() + "/tests/fixtures/" + relative);
  EXPECT_TRUE(in) << "cannot open tests/fixtures/" << relative;
  return cache.emplace(relative, nlohmann::json::parse(in)).first->second;
}

}  // namespace prospect::testing
