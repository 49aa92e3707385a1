// A bounds-checking walk over Universal Binary JSON (the format XGBoost saves boosters in), run
// before the bytes reach a third-party parser that trusts them: XGBoost 1.7's UBJReader reads a
// string's declared length without checking it against the buffer (a heap overflow on a
// corrupted file, found by tests/fuzz/model_fuzz.cpp).
#pragma once

#include <string_view>

namespace prospect {

/// Checks that `bytes` is exactly one well-formed UBJSON value: every marker known, every length
/// and count non-negative and within the bytes that are there, nesting at most 256 deep, nothing
/// after the value. Throws Error(kInvalidData) naming `what`, the offset and the problem.
/// Thread-safe; O(size) time, O(depth) stack.
void CheckUbjson(std::string_view bytes, std::string_view what);

}  // namespace prospect
