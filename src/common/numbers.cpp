#include "prospect/common/numbers.hpp"

#include <charconv>
#include <cstdlib>
#include <string>

namespace prospect {
namespace {

// Number text for from_chars: surrounding spaces trimmed and a leading '+' dropped (from_chars
// takes none); false when no number can follow ("", "+", "+-1").
bool TrimNumberText(std::string_view* text) {
  std::string_view& t = *text;
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\r'))
    t.remove_suffix(1);
  if (!t.empty() && t[0] == '+') {
    t.remove_prefix(1);
    if (t.empty() || t[0] == '-') return false;
  }
  return !t.empty();
}

}  // namespace

bool ParseInt64(std::string_view text, int64_t* out) {
  if (ParsePlainInt(text, out)) return true;
  if (!TrimNumberText(&text)) return false;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), *out);
  return r.ec == std::errc() && r.ptr == text.data() + text.size();
}

bool ParseDouble(std::string_view text, double* out) {
  if (!TrimNumberText(&text)) return false;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), *out);
  if (r.ptr != text.data() + text.size()) return false;
  if (r.ec == std::errc::result_out_of_range) {
    // Too large or too small for a double: saturate like strtod does.
    *out = std::strtod(std::string(text).c_str(), nullptr);
    return true;
  }
  return r.ec == std::errc();
}

}  // namespace prospect
