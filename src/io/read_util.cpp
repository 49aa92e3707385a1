// Loading, UTF-8 checks, cell parsing, type inference and column accumulation for the readers.
#include "io/read_util.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"

namespace prospect::io {
namespace {

bool EndsWithGz(const std::string& path) {
  return path.size() >= 3 && ToLower(path.substr(path.size() - 3)) == ".gz";
}

std::string Gunzip(std::string_view bytes, const std::string& name) {
  std::string out;
  // The gzip trailer holds the uncompressed size mod 2^32: a good first guess for the buffer.
  size_t guess = bytes.size() * 4;
  if (bytes.size() >= 18) {
    uint32_t isize;
    std::memcpy(&isize, bytes.data() + bytes.size() - 4, 4);
    // Deflate expands at most ~1032:1, so a larger trailer value is garbage (a truncated file).
    if (isize > bytes.size() && isize / 1032 <= bytes.size()) guess = std::min<size_t>(isize + 1, size_t{1} << 31);
  }
  out.resize(std::max<size_t>(guess, 1 << 16));
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) Fail(ErrorCode::kInternal, "zlib inflateInit2 failed");
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, inflateEnd);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  size_t in_left = bytes.size();
  size_t produced = 0;
  int rc = Z_OK;
  for (;;) {
    if (produced == out.size()) out.resize(out.size() * 2);
    const uInt in_chunk = static_cast<uInt>(std::min<size_t>(in_left, 1u << 30));
    zs.avail_in = in_chunk;
    const size_t out_room = std::min<size_t>(out.size() - produced, 1u << 30);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    zs.avail_out = static_cast<uInt>(out_room);
    rc = inflate(&zs, Z_NO_FLUSH);
    produced += out_room - zs.avail_out;
    in_left -= in_chunk - zs.avail_in;
    if (rc == Z_STREAM_END) {
      // Concatenated gzip members (as `cat a.gz b.gz` makes) are one stream.
      if (in_left == 0) break;
      if (inflateReset(&zs) != Z_OK) Fail(ErrorCode::kInternal, "zlib inflateReset failed");
      continue;
    }
    if (rc == Z_BUF_ERROR && in_left == 0) {
      Fail(ErrorCode::kInvalidData,
           "{}: the gzip data is truncated (it ends after {} compressed bytes, before the end of the stream). "
           "Possible fix: copy or download the file again; `gzip -t` checks it.",
           name, bytes.size());
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      Fail(ErrorCode::kInvalidData,
           "{}: the gzip data is corrupt ({}). Possible fix: copy or download the file again; `gzip -t` checks it.",
           name, zs.msg ? zs.msg : "zlib error " + std::to_string(rc));
    }
  }
  out.resize(produced);
  return out;
}

std::string Latin1ToUtf8(std::string_view in) {
  size_t high = 0;
  for (unsigned char c : in) high += c >= 0x80;
  if (high == 0) return std::string(in);
  std::string out;
  out.reserve(in.size() + high);
  for (unsigned char c : in) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

bool IsGzip(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f && static_cast<unsigned char>(bytes[1]) == 0x8b;
}

[[noreturn]] void FailBinary(std::string_view text, size_t nul, const std::string& name) {
  const Location at = LocateIn(text, 0, 1, nul);
  Fail(ErrorCode::kInvalidData,
       "{}:{}:{}: the file looks binary (it contains a NUL byte), not CSV or JSON Lines text. "
       "Possible fixes: check that this is the right file; decompress or export it as text first.",
       name, at.line, at.column);
}

// The text to parse from bytes that are not gzip data and hold no NUL: nullopt when the bytes
// themselves are that text (UTF-8), else their transcoding.
std::optional<std::string> Transcode(std::string_view bytes, TextEncoding encoding) {
  if (encoding == TextEncoding::kLatin1) return Latin1ToUtf8(bytes);
  return std::nullopt;
}

// Gunzips, checks for NUL bytes and transcodes bytes already in memory.
std::string PrepareBytes(std::string_view bytes, const std::string& name, TextEncoding encoding) {
  std::string text = IsGzip(bytes) ? Gunzip(bytes, name) : std::string(bytes);
  if (const void* nul = std::memchr(text.data(), 0, text.size())) {
    FailBinary(text, static_cast<size_t>(static_cast<const char*>(nul) - text.data()), name);
  }
  if (auto transcoded = Transcode(text, encoding)) return std::move(*transcoded);
  return text;
}

// Reads what is left of a stream that has no size up front (a pipe).
std::string ReadStream(int fd, const std::string& path) {
  std::string bytes;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      Fail(ErrorCode::kIo, "cannot read {}: {}", path, std::strerror(errno));
    }
    bytes.append(buf, static_cast<size_t>(n));
  }
  return bytes;
}

