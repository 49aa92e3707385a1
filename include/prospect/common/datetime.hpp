// Calendar arithmetic for the date and timestamp column types. Dates are days since 1970-01-01;
// timestamps are microseconds since 1970-01-01T00:00:00 UTC (no time zones are stored).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace prospect {

inline constexpr int64_t kMicrosPerSecond = 1'000'000;
inline constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

struct CivilDate {
  int64_t year;
  int month;  // 1..12
  int day;    // 1..31
};

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t year, int month, int day);
CivilDate CivilFromDays(int64_t days);
/// True if year-month-day names a real calendar day.
bool IsValidCivil(int64_t year, int month, int day);

/// "2024-03-01".
std::string FormatDate(int64_t days);
/// "2024-03-01 08:26:00", with ".ffffff" only when there are sub-second digits.
std::string FormatTimestamp(int64_t micros);
/// Appends FormatTimestamp's text to out (no allocation per call in hot loops).
void AppendTimestamp(std::string& out, int64_t micros);
void AppendDate(std::string& out, int64_t days);

/// Floors a timestamp to its day.
inline int64_t DayOfTimestamp(int64_t micros) {
  return micros >= 0 ? micros / kMicrosPerDay : -((-micros + kMicrosPerDay - 1) / kMicrosPerDay);
}

/// The Monday of the ISO week holding `day` (days since 1970-01-01, which was a Thursday).
inline int64_t MondayOf(int64_t day) { return day - ((day + 3) % 7 + 7) % 7; }

}  // namespace prospect

namespace prospect {
/// Parses exactly "YYYY-MM-DD" (the canonical stored form). False if malformed or not a real day.
bool ParseIsoDate(std::string_view text, int64_t* days);
/// Parses exactly "YYYY-MM-DD HH:MM:SS[.f{1,6}]" or with 'T' as the separator.
bool ParseIsoTimestamp(std::string_view text, int64_t* micros);
/// Current UTC time as "YYYY-MM-DD HH:MM:SS" (for catalogue records only, never for results).
std::string NowUtc();
}  // namespace prospect
