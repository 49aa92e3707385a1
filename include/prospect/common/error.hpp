// Errors: one exception type with a small fixed set of codes, and Result<T> for outcomes the
// caller handles locally (parsing one cell). Only boundaries catch (CLI main, server).
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace prospect {

/// The fixed set of error codes. The CLI maps each to an exit code (see ExitCodeFor).
enum class ErrorCode {
  kInvalidArgument,     ///< A flag, parameter or name the user gave is not allowed.
  kInvalidData,         ///< Input data does not parse or violates the schema.
  kNotFound,            ///< A table, model, file or customer does not exist.
  kAlreadyExists,       ///< Creating something that is already there.
  kFailedPrecondition,  ///< The operation is valid but the state does not allow it (e.g. not
                        ///< fitted).
  kOutOfRange,          ///< A value is outside the allowed range.
  kUnimplemented,       ///< A documented capability that this build does not provide.
  kIo,                  ///< Reading or writing a file or the store failed.
  kResourceExhausted,   ///< Out of memory, disk, or a size limit.
  kCancelled,           ///< The Context was cancelled.
  kDeadlineExceeded,    ///< A time limit ran out.
  kInternal,            ///< A bug: an internal check failed.
};

/// Stable lower-case name of a code ("invalid data"), used in JSON error bodies.
std::string_view ErrorCodeName(ErrorCode code);

/// Process exit code for an error code; documented in docs/user/exit-codes.md.
int ExitCodeFor(ErrorCode code);

/// The one exception type of the library. The message is for people: what failed, the value,
/// what is allowed, and where.
class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, std::string message)
      : std::runtime_error(std::move(message)), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

/// Throws Error(code, fmt::format(...)). Use for errors that end the operation.
template <typename... Args>
[[noreturn]] void Fail(ErrorCode code, fmt::format_string<Args...> format, Args&&... args) {
  throw Error(code, fmt::format(format, std::forward<Args>(args)...));
}

/// Internal invariant check: throws kInternal (never aborts) so a bug cannot kill a server.
#define PROSPECT_CHECK(cond)                                                                  \
  do {                                                                                        \
    if (!(cond))                                                                              \
      ::prospect::Fail(::prospect::ErrorCode::kInternal, "internal check failed: {} ({}:{})", \
                       #cond, __FILE__, __LINE__);                                            \
  } while (0)

/// A value or an error message, for outcomes handled locally (DuckDB's rule).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  static Result Failure(std::string message) { return Result(FailureTag{}, std::move(message)); }

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  const T& operator*() const& { return value(); }
  const std::string& error() const { return std::get<1>(state_); }

 private:
  struct FailureTag {};
  Result(FailureTag, std::string message) : state_(std::in_place_index<1>, std::move(message)) {}
  std::variant<T, std::string> state_;
};

}  // namespace prospect