// Reads `size` bytes at `offset` whole; false when the file ends first.
bool ReadFully(int fd, char* out, size_t size, size_t offset, int* error) {
  while (size > 0) {
    const ssize_t n = ::pread(fd, out, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *error = errno;
      return false;
    }
    if (n == 0) return false;
    out += n;
    offset += static_cast<size_t>(n);
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

std::string PrepareText(std::string bytes, const std::string& name, TextEncoding encoding) {
  return PrepareBytes(bytes, name, encoding);
}

LoadedText LoadText(const std::string& path, TextEncoding encoding, int threads) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    Fail(errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo, "cannot open {}: {}", path, std::strerror(errno));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) Fail(ErrorCode::kIo, "cannot read {}: {}", path, std::strerror(errno));
  if (!S_ISREG(st.st_mode)) {
    std::string bytes = ReadStream(fd, path);
    if (EndsWithGz(path) && !IsGzip(bytes) && !bytes.empty()) {
      Fail(ErrorCode::kInvalidData, "{}: the name ends in .gz but the file is not gzip data. Possible fix: rename it.",
           path);
    }
    return LoadedText(PrepareBytes(bytes, path, encoding));
  }
  // A regular file is read in pieces by all threads into memory that is not zeroed first (zeroing
  // and then copying cost as much again), each piece checked for NUL bytes while it is in cache.
  const auto size = static_cast<size_t>(st.st_size);
  auto bytes = std::unique_ptr<char[]>(new char[std::max<size_t>(size, 1)]);
  constexpr size_t kPiece = size_t{4} << 20;
  const size_t pieces = (size + kPiece - 1) / kPiece;
  std::vector<size_t> first_nul(pieces, SIZE_MAX);
  std::atomic<int> read_error{0};
  std::atomic<bool> ended_early{false};
#pragma omp parallel for schedule(static) num_threads(std::max(1, threads))
  for (size_t i = 0; i < pieces; ++i) {
    const size_t offset = i * kPiece, length = std::min(kPiece, size - offset);
    int error = 0;
    if (!ReadFully(fd, bytes.get() + offset, length, offset, &error)) {
      if (error) read_error = error;
      ended_early = true;
      continue;
    }
    if (const void* nul = std::memchr(bytes.get() + offset, 0, length)) {
      first_nul[i] = static_cast<size_t>(static_cast<const char*>(nul) - bytes.get());
    }
  }
  if (read_error) Fail(ErrorCode::kIo, "cannot read {}: {}", path, std::strerror(read_error));
  char extra;
  if (ended_early || ::pread(fd, &extra, 1, static_cast<off_t>(size)) > 0) {
    Fail(ErrorCode::kIo,
         "{} changed while it was being read (it had {} bytes when opened). Possible fix: ingest a copy that "
         "nothing is writing to.",
         path, size);
  }
  const std::string_view view(bytes.get(), size);
  if (IsGzip(view)) return LoadedText(PrepareBytes(view, path, encoding));
  if (EndsWithGz(path) && size > 0) {
    Fail(ErrorCode::kInvalidData, "{}: the name ends in .gz but the file is not gzip data. Possible fix: rename it.",
         path);
  }
  // An empty file has no pieces (and so no first NUL to look at).
  const size_t nul = first_nul.empty() ? SIZE_MAX : *std::min_element(first_nul.begin(), first_nul.end());
  if (nul != SIZE_MAX) FailBinary(view, nul, path);
  if (auto transcoded = Transcode(view, encoding)) return LoadedText(std::move(*transcoded));
  return LoadedText(std::move(bytes), size);
}

size_t FindInvalidUtf8(const char* data, size_t size) {
  const auto* s = reinterpret_cast<const unsigned char*>(data);
  size_t i = 0;
  while (i < size) {
    // ASCII fast path, 8 bytes at a time.
    while (i + 8 <= size) {
      uint64_t w;
      std::memcpy(&w, s + i, 8);
      if (w & 0x8080808080808080ull) break;
      i += 8;
    }
    if (i >= size) break;
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + n > size) return i;
    for (size_t k = 1; k < n; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    // Overlong forms, surrogates and code points above U+10FFFF are invalid.
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return i;
    }
    i += n;
  }
  return size;
}

