// Error code names and exit codes (docs/user/exit-codes.md).
#include "prospect/common/error.hpp"

namespace prospect {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid argument";
    case ErrorCode::kInvalidData: return "invalid data";
    case ErrorCode::kNotFound: return "not found";
    case ErrorCode::kAlreadyExists: return "already exists";
    case ErrorCode::kFailedPrecondition: return "failed precondition";
    case ErrorCode::kOutOfRange: return "out of range";
    case ErrorCode::kUnimplemented: return "unimplemented";
    case ErrorCode::kIo: return "i/o";
    case ErrorCode::kResourceExhausted: return "resource exhausted";
    case ErrorCode::kCancelled: return "cancelled";
    case ErrorCode::kDeadlineExceeded: return "deadline exceeded";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

int ExitCodeFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return 2;
    case ErrorCode::kInvalidData: return 3;
    case ErrorCode::kNotFound: return 4;
    case ErrorCode::kAlreadyExists: return 5;
    case ErrorCode::kFailedPrecondition: return 6;
    case ErrorCode::kOutOfRange: return 2;
    case ErrorCode::kUnimplemented: return 7;
    case ErrorCode::kIo: return 8;
    case ErrorCode::kResourceExhausted: return 9;
    case ErrorCode::kCancelled: return 130;
    case ErrorCode::kDeadlineExceeded: return 12;  // 10 and 11 are retrain's outcomes
    case ErrorCode::kInternal: return 70;
  }
  return 70;
}

}  // namespace prospect
