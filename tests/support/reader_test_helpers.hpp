// Helpers the CSV and JSON Lines reader tests share: the message of the error a read must throw,
// and options that send bad rows to a rejects file.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "prospect/common/error.hpp"
#include "prospect/io/csv.hpp"

namespace prospect::testing {

/// Runs `read`, which must throw a prospect::Error with `code`, and returns its message. A read
/// that throws nothing fails the test (naming `input`) and gives "".
template <typename Read>
std::string ErrorMessageOf(Read&& read, ErrorCode code, const std::string& input) {
  try {
    read();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error for: " << input;
  return "";
}

/// Read options with --on-error reject, writing the rejected rows to `rejects_path`.
inline ReadOptions RejectingInto(const std::string& rejects_path) {
  ReadOptions options;
  options.on_error = OnError::kReject;
  options.rejects_path = rejects_path;
  return options;
}

}  // namespace prospect::testing