Location LocateIn(std::string_view text, size_t line_start, int64_t line, size_t pos) {
  pos = std::min(pos, text.size());
  size_t start = line_start;
  for (size_t i = line_start; i < pos; ++i) {
    if (text[i] == '\n') {
      ++line;
      start = i + 1;
    }
  }
  int64_t column = 1;
  for (size_t i = start; i < pos; ++i) column += (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
  return {line, column};
}

// ---- Cells --------------------------------------------------------------------------------------

namespace {

std::string_view TrimSpaces(std::string_view t) {
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\r')) t.remove_suffix(1);
  return t;
}

// Reads 1..max_digits digits at `*pos`; false if none.
bool ReadNumber(std::string_view t, size_t* pos, size_t max_digits, int64_t* out, size_t* digits = nullptr) {
  size_t i = *pos;
  int64_t v = 0;
  while (i < t.size() && i - *pos < max_digits && t[i] >= '0' && t[i] <= '9') v = v * 10 + (t[i++] - '0');
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
  if (!ReadNumber(t, &pos, 2, &b, &n2) || pos >= t.size() || t[pos] != sep) return DateParse::kNotADate;
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
  if (!IsValidCivil(year, static_cast<int>(month), static_cast<int>(day))) return DateParse::kInvalidDay;
  *days = DaysFromCivil(year, static_cast<int>(month), static_cast<int>(day));
  return DateParse::kOk;
}

// Two ASCII digits at p, or -1.
int TwoDigits(const char* p) {
  const unsigned a = static_cast<unsigned char>(p[0]) - '0', b = static_cast<unsigned char>(p[1]) - '0';
  return a <= 9 && b <= 9 ? static_cast<int>(a * 10 + b) : -1;
}

// The ISO forms "YYYY-MM-DD" and "YYYY-MM-DD HH:MM:SS" (or 'T') that most files use, with every
// digit in place: parsed without the general scanner, to the same result. False: not this shape.
[[gnu::always_inline]] inline bool ParseIsoFast(std::string_view t, DateParse* result, int64_t* days, int64_t* seconds) {
  if (t.size() != 10 && t.size() != 19) return false;
  const char* p = t.data();
  const int y1 = TwoDigits(p), y2 = TwoDigits(p + 2), month = TwoDigits(p + 5), day = TwoDigits(p + 8);
  if (y1 < 0 || y2 < 0 || p[4] != '-' || month < 0 || p[7] != '-' || day < 0) return false;
  int h = 0, mi = 0, sec = 0;
  if (t.size() == 19) {
    h = TwoDigits(p + 11);
    mi = TwoDigits(p + 14);
    sec = TwoDigits(p + 17);
    if ((p[10] != ' ' && p[10] != 'T') || h < 0 || p[13] != ':' || mi < 0 || p[16] != ':' || sec < 0) return false;
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

// The common integer: an optional '-' and up to 18 digits (which cannot overflow).
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

}  // namespace

bool ParseInt64(std::string_view text, int64_t* out) {
  if (ParsePlainInt(text, out)) return true;
  text = TrimSpaces(text);
  if (!text.empty() && text[0] == '+') {
    text.remove_prefix(1);
    if (text.empty() || text[0] == '-') return false;
  }
  if (text.empty()) return false;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), *out);
  return r.ec == std::errc() && r.ptr == text.data() + text.size();
}

bool ParseDouble(std::string_view text, double* out) {
  text = TrimSpaces(text);
  if (!text.empty() && text[0] == '+') {
    text.remove_prefix(1);
    if (text.empty() || text[0] == '-') return false;
  }
  if (text.empty()) return false;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), *out);
  if (r.ptr != text.data() + text.size()) return false;
  if (r.ec == std::errc::result_out_of_range) {
    // Too large or too small for a double: saturate like strtod does.
    *out = std::strtod(std::string(text).c_str(), nullptr);
    return true;
  }
  return r.ec == std::errc();
}

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

