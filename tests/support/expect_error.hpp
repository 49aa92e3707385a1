// ExpectError: the one way a test asserts that a call fails with a given prospect::Error (its
// code and its whole message, which users read and scripts may match).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <source_location>
#include <string>
#include <string_view>

#include "prospect/common/error.hpp"

namespace prospect {

/// Expects `call` to throw prospect::Error with this code and exactly this message; a failure
/// names the line of the test that called ExpectError.
inline void ExpectError(const std::function<void()>& call, ErrorCode code, std::string_view message,
                        std::source_location where = std::source_location::current()) {
  const ::testing::ScopedTrace trace(where.file_name(), static_cast<int>(where.line()),
                                     "ExpectError");
  try {
    call();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code);
    EXPECT_EQ(std::string(e.what()), message);
    return;
  }
  ADD_FAILURE() << "expected a prospect::Error: " << message;
}

/// Expects `call` to throw prospect::Error whose message starts with `start` and contains `part`:
/// for messages of which a test pins only the opening and one list (the rest may grow).
inline void ExpectErrorStartingWith(const std::function<void()>& call, std::string_view start,
                                    std::string_view part,
                                    std::source_location where = std::source_location::current()) {
  const ::testing::ScopedTrace trace(where.file_name(), static_cast<int>(where.line()),
                                     "ExpectErrorStartingWith");
  try {
    call();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind(start, 0), 0u);
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos);
    return;
  }
  ADD_FAILURE() << "expected a prospect::Error starting with: " << start;
}

}  // namespace prospect
