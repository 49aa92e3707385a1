// Assertions the CLI tests share: a fresh workspace with one table ingested, and a command that
// must fail with a given piece of its stderr, or with a given exit code and opening of it.
#pragma once

#include <gtest/gtest.h>

#include <source_location>
#include <string>
#include <string_view>

#include "support/test_paths.hpp"

namespace prospect::testing {

/// Runs `prospect init DIR/w`, then `prospect FLAGS ingest TABLE CSV`, asserting both succeed.
/// `flags` are the global flags the test runs every command with (they select DIR/w). Call it
/// through ASSERT_NO_FATAL_FAILURE so that a failed setup stops the test.
inline void InitWorkspaceAndIngest(const TempDir& dir, const std::string& flags,
                                   const std::string& table, const std::string& csv,
                                   std::source_location where = std::source_location::current()) {
  const ::testing::ScopedTrace trace(where.file_name(), static_cast<int>(where.line()),
                                     "InitWorkspaceAndIngest");
  ASSERT_EQ(RunCli("init " + dir.path() + "/w").exit_code, 0);
  const CommandResult r = RunCli(flags + "ingest " + table + " " + csv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

/// Expects the command to have failed (a non-zero exit code) with `part` somewhere in its stderr;
/// a failure names the line of the test that called it.
inline void ExpectCliFailure(const CommandResult& r, std::string_view part,
                             std::source_location where = std::source_location::current()) {
  const ::testing::ScopedTrace trace(where.file_name(), static_cast<int>(where.line()),
                                     "ExpectCliFailure");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(part), std::string::npos) << r.err;
}

/// Expects the command to have exited with `exit_code` and its stderr to start with `prefix`
/// (an error message whose opening the test pins); a failure names the test's line.
inline void ExpectCliErrorStartingWith(
    const CommandResult& r, int exit_code, std::string_view prefix,
    std::source_location where = std::source_location::current()) {
  const ::testing::ScopedTrace trace(where.file_name(), static_cast<int>(where.line()),
                                     "ExpectCliErrorStartingWith");
  EXPECT_EQ(r.exit_code, exit_code);
  EXPECT_EQ(r.err.rfind(prefix, 0), 0u) << r.err;
}

}  // namespace prospect::testing