bool IsBlankText(std::string_view text) {
  return !text.empty() && text.find_first_not_of(" \t") == std::string_view::npos;
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
    if (!ReadNumber(text, &pos, 2, &h) || pos >= text.size() || text[pos] != ':') return DateParse::kNotADate;
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
        if (pos < text.size() && (!ReadNumber(text, &pos, 2, &om, &nd) || nd != 2)) return DateParse::kNotADate;
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

// ---- Inference ----------------------------------------------------------------------------------

namespace {
constexpr size_t kMaxCategories = 65536;
}

TypeGuesser::TypeGuesser(bool text_only, char decimal)
    : maybe_bool_(!text_only), maybe_int_(!text_only), maybe_double_(!text_only), decimal_(decimal) {}

void TypeGuesser::Observe(std::string_view text) {
  ++observed_;
  if (IsBlankText(text)) {  // null in a non-text column; kept as it is in a text one
    ++blank_;
    return;
  }
  bool b;
  int64_t i;
  double d;
  if (maybe_bool_ && !ParseBool(text, false, &b)) maybe_bool_ = false;
  if ((maybe_int_ || maybe_double_) && HasLeadingZero(text)) maybe_int_ = maybe_double_ = false;
  if (maybe_int_ && !ParseInt64(text, &i)) maybe_int_ = false;
  if (maybe_double_ && !maybe_int_ && !ParseDouble(text, decimal_, &d)) maybe_double_ = false;
  if (maybe_int_ || maybe_double_) {
    // This cell is a number, and no date or timestamp form is one.
    maybe_date_ = maybe_timestamp_ = false;
  } else if (maybe_date_ || maybe_timestamp_) {
    // Shape only: an impossible day (2024-02-30) still counts, so the full pass reports it.
    int64_t v;
    const bool is_date = ParseDateText(text, DateOrder::kMonthFirst, &v) != DateParse::kNotADate ||
                         ParseDateText(text, DateOrder::kDayFirst, &v) != DateParse::kNotADate;
    const bool is_ts = is_date || ParseTimestampText(text, DateOrder::kMonthFirst, false, &v) != DateParse::kNotADate ||
                       ParseTimestampText(text, DateOrder::kDayFirst, false, &v) != DateParse::kNotADate;
    if (!is_date) maybe_date_ = false;
    if (!is_ts) maybe_timestamp_ = false;
    if (is_ts) ObserveDateOrder(text, &evidence_);
  }
  if (!distinct_overflow_) {
    if (distinct_.find(text) == distinct_.end()) distinct_.emplace(text);  // no node built for a repeat
    if (distinct_.size() > kMaxCategories) {
      distinct_overflow_ = true;
      distinct_.clear();
    }
  }
}

DataType TypeGuesser::Result() const {
  if (observed_ == blank_) return DataType::kString;
  if (maybe_bool_) return DataType::kBool;
  if (maybe_int_) return DataType::kInt64;
  if (maybe_double_) return DataType::kDouble;
  const bool order_conflict = evidence_.first_over_12 && evidence_.second_over_12;
  if (maybe_date_ && !order_conflict) return DataType::kDate;
  if (maybe_timestamp_ && !order_conflict) return DataType::kTimestamp;
  if (!distinct_overflow_ && distinct_.size() * 2 <= observed_ - blank_) return DataType::kCategorical;
  return DataType::kString;
}

DataType WidenType(DataType a, DataType b) {
  if (a == b) return a;
  if (a == DataType::kString || b == DataType::kString) return DataType::kString;
  if ((a == DataType::kInt64 && b == DataType::kDouble) || (a == DataType::kDouble && b == DataType::kInt64)) {
    return DataType::kDouble;
  }
  if ((a == DataType::kDate && b == DataType::kTimestamp) || (a == DataType::kTimestamp && b == DataType::kDate)) {
    return DataType::kTimestamp;
  }
  return DataType::kString;
}

std::string TypeWithArticle(DataType type) {
  const std::string_view name = DataTypeName(type);
  return std::string(type == DataType::kInt64 ? "an " : "a ") + std::string(name);
}

// ---- Column chunks ------------------------------------------------------------------------------

[[gnu::always_inline]] inline uint64_t DictionaryIndex::Hash(std::string_view text) {
  // Fixed-size loads only (a variable-length memcpy is a library call): whole 8-byte words, then
  // the last 8 bytes (overlapping) or, for short text, its first and last 4 and its first, middle
  // and last byte. Mixed with splitmix64's multipliers.
  const char* p = text.data();
  const size_t n = text.size();
  auto load64 = [](const char* at) {
    uint64_t w;
    std::memcpy(&w, at, 8);
    return w;
  };
  auto load32 = [](const char* at) {
    uint32_t w;
    std::memcpy(&w, at, 4);
    return uint64_t{w};
  };
  uint64_t h = n * 0x9E3779B97F4A7C15ull;
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8) h = ((h ^ load64(p + i)) * 0xBF58476D1CE4E5B9ull) ^ (h >> 31);
    h ^= load64(p + n - 8);
  } else if (n >= 4) {
    h ^= load32(p) << 32 | load32(p + n - 4);
  } else if (n > 0) {
    h ^= uint64_t{static_cast<uint8_t>(p[0])} << 16 | uint64_t{static_cast<uint8_t>(p[n / 2])} << 8 |
         static_cast<uint8_t>(p[n - 1]);
  }
  h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ull;
  h = (h ^ (h >> 27)) * 0x94D049BB133111EBull;
  return h ^ (h >> 31);
}

