// Cell parsing: numbers, bools, dates and timestamps from text (the general scanners behind the
// inline fast paths in cell_parse.hpp), date-order evidence and null markers.
#include "io/cell_parse.hpp"

#include <cstring>

#include "prospect/common/strings.hpp"

namespace prospect::io {
namespace {

std::string_view TrimSpaces(std::string_view t) {
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\r'))
    t.remove_suffix(1);
  return t;
}

// Reads 1..max_digits digits at `*pos`; false if none.
bool ReadNumber(std::string_view t, size_t* pos, size_t max_digits, int64_t* out,
                size_t* digits = nullptr) {
  size_t i = *pos;
  int64_t v = 0;
  while (i < t.size() && i - *pos < max_digits && t[i] >= '0' && t[i] <= '9')
    v = v * 10 + (t[i++] - '0');
  if (i == *pos) return false;
  if (digits) *digits = i - *pos;
  *pos = i;
  *out = v;
  return true;
}

// Parses a date at the start of `t`; *end gets the offset after it.
DateParse ParseDatePrefix(std::string_view t, DateOrder order, int64_t* days, size_t* end) {
  size_t pos = 0, n1 = 0, n2 = 0, n3 = 0;
  int64_t a, b, c;
  if (!ReadNumber(t, &pos, 4, &a, &n1) || pos >= t.size()) return DateParse::kNotADate;
  const char sep = t[pos];
  if (sep != '-' && sep != '/' && sep != '.') return DateParse::kNotADate;
  ++pos;
  if (!ReadNumber(t, &pos, 2, &b, &n2) || pos >= t.size() || t[pos] != sep)
    return DateParse::kNotADate;
  ++pos;
  int64_t year, month, day;
  if (n1 == 4) {  // YYYY-MM-DD or YYYY/MM/DD
    if (sep == '.' || !ReadNumber(t, &pos, 2, &c, &n3)) return DateParse::kNotADate;
    year = a;
    month = b;
    day = c;
  } else {
    if (n1 > 2 || !ReadNumber(t, &pos, 4, &c, &n3) || n3 != 4) return DateParse::kNotADate;
    year = c;
    const bool day_first = sep == '.' || order == DateOrder::kDayFirst;
    month = day_first ? b : a;
    day = day_first ? a : b;
  }
  if (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') return DateParse::kNotADate;
  *end = pos;
  if (!IsValidCivil(year, static_cast<int>(month), static_cast<int>(day)))
    return DateParse::kInvalidDay;
  *days = DaysFromCivil(year, static_cast<int>(month), static_cast<int>(day));
  return DateParse::kOk;
}

}  // namespace

bool ParseDouble(std::string_view text, char decimal, double* out) {
  if (decimal == '.') return ParseDouble(text, out);
  if (text.find('.') != std::string_view::npos) return false;  // "1.234,5" is not a number here
  const size_t comma = text.find(decimal);
  if (comma == std::string_view::npos) return ParseDouble(text, out);
  if (text.size() > 64) return false;
  char buf[64];
  std::memcpy(buf, text.data(), text.size());
  buf[comma] = '.';
  return ParseDouble(std::string_view(buf, text.size()), out);
}

bool HasLeadingZero(std::string_view text) {
  text = TrimSpaces(text);
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) text.remove_prefix(1);
  return text.size() >= 2 && text[0] == '0' && text[1] >= '0' && text[1] <= '9';
}

bool ParseBool(std::string_view text, bool lenient, bool* out) {
  text = TrimSpaces(text);
  if (text == "true" || text == "True" || text == "TRUE") {
    *out = true;
    return true;
  }
  if (text == "false" || text == "False" || text == "FALSE") {
    *out = false;
    return true;
  }
  if (!lenient || text.size() > 5) return false;
  const std::string lower = ToLower(text);
  if (lower == "true" || lower == "t" || lower == "yes" || lower == "y" || lower == "1") {
    *out = true;
    return true;
  }
  if (lower == "false" || lower == "f" || lower == "no" || lower == "n" || lower == "0") {
    *out = false;
    return true;
  }
  return false;
}

DateParse ParseDateText(std::string_view text, DateOrder order, int64_t* days) {
  DateParse fast;
  int64_t seconds;
  if (text.size() == 10 && ParseIsoFast(text, &fast, days, &seconds)) return fast;
  text = TrimSpaces(text);
  size_t end = 0;
  const DateParse r = ParseDatePrefix(text, order, days, &end);
  if (r == DateParse::kOk && end != text.size()) return DateParse::kNotADate;
  if (r == DateParse::kInvalidDay && end != text.size()) return DateParse::kNotADate;
  return r;
}

DateParse ParseTimestampText(std::string_view text, DateOrder order, bool epoch, int64_t* micros) {
  {
    DateParse fast;
    int64_t days, seconds;
    if (ParseIsoFast(text, &fast, &days, &seconds)) {
      if (fast == DateParse::kOk) *micros = days * kMicrosPerDay + seconds * kMicrosPerSecond;
      return fast;
    }
  }
  text = TrimSpaces(text);
  if (epoch) {
    int64_t v;
    if (ParseInt64(text, &v)) {
      // Seconds until 1e11 (year 5138), milliseconds beyond; both far from overflow here.
      if (v > -100'000'000'000LL && v < 100'000'000'000LL) {
        *micros = v * kMicrosPerSecond;
      } else if (v > -100'000'000'000'000LL && v < 100'000'000'000'000LL) {
        *micros = v * 1000;
      } else {
        return DateParse::kNotADate;
      }
      return DateParse::kOk;
    }
  }
  size_t pos = 0;
  int64_t days;
  const DateParse d = ParseDatePrefix(text, order, &days, &pos);
  if (d == DateParse::kNotADate) return d;
  int64_t seconds = 0, fraction = 0, offset_minutes = 0;
  if (pos < text.size()) {
    if (text[pos] != ' ' && text[pos] != 'T') return DateParse::kNotADate;
    ++pos;
    while (pos < text.size() && text[pos] == ' ') ++pos;
    int64_t h, mi, s = 0;
    size_t nd;
    if (!ReadNumber(text, &pos, 2, &h) || pos >= text.size() || text[pos] != ':')
      return DateParse::kNotADate;
    ++pos;
    if (!ReadNumber(text, &pos, 2, &mi, &nd) || nd != 2) return DateParse::kNotADate;
    if (pos < text.size() && text[pos] == ':') {
      ++pos;
      if (!ReadNumber(text, &pos, 2, &s, &nd) || nd != 2) return DateParse::kNotADate;
      if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
        ++pos;
        size_t start = pos;
        int64_t digits = 0;
        size_t count = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
          if (count < 6) digits = digits * 10 + (text[pos] - '0');
          ++count;
          ++pos;
        }
        if (pos == start) return DateParse::kNotADate;
        for (size_t i = count; i < 6; ++i) digits *= 10;
        fraction = digits;  // digits beyond microseconds are dropped
      }
    }
    if (pos < text.size()) {
      const char z = text[pos];
      if (z == 'Z' && pos + 1 == text.size()) {
        ++pos;
      } else if (z == '+' || z == '-') {
        ++pos;
        int64_t oh, om = 0;
        if (!ReadNumber(text, &pos, 2, &oh, &nd) || nd != 2) return DateParse::kNotADate;
        if (pos < text.size() && text[pos] == ':') ++pos;
        if (pos < text.size() && (!ReadNumber(text, &pos, 2, &om, &nd) || nd != 2))
          return DateParse::kNotADate;
        if (oh > 23 || om > 59) return DateParse::kNotADate;
        offset_minutes = (z == '+' ? 1 : -1) * (oh * 60 + om);
      }
      if (pos != text.size()) return DateParse::kNotADate;
    }
    if (d == DateParse::kInvalidDay) return d;
    if (h > 23 || mi > 59 || s > 60) return DateParse::kInvalidDay;
    seconds = h * 3600 + mi * 60 + s;
  }
  if (d == DateParse::kInvalidDay) return d;
  *micros = days * kMicrosPerDay + (seconds - offset_minutes * 60) * kMicrosPerSecond + fraction;
  return DateParse::kOk;
}

void ObserveDateOrder(std::string_view text, DateOrderEvidence* evidence) {
  text = TrimSpaces(text);
  size_t pos = 0, n1 = 0;
  int64_t a, b;
  if (!ReadNumber(text, &pos, 4, &a, &n1) || n1 > 2 || pos >= text.size()) return;
  const char sep = text[pos];
  if (sep != '/' && sep != '-') return;
  ++pos;
  if (!ReadNumber(text, &pos, 2, &b) || pos >= text.size() || text[pos] != sep) return;
  if (a > 12) evidence->first_over_12 = true;
  if (b > 12) evidence->second_over_12 = true;
}

NullMatcher::NullMatcher(const std::vector<std::string>& markers) {
  for (const auto& m : markers) {
    if (m.empty()) continue;
    markers_.push_back(m);
    if (m.size() < 64) length_mask_ |= uint64_t{1} << m.size();
    const auto c = static_cast<uint8_t>(m[0]);
    first_char_mask_[c >> 6] |= uint64_t{1} << (c & 63);
  }
}

}  // namespace prospect::io
