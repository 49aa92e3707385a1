// ExpectError: the one way a test asserts that a call fails with a given prospect::Error (its
// code and its whole message, which users read and scripts may match).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <source_location>
#include <string>
#include <string_view>

#include "prospect/common/error.hpp"

namespace prospect {

namespace expect_error_internal {

/// The prospect::Error that `call` throws; a call that throws none fails the test with
/// `failure` and gives nothing. The one catch behind ExpectError and ExpectErrorStartingWith.
inline std::optional<Error> ErrorThrownBy(const std::function<void()>& call,
                                          std::string_view failure, std::string_view expected) {
  try {
    call();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << failure << expected;
  return std::nullopt;
}

}  // namespace expect_error_internal

/// Expects `call` to throw prospect::Error with this code and exactly this message; a failure
/// names the line of the test that called ExpectError.
inline void ExpectError(const std::function<void()>& call, ErrorCode code, std::string_view message,
                        std::source_location where = std::source_location::current()) {
  const ::testing::ScopedTrace trace(where.file_name(), static_cast<int>(where.line()),
                                     "ExpectError");
  const std::optional<Error> e =
      expect_error_internal::ErrorThrownBy(call, "expected a prospect::Error: ", message);
  if (!e) return;
  EXPECT_EQ(e->code(), code);
  EXPECT_EQ(std::string(e->what()), message);
}

/// Expects `call` to throw prospect::Error whose message starts with `start` and contains `part`:
/// for messages of which a test pins only the opening and one list (the rest may grow).
inline void ExpectErrorStartingWith(const std::function<void()>& call, std::string_view start,
                                    std::string_view part,
                                    std::source_location where = std::source_location::current()) {
  const ::testing::ScopedTrace trace(where.file_name(), static_cast<int>(where.line()),
                                     "ExpectErrorStartingWith");
  const std::optional<Error> e = expect_error_internal::ErrorThrownBy(
      call, "expected a prospect::Error starting with: ", start);
  if (!e) return;
  EXPECT_EQ(std::string(e->what()).rfind(start, 0), 0u);
  EXPECT_NE(std::string(e->what()).find(part), std::string::npos);
}

}  // namespace prospect
