// Small string helpers shared across modules.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace prospect {

/// Levenshtein distance, for "did you mean" suggestions.
size_t EditDistance(std::string_view a, std::string_view b);

/// Up to `limit` candidates closest to `word` (distance <= max(2, |word|/3)), best first.
std::vector<std::string> ClosestMatches(std::string_view word,
                                        const std::vector<std::string>& candidates,
                                        size_t limit = 3);

/// "Did you mean \"x\"? " when there is a close candidate, else "".
std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates);

/// Joins with a separator: Join({"a","b"}, ", ") == "a, b".
std::string Join(const std::vector<std::string>& parts, std::string_view separator);

/// Splits on a single character; keeps empty parts.
std::vector<std::string> Split(std::string_view text, char separator);

/// Trims ASCII whitespace on both ends.
std::string_view Trim(std::string_view text);

/// ASCII lower case.
std::string ToLower(std::string_view text);

/// Columns a UTF-8 string takes on a terminal: East Asian wide and fullwidth characters (CJK,
/// Hangul, fullwidth forms, most emoji) take two, combining marks none, everything else one.
size_t DisplayWidth(std::string_view text);

/// A value shown safely inside an error message: quoted, control characters escaped,
/// shortened to at most `max_chars` with "…".
std::string QuoteForMessage(std::string_view value, size_t max_chars = 60);

}  // namespace prospect
