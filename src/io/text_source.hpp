// Text source and decoding for the readers: a file or bytes read whole, gunzipped, checked for
// binary data and transcoded from Latin-1; UTF-8 validation and line:column positions for
// messages. Private to src/io.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "prospect/common/large_buffer.hpp"
#include "prospect/io/csv.hpp"

namespace prospect::io {

/// Memory from AllocateLargeBuffer, freed with it: a file's bytes as read.
struct LargeBytes {
  struct Free {
    size_t size;
    void operator()(char* p) const noexcept { FreeLargeBuffer(p, size); }
  };
  static std::unique_ptr<char[], Free> Allocate(size_t size) {
    return {static_cast<char*>(AllocateLargeBuffer(size)), Free{size}};
  }
};

/// Text ready to parse: a plain file's bytes as read (no copy), or gunzipped or transcoded text.
class LoadedText {
 public:
  explicit LoadedText(std::string text) : string_(std::move(text)) {}
  LoadedText(std::unique_ptr<char[], LargeBytes::Free> bytes, size_t size)
      : bytes_(std::move(bytes)), size_(size) {}
  std::string_view view() const {
    return bytes_ ? std::string_view(bytes_.get(), size_) : std::string_view(string_);
  }

 private:
  std::string string_;
  std::unique_ptr<char[], LargeBytes::Free> bytes_;
  size_t size_ = 0;
};

/// Reads `path` whole (`threads` read pieces of a regular file in parallel); gunzips it when it
/// starts with the gzip magic (a truncated or corrupt stream is an error, and so is a .gz name on
/// other data); rejects binary files (NUL bytes) and files that change while being read;
/// transcodes Latin-1 to UTF-8 when asked. The result is UTF-8 text still to be validated cell by
/// cell.
LoadedText LoadText(const std::string& path, TextEncoding encoding, int threads);
/// The same steps for bytes already in memory (fuzzing, tests). `name` is used in messages.
std::string PrepareText(std::string bytes, const std::string& name, TextEncoding encoding);

/// Offset of the first byte that is not part of valid UTF-8 in [data, data+size), or size.
/// Inline: the string column's per-cell loop (column_chunk.cpp) calls it for every cell.
inline size_t FindInvalidUtf8(const char* data, size_t size) {
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
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return i;
    }
    i += n;
  }
  return size;
}

/// 1-based line and column (in characters) of `pos` within `text`, given that `line_start` is the
/// offset of a position known to start line `line`.
struct Location {
  int64_t line;
  int64_t column;
};
Location LocateIn(std::string_view text, size_t line_start, int64_t line, size_t pos);

}  // namespace prospect::io
