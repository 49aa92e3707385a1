// Numbers from text: the one strict parse used by the readers, parameters, flags and configs.
#pragma once

#include <cstdint>
#include <string_view>

namespace prospect {

/// Strict integer: optional sign, digits, optional surrounding spaces and tabs; false for anything
/// else (empty, trailing text, out of int64 range).
bool ParseInt64(std::string_view text, int64_t* out);
/// Decimal or scientific notation, nan, inf; optional sign and surrounding spaces. Out-of-range
/// magnitudes saturate (to ±inf or 0) as strtod does; false for anything else.
bool ParseDouble(std::string_view text, double* out);

/// The common integer fast path: an optional '-' and up to 18 digits (which cannot overflow).
/// Inline because the column builder's per-cell loops call it directly; ParseInt64 gives the same
/// result for such text.
[[gnu::always_inline]] inline bool ParsePlainInt(std::string_view text, int64_t* out) {
  if (text.empty() || text.size() > 18) return false;
  const bool negative = text[0] == '-';
  size_t i = negative;
  if (i == text.size()) return false;
  uint64_t v = 0;
  for (; i < text.size(); ++i) {
    const unsigned d = static_cast<unsigned char>(text[i]) - '0';
    if (d > 9) return false;
    v = v * 10 + d;
  }
  *out = negative ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
  return true;
}

}  // namespace prospect
