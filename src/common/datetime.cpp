// Civil-date arithmetic (Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms").
#include "prospect/common/datetime.hpp"

#include <fmt/format.h>

namespace prospect {

int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {y + (m <= 2), m, d};
}

bool IsValidCivil(int64_t year, int month, int day) {
  if (month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int max_day = month == 2 && leap ? 29 : kDays[month - 1];
  return day <= max_day;
}

namespace {
void AppendDigits(std::string& out, int64_t value, int width) {
  char buf[24];
  int n = 0;
  uint64_t v = static_cast<uint64_t>(value < 0 ? -value : value);
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  if (value < 0) out += '-';
  for (int i = n; i < width; ++i) out += '0';
  while (n) out += buf[--n];
}
}  // namespace

void AppendDate(std::string& out, int64_t days) {
  const CivilDate c = CivilFromDays(days);
  AppendDigits(out, c.year, 4);
  out += '-';
  AppendDigits(out, c.month, 2);
  out += '-';
  AppendDigits(out, c.day, 2);
}

void AppendTimestamp(std::string& out, int64_t micros) {
  const int64_t day = DayOfTimestamp(micros);
  int64_t rest = micros - day * kMicrosPerDay;
  AppendDate(out, day);
  out += ' ';
  const int64_t seconds = rest / kMicrosPerSecond;
  const int64_t fraction = rest % kMicrosPerSecond;
  AppendDigits(out, seconds / 3600, 2);
  out += ':';
  AppendDigits(out, (seconds / 60) % 60, 2);
  out += ':';
  AppendDigits(out, seconds % 60, 2);
  if (fraction) {
    out += '.';
    AppendDigits(out, fraction, 6);
  }
}

std::string FormatDate(int64_t days) {
  std::string out;
  AppendDate(out, days);
  return out;
}

std::string FormatTimestamp(int64_t micros) {
  std::string out;
  AppendTimestamp(out, micros);
  return out;
}

}  // namespace prospect

#include <chrono>

namespace prospect {
namespace {
bool ReadFixed(std::string_view text, size_t pos, size_t width, int64_t* out) {
  if (pos + width > text.size()) return false;
  int64_t v = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}
}  // namespace

bool ParseIsoDate(std::string_view t, int64_t* days) {
  int64_t y, m, d;
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return false;
  if (!ReadFixed(t, 0, 4, &y) || !ReadFixed(t, 5, 2, &m) || !ReadFixed(t, 8, 2, &d)) return false;
  if (!IsValidCivil(y, static_cast<int>(m), static_cast<int>(d))) return false;
  *days = DaysFromCivil(y, static_cast<int>(m), static_cast<int>(d));
  return true;
}

bool ParseIsoTimestamp(std::string_view t, int64_t* micros) {
  int64_t days, h, mi, s;
  if (t.size() < 19 || (t[10] != ' ' && t[10] != 'T') || t[13] != ':' || t[16] != ':') return false;
  if (!ParseIsoDate(t.substr(0, 10), &days)) return false;
  if (!ReadFixed(t, 11, 2, &h) || !ReadFixed(t, 14, 2, &mi) || !ReadFixed(t, 17, 2, &s))
    return false;
  if (h > 23 || mi > 59 || s > 60) return false;
  int64_t fraction = 0;
  if (t.size() > 19) {
    if (t[19] != '.' || t.size() == 20 || t.size() > 26) return false;
    int64_t digits;
    if (!ReadFixed(t, 20, t.size() - 20, &digits)) return false;
    fraction = digits;
    for (size_t i = t.size() - 20; i < 6; ++i) fraction *= 10;
  }
  *micros = days * kMicrosPerDay + (h * 3600 + mi * 60 + s) * kMicrosPerSecond + fraction;
  return true;
}

std::string NowUtc() {
  const auto now = std::chrono::system_clock::now();
  const int64_t micros =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count() *
      kMicrosPerSecond;
  return FormatTimestamp(micros);
}

}  // namespace prospect