[[gnu::always_inline]] inline int32_t DictionaryIndex::Find(std::string_view text, uint64_t hash,
                                                    const std::vector<std::string>& dictionary) const {
  if (slots_.empty()) return -1;
  const size_t mask = slots_.size() - 1;
  for (size_t i = (hash >> 32) & mask;; i = (i + 1) & mask) {
    const uint64_t slot = slots_[i];
    if (slot == 0) return -1;
    if ((slot ^ hash) >> 32 == 0) {
      const auto code = static_cast<int32_t>(static_cast<uint32_t>(slot) - 1);
      if (dictionary[static_cast<size_t>(code)] == text) return code;
    }
  }
}

void DictionaryIndex::Insert(uint64_t hash, int32_t code) {
  if ((used_ + 1) * 2 > slots_.size()) {  // keep the load at most one half
    std::vector<uint64_t> old = std::move(slots_);
    slots_.assign(std::max<size_t>(64, old.size() * 2), 0);
    used_ = 0;
    for (uint64_t slot : old) {
      if (slot) Place(slot);
    }
  }
  Place(Slot(hash, code));
}

void DictionaryIndex::Place(uint64_t slot) {
  const size_t mask = slots_.size() - 1;
  size_t i = (slot >> 32) & mask;
  while (slots_[i] != 0) i = (i + 1) & mask;
  slots_[i] = slot;
  ++used_;
}

void DictionaryIndex::Rebuild(const std::vector<std::string>& dictionary) {
  slots_.clear();
  used_ = 0;
  for (size_t k = 0; k < dictionary.size(); ++k) Insert(Hash(dictionary[k]), static_cast<int32_t>(k));
}

void ColumnChunk::Init(DataType type, size_t reserve_rows) {
  type_ = type;
  switch (type) {
    case DataType::kInt64:
    case DataType::kDate:
    case DataType::kTimestamp: ints_.reserve(reserve_rows); break;
    case DataType::kDouble: doubles_.reserve(reserve_rows); break;
    case DataType::kBool: bools_.reserve(reserve_rows); break;
    case DataType::kString:
      offsets_.reserve(reserve_rows + 1);
      offsets_.push_back(0);
      break;
    case DataType::kCategorical: codes_.reserve(reserve_rows); break;
  }
}

void ColumnChunk::AppendNull() {
  if (!has_nulls_) {
    has_nulls_ = true;
    valid_.assign(rows_, 1);
  }
  valid_.push_back(0);
  ++rows_;
  switch (type_) {
    case DataType::kInt64:
    case DataType::kDate:
    case DataType::kTimestamp: ints_.push_back(0); break;
    case DataType::kDouble: doubles_.push_back(0.0); break;
    case DataType::kBool: bools_.push_back(0); break;
    case DataType::kString: offsets_.push_back(bytes_.size()); break;
    case DataType::kCategorical: codes_.push_back(-1); break;
  }
}

namespace {
// Appends quoted text with its doubled quotes undone.
void AppendUnescaped(std::string& out, std::string_view text, char quote) {
  for (size_t i = 0; i < text.size(); ++i) {
    out += text[i];
    if (text[i] == quote && i + 1 < text.size() && text[i + 1] == quote) ++i;
  }
}
}  // namespace

