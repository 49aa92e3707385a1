// UBJSON structure check (https://ubjson.org, draft 12, with the optimized container headers
// `$type` and `#count` that XGBoost writes). Numbers are big-endian.
#include "prospect/io/ubjson.hpp"

#include <cstdint>

#include "prospect/common/error.hpp"

namespace prospect {
namespace {

constexpr int kMaxDepth = 256;

class Walker {
 public:
  Walker(std::string_view bytes, std::string_view what) : bytes_(bytes), what_(what) {}

  void Run() {
    Value(Next("a value"), 0);
    if (pos_ != bytes_.size()) Bad("{} bytes after the end of the value", bytes_.size() - pos_);
  }

 private:
  template <typename... Args>
  [[noreturn]] void Bad(fmt::format_string<Args...> format, Args&&... args) const {
    Fail(ErrorCode::kInvalidData, "{} is corrupted (UBJSON at byte {}): {}", what_, pos_,
         fmt::format(format, std::forward<Args>(args)...));
  }

  size_t Left() const { return bytes_.size() - pos_; }

  char Next(const char* expecting) {
    if (Left() == 0) Bad("the data ends where {} was expected", expecting);
    return bytes_[pos_++];
  }

  void Skip(uint64_t n, const char* what) {
    if (n > Left()) Bad("{} of {} bytes runs past the end ({} left)", what, n, Left());
    pos_ += static_cast<size_t>(n);
  }

  // Size in bytes of a fixed-size scalar type marker; 0 for other markers.
  static size_t FixedSize(char type) {
    switch (type) {
      case 'i':
      case 'U':
      case 'C': return 1;
      case 'I': return 2;
      case 'l':
      case 'd': return 4;
      case 'L':
      case 'D': return 8;
      default: return 0;
    }
  }

  // An integer given by its type marker: a length or a count. Must be non-negative.
  uint64_t Integer(char type, const char* what) {
    const size_t size = FixedSize(type);
    if (size == 0 || type == 'd' || type == 'D' || type == 'C')
      Bad("{} has type marker {:#04x}, not an integer", what, static_cast<unsigned char>(type));
    if (size > Left()) Bad("{} runs past the end", what);
    uint64_t v = 0;
    for (size_t i = 0; i < size; ++i) v = (v << 8) | static_cast<unsigned char>(bytes_[pos_ + i]);
    pos_ += size;
    const bool negative = type != 'U' && (v >> (8 * size - 1)) & 1;
    if (negative) Bad("{} is negative", what);
    return v;
  }

  void String(const char* what) {
    const uint64_t n = Integer(Next("a string length"), what);
    Skip(n, what);
  }

  // A value whose type marker was already read.
  void Value(char type, int depth) {
    if (const size_t size = FixedSize(type)) return Skip(size, "a number");
    switch (type) {
      case 'Z':
      case 'N':
      case 'T':
      case 'F': return;
      case 'S':
      case 'H': return String("a string");
      case '[': return Container(depth + 1, false);
      case '{': return Container(depth + 1, true);
      default: Bad("unknown type marker {:#04x}", static_cast<unsigned char>(type));
    }
  }

  void Container(int depth, bool object) {
    if (depth > kMaxDepth) Bad("nested deeper than {} levels", kMaxDepth);
    char type = 0;
    bool counted = false;
    uint64_t count = 0;
    char marker = Next("a container element");
    if (marker == '$') {
      type = Next("a container element type");
      if (type == 'N' || type == '$' || type == '#') Bad("invalid container element type");
      marker = Next("a container count");
      if (marker != '#') Bad("a typed container needs a count");
    }
    if (marker == '#') {
      counted = true;
      count = Integer(Next("a container count"), "a container count");
      // Every element takes at least one byte unless its type is a marker-only one.
      const bool zero_size = type == 'Z' || type == 'T' || type == 'F';
      if (!zero_size && count > Left())
        Bad("a container of {} elements cannot fit in {} bytes", count, Left());
      if (zero_size && count > (uint64_t{1} << 32))
        Bad("a container of {} elements is too large", count);
    }
    if (counted) {
      for (uint64_t k = 0; k < count; ++k) {
        if (object) String("an object key");
        if (type != 0) {
          Value(type, depth);
        } else {
          Value(Next("a container element"), depth);
        }
      }
      return;
    }
    const char end = object ? '}' : ']';
    while (marker != end) {
      if (object) {
        --pos_;  // the key's length marker
        String("an object key");
        Value(Next("an object value"), depth);
      } else {
        if (marker == 'N') {
          marker = Next("a container element");
          continue;
        }
        Value(marker, depth);
      }
      marker = Next(object ? "an object key or '}'" : "an array element or ']'");
    }
  }

  std::string_view bytes_;
  std::string_view what_;
  size_t pos_ = 0;
};

}  // namespace

void CheckUbjson(std::string_view bytes, std::string_view what) { Walker(bytes, what).Run(); }

}  // namespace prospect
