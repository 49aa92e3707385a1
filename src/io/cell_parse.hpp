// Cell parsing: what one cell's text means to the readers. Null markers, integers and doubles
// (with either decimal separator), bools, dates and timestamps, and the M/D or D/M evidence of
// slash dates. Private to src/io, and to the server's JSON cells (src/serve/request_json.cpp),
// which read dates and times as the readers do.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "prospect/common/datetime.hpp"
#include "prospect/common/numbers.hpp"

namespace prospect::io {

enum class DateOrder : uint8_t { kMonthFirst, kDayFirst };
enum class DateParse : uint8_t { kOk, kNotADate, kInvalidDay };

// The strict number parses (ParseInt64, ParseDouble, ParsePlainInt) are
// prospect/common/numbers.hpp.
using prospect::ParseDouble;
/// ParseDouble with `decimal` as the decimal separator ('.' or ','; with ',' a '.' is not
/// accepted).
bool ParseDouble(std::string_view text, char decimal, double* out);
/// A number written with a leading zero ("08123", "-007", "00.5"): zip codes and zero-padded ids,
/// which inference keeps as text so that they round-trip. "0", "0.5" and "-0" are not.
bool HasLeadingZero(std::string_view text);
/// Non-empty and nothing but spaces and tabs.
inline bool IsBlankText(std::string_view text) {
  return !text.empty() && text.find_first_not_of(" \t") == std::string_view::npos;
}
/// Inferred bools: true/false, True/False, TRUE/FALSE. With `lenient` (declared bool columns)
/// also t/f, yes/no, y/n, 1/0 in any case.
bool ParseBool(std::string_view text, bool lenient, bool* out);
/// Date forms: YYYY-MM-DD, YYYY/MM/DD, M/D/YYYY or D/M/YYYY (by `order`), D.M.YYYY, M-D-YYYY or
/// D-M-YYYY (by `order`). kInvalidDay when the shape fits but the day does not exist.
DateParse ParseDateText(std::string_view text, DateOrder order, int64_t* days);
/// A date form, then ' ' or 'T', H:MM[:SS[.fraction]], optional Z / +HH:MM / +HHMM / +HH
/// (converted to UTC); a plain date is midnight. `epoch`: integers are epoch seconds, or
/// milliseconds when |value| >= 1e11 (declared timestamp columns only).
DateParse ParseTimestampText(std::string_view text, DateOrder order, bool epoch, int64_t* micros);

/// Which of a slash/dash date's first two numbers exceeded 12 (to tell M/D from D/M).
struct DateOrderEvidence {
  bool first_over_12 = false;
  bool second_over_12 = false;
};
/// Updates `evidence` if `text` starts with an ambiguous N/N/YYYY or N-N-YYYY date.
void ObserveDateOrder(std::string_view text, DateOrderEvidence* evidence);

/// Null markers: unquoted empty cells are null; other markers match quoted or unquoted text.
class NullMatcher {
 public:
  explicit NullMatcher(const std::vector<std::string>& markers);
  [[gnu::always_inline]] bool IsNull(std::string_view text, bool quoted) const {
    if (text.empty()) return !quoted;
    if (text.size() >= 64 || !(length_mask_ >> text.size() & 1)) return false;
    if (!(first_char_mask_[static_cast<uint8_t>(text[0]) >> 6] >>
              (static_cast<uint8_t>(text[0]) & 63) &
          1)) {
      return false;
    }
    for (const auto& m : markers_) {
      if (m == text) return true;
    }
    return false;
  }

 private:
  std::vector<std::string> markers_;  // non-empty ones
  uint64_t length_mask_ = 0;          // bit n set when some marker has n bytes
  uint64_t first_char_mask_[4] = {};  // bit c set when some marker starts with byte c
};

/// Appends quoted text to `out` with its doubled quotes undone.
[[gnu::always_inline]] inline void AppendUnescaped(std::string& out, std::string_view text,
                                                   char quote) {
  for (size_t i = 0; i < text.size(); ++i) {
    out += text[i];
    if (text[i] == quote && i + 1 < text.size() && text[i + 1] == quote) ++i;
  }
}

// ---- Fast paths ---------------------------------------------------------------------------------
// Inline here because the column builder's per-cell loops call them directly; the functions above
// try them first and give the same results.

/// Two ASCII digits at p, or -1.
inline int TwoDigitsAt(const char* p) {
  const unsigned a = static_cast<unsigned char>(p[0]) - '0',
                 b = static_cast<unsigned char>(p[1]) - '0';
  return a <= 9 && b <= 9 ? static_cast<int>(a * 10 + b) : -1;
}

/// The ISO forms "YYYY-MM-DD" and "YYYY-MM-DD HH:MM:SS" (or 'T') that most files use, with every
/// digit in place: parsed without the general scanner, to the same result. False: not this shape.
[[gnu::always_inline]] inline bool ParseIsoFast(std::string_view t, DateParse* result,
                                                int64_t* days, int64_t* seconds) {
  if (t.size() != 10 && t.size() != 19) return false;
  const char* p = t.data();
  const int y1 = TwoDigitsAt(p), y2 = TwoDigitsAt(p + 2), month = TwoDigitsAt(p + 5),
            day = TwoDigitsAt(p + 8);
  if (y1 < 0 || y2 < 0 || p[4] != '-' || month < 0 || p[7] != '-' || day < 0) return false;
  int h = 0, mi = 0, sec = 0;
  if (t.size() == 19) {
    h = TwoDigitsAt(p + 11);
    mi = TwoDigitsAt(p + 14);
    sec = TwoDigitsAt(p + 17);
    if ((p[10] != ' ' && p[10] != 'T') || h < 0 || p[13] != ':' || mi < 0 || p[16] != ':' ||
        sec < 0)
      return false;
  }
  const int64_t year = y1 * 100 + y2;
  if (!IsValidCivil(year, month, day) || h > 23 || mi > 59 || sec > 60) {
    *result = DateParse::kInvalidDay;
    return true;
  }
  *result = DateParse::kOk;
  *days = DaysFromCivil(year, month, day);
  *seconds = h * 3600 + mi * 60 + sec;
  return true;
}

}  // namespace prospect::io