CellStatus ColumnChunk::Append(const ColumnSpec& spec, const NullMatcher& nulls, std::string_view text, bool quoted,
                               bool escaped, char quote, DataType* widen_to) {
  if (nulls.IsNull(text, quoted) || (text.empty() && !IsStringLike(type_))) {
    AppendNull();
    return CellStatus::kOk;
  }
  if (!IsStringLike(type_) && IsBlankText(text)) {  // " " in a number column: null, counted
    blank_rows_.push_back(rows_);
    AppendNull();
    return CellStatus::kOk;
  }
  if (escaped) {
    scratch_.clear();
    AppendUnescaped(scratch_, text, quote);
    text = scratch_;
  }
  switch (type_) {
    case DataType::kInt64: {
      int64_t v;
      if ((!spec.declared && HasLeadingZero(text)) || !ParseInt64(text, &v)) {
        if (spec.declared) return CellStatus::kBadValue;
        double d;
        *widen_to = !HasLeadingZero(text) && ParseDouble(text, spec.decimal, &d) ? DataType::kDouble : DataType::kString;
        AppendNull();
        return CellStatus::kWiden;
      }
      ints_.push_back(v);
      break;
    }
    case DataType::kDouble: {
      double v;
      if ((!spec.declared && HasLeadingZero(text)) || !ParseDouble(text, spec.decimal, &v)) {
        if (spec.declared) return CellStatus::kBadValue;
        *widen_to = DataType::kString;
        AppendNull();
        return CellStatus::kWiden;
      }
      doubles_.push_back(v);
      break;
    }
    case DataType::kBool: {
      bool v;
      if (!ParseBool(text, spec.declared, &v)) {
        if (spec.declared) return CellStatus::kBadValue;
        *widen_to = DataType::kString;
        AppendNull();
        return CellStatus::kWiden;
      }
      bools_.push_back(v);
      break;
    }
    case DataType::kDate: {
      int64_t v;
      const DateParse r = ParseDateText(text, spec.order, &v);
      if (r == DateParse::kInvalidDay) return CellStatus::kBadValue;
      if (r == DateParse::kNotADate) {
        if (spec.declared) return CellStatus::kBadValue;
        const DateParse t = ParseTimestampText(text, spec.order, false, &v);
        if (t == DateParse::kInvalidDay) return CellStatus::kBadValue;
        *widen_to = t == DateParse::kOk ? DataType::kTimestamp : DataType::kString;
        AppendNull();
        return CellStatus::kWiden;
      }
      ints_.push_back(v);
      break;
    }
    case DataType::kTimestamp: {
      int64_t v;
      const DateParse r = ParseTimestampText(text, spec.order, spec.declared, &v);
      if (r == DateParse::kInvalidDay) return CellStatus::kBadValue;
      if (r == DateParse::kNotADate) {
        if (spec.declared) return CellStatus::kBadValue;
        *widen_to = DataType::kString;
        AppendNull();
        return CellStatus::kWiden;
      }
      ints_.push_back(v);
      break;
    }
    case DataType::kString: {
      if (FindInvalidUtf8(text.data(), text.size()) != text.size()) return CellStatus::kBadUtf8;
      bytes_.append(text);
      offsets_.push_back(bytes_.size());
      break;
    }
    case DataType::kCategorical: {
      const uint64_t hash = DictionaryIndex::Hash(text);
      int32_t code = index_.Find(text, hash, dictionary_);
      if (code < 0) {
        if (FindInvalidUtf8(text.data(), text.size()) != text.size()) return CellStatus::kBadUtf8;
        if (dictionary_.size() >= static_cast<size_t>(INT32_MAX)) {
          Fail(ErrorCode::kResourceExhausted, "column \"{}\" has more than 2^31 distinct values", spec.name);
        }
        code = static_cast<int32_t>(dictionary_.size());
        dictionary_.emplace_back(text);
        index_.Insert(hash, code);
        entry_rows_.push_back(rows_);
      }
      codes_.push_back(code);
      break;
    }
  }
  if (has_nulls_) valid_.push_back(1);
  ++rows_;
  return CellStatus::kOk;
}

size_t ColumnChunk::AppendColumn(const ColumnSpec& spec, const NullMatcher& nulls, const CellText* cells,
                                 size_t stride, size_t rows, char quote, std::optional<DataType>* widen) {
  // `fast` appends a value the common way or returns false; every other cell (null, escaped, or
  // not parsed by `fast`) goes through Append, which decides exactly as it does alone.
  auto run = [&](auto&& fast) -> size_t {
    for (size_t i = 0; i < rows; ++i) {
      const CellText& cell = cells[i * stride];
      const std::string_view text(cell.begin, cell.size);
      if (!cell.escaped && !text.empty() && !nulls.IsNull(text, cell.quoted) && fast(text)) {
        if (has_nulls_) valid_.push_back(1);
        ++rows_;
        continue;
      }
      DataType widen_to;
      const CellStatus status = Append(spec, nulls, text, cell.quoted, cell.escaped, quote, &widen_to);
      if (status == CellStatus::kWiden) {
        *widen = *widen ? WidenType(**widen, widen_to) : widen_to;
      } else if (status != CellStatus::kOk) {
        return i;
      }
    }
    return rows;
  };
  switch (type_) {
    case DataType::kInt64:
      return run([&](std::string_view text) __attribute__((flatten)) {
        int64_t v;
        if (!ParsePlainInt(text, &v) && !ParseInt64(text, &v)) return false;
        // Not a digit 1-9 first: maybe a leading zero ("08123"), which Append turns into text.
        if (!spec.declared && (text[0] < '1' || text[0] > '9') && HasLeadingZero(text)) return false;
        ints_.push_back(v);
        return true;
      });
    case DataType::kDouble:
      return run([&](std::string_view text) __attribute__((flatten)) {
        double v;
        if (spec.decimal != '.' || !ParseDouble(text, &v)) return false;  // Append parses "1,5"
        if (!spec.declared && HasLeadingZero(text)) return false;
        doubles_.push_back(v);
        return true;
      });
    case DataType::kDate:
    case DataType::kTimestamp:
      return run([&](std::string_view text) __attribute__((flatten)) {
        DateParse r;
        int64_t days, seconds;
        if (!ParseIsoFast(text, &r, &days, &seconds) || r != DateParse::kOk) return false;
        if (type_ == DataType::kDate && text.size() != 10) return false;  // a timestamp: Append decides
        ints_.push_back(type_ == DataType::kDate ? days : days * kMicrosPerDay + seconds * kMicrosPerSecond);
        return true;
      });
    case DataType::kCategorical:
      return run([&](std::string_view text) __attribute__((flatten)) {
        const int32_t code = index_.Find(text, DictionaryIndex::Hash(text), dictionary_);
        if (code < 0) return false;  // a new entry: Append checks and adds it
        codes_.push_back(code);
        return true;
      });
    case DataType::kString:
      return run([&](std::string_view text) __attribute__((flatten)) {
        if (FindInvalidUtf8(text.data(), text.size()) != text.size()) return false;
        bytes_.append(text);
        offsets_.push_back(bytes_.size());
        return true;
      });
    case DataType::kBool: return run([](std::string_view) { return false; });
  }
  return 0;
}

void ColumnChunk::Truncate(size_t rows) {
  if (rows >= rows_) return;
  rows_ = rows;
  while (!blank_rows_.empty() && blank_rows_.back() >= rows) blank_rows_.pop_back();
  if (has_nulls_) valid_.resize(rows);
  switch (type_) {
    case DataType::kInt64:
    case DataType::kDate:
    case DataType::kTimestamp: ints_.resize(rows); break;
    case DataType::kDouble: doubles_.resize(rows); break;
    case DataType::kBool: bools_.resize(rows); break;
    case DataType::kString:
      offsets_.resize(rows + 1);
      bytes_.resize(offsets_.back());
      break;
    case DataType::kCategorical:
      codes_.resize(rows);
      // A row adds at most one entry per column; drop it if the dropped rows added it.
      if (!entry_rows_.empty() && entry_rows_.back() >= rows) {
        while (!entry_rows_.empty() && entry_rows_.back() >= rows) {
          entry_rows_.pop_back();
          dictionary_.pop_back();
        }
        index_.Rebuild(dictionary_);  // rare (rejected rows), so no erase of single entries
      }
      break;
  }
}

ColumnPtr ColumnChunk::Merge(DataType type, std::vector<ColumnChunk*> chunks) {
  size_t rows = 0;
  bool nulls = false;
  for (const ColumnChunk* c : chunks) {
    PROSPECT_CHECK(c->type_ == type);
    rows += c->rows_;
    // A chunk whose only nulls were truncated away has validity of all ones.
    nulls |= c->has_nulls_ && std::find(c->valid_.begin(), c->valid_.end(), 0) != c->valid_.end();
  }
  std::vector<uint8_t> valid;
  if (nulls) {
    valid.reserve(rows);
    for (const ColumnChunk* c : chunks) {
      if (c->has_nulls_) {
        valid.insert(valid.end(), c->valid_.begin(), c->valid_.end());
      } else {
        valid.insert(valid.end(), c->rows_, 1);
      }
    }
  }
  switch (type) {
    case DataType::kInt64:
    case DataType::kDate:
    case DataType::kTimestamp: {
      if (chunks.size() == 1) return Column::FromInts(type, std::move(chunks[0]->ints_), std::move(valid));
      std::vector<int64_t> v;
      v.reserve(rows);
      for (const ColumnChunk* c : chunks) v.insert(v.end(), c->ints_.begin(), c->ints_.end());
      return Column::FromInts(type, std::move(v), std::move(valid));
    }
    case DataType::kDouble: {
      if (chunks.size() == 1) return Column::FromDoubles(std::move(chunks[0]->doubles_), std::move(valid));
      std::vector<double> v;
      v.reserve(rows);
      for (const ColumnChunk* c : chunks) v.insert(v.end(), c->doubles_.begin(), c->doubles_.end());
      return Column::FromDoubles(std::move(v), std::move(valid));
    }
    case DataType::kBool: {
      if (chunks.size() == 1) return Column::FromBools(std::move(chunks[0]->bools_), std::move(valid));
      std::vector<uint8_t> v;
      v.reserve(rows);
      for (const ColumnChunk* c : chunks) v.insert(v.end(), c->bools_.begin(), c->bools_.end());
      return Column::FromBools(std::move(v), std::move(valid));
    }
    case DataType::kString: {
      if (chunks.empty()) return Column::FromStrings({0}, {}, {});
      if (chunks.size() == 1) {
        return Column::FromStrings(std::move(chunks[0]->offsets_), std::move(chunks[0]->bytes_), std::move(valid));
      }
      size_t bytes_total = 0;
      for (const ColumnChunk* c : chunks) bytes_total += c->bytes_.size();
      std::vector<uint64_t> offsets(rows + 1);
      std::string bytes;
      bytes.reserve(bytes_total);
      size_t row = 0;
      for (const ColumnChunk* c : chunks) {
        const uint64_t base = bytes.size();
        for (size_t i = 1; i < c->offsets_.size(); ++i) offsets[++row] = base + c->offsets_[i];
        bytes += c->bytes_;
      }
      return Column::FromStrings(std::move(offsets), std::move(bytes), std::move(valid));
    }
    case DataType::kCategorical: {
      // Merge dictionaries in chunk order, so codes follow first appearance in the file.
      std::vector<std::string> dictionary;
      DictionaryIndex index;
      std::vector<int32_t> codes(rows);
      size_t row = 0;
      std::vector<int32_t> remap;
      for (ColumnChunk* c : chunks) {
        remap.resize(c->dictionary_.size());
        for (size_t k = 0; k < c->dictionary_.size(); ++k) {
          std::string& text = c->dictionary_[k];
          const uint64_t hash = DictionaryIndex::Hash(text);
          int32_t code = index.Find(text, hash, dictionary);
          if (code < 0) {
            code = static_cast<int32_t>(dictionary.size());
            dictionary.push_back(std::move(text));
            index.Insert(hash, code);
          }
          remap[k] = code;
        }
        for (int32_t code : c->codes_) codes[row++] = code < 0 ? -1 : remap[static_cast<size_t>(code)];
      }
      return Column::FromCategorical(std::move(codes), std::move(dictionary));
    }
  }
  return nullptr;
}

void WriteRejects(const std::string& path, const std::vector<RejectRow>& rows) {
  auto field = [](std::string& out, std::string_view text) {
    if (text.find_first_of(",\"\r\n") == std::string_view::npos && !text.empty()) {
      out += text;
      return;
    }
    if (text.empty()) return;
    out += '"';
    for (char c : text) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  };
  std::string out = "line,column,value,reason,raw\n";
  for (const auto& r : rows) {
    out += std::to_string(r.line);
    out += ',';
    field(out, r.column);
    out += ',';
    field(out, r.value);
    out += ',';
    field(out, r.reason);
    out += ',';
    field(out, r.raw);
    out += '\n';
  }
  const std::string tmp = path + ".tmp";
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(tmp.c_str(), "wb"), std::fclose);
  if (!file) Fail(ErrorCode::kIo, "cannot write the rejects file {}: {}", path, std::strerror(errno));
  if (std::fwrite(out.data(), 1, out.size(), file.get()) != out.size() || std::fflush(file.get()) != 0) {
    Fail(ErrorCode::kIo, "cannot write the rejects file {}: {}", path, std::strerror(errno));
  }
  file.reset();
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    Fail(ErrorCode::kIo, "cannot move {} to {}: {}", tmp, path, std::strerror(errno));
  }
}

}  // namespace prospect::io
