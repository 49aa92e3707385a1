// Column chunks: encoding, checksums and the checked decoder (format in chunk_codec.hpp).
#include "store/sqlite/chunk_codec.hpp"

#include <lz4.h>
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <span>
#include <type_traits>
#include <vector>

#include "prospect/common/error.hpp"

namespace prospect::sqlite_store {
namespace {

static_assert(std::endian::native == std::endian::little,
              "column chunks are stored little-endian and copied as they are");

constexpr uint8_t kFormat = 1;
enum Codec : uint8_t { kRaw = 0, kLz4 = 1, kPacked = 2 };
constexpr size_t kStreams = 3;
constexpr size_t kDescriptorBytes = 1 + 4 + 4;
constexpr size_t kHeaderBytes = 1 + kStreams * kDescriptorBytes;

// A stream is compressed only when that saves at least a tenth: decompressing costs time on every
// load, so a few per cent of space is not worth it.
bool WorthCompressing(size_t raw, size_t compressed) { return compressed * 10 < raw * 9; }

template <typename T>
void AppendPod(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

template <typename T>
T ReadPod(std::string_view bytes, size_t at) {
  T value;
  std::memcpy(&value, bytes.data() + at, sizeof value);
  return value;
}

// Bit packing (codec kPacked), for the values of integer columns (int64, date, timestamp and
// categorical codes) and of doubles that are decimals with few digits (prices, rates): ids,
// counts, codes, whole-second timestamps and cents span far fewer bits than they are stored in,
// and LZ4 finds no repeats in them. Stored: u8 mode, u8 width, i64 base, i64 step, u64 scale,
// then one `width`-bit unsigned number u[i] per row packed from bit 0 of byte 0 up, then
// kPackPadding zero bytes so each number is read with one 8-byte load.
//   mode 0, frame of reference: v[i] = base + u[i] * scale      (null rows: u = 0)
//   mode 1, deltas (no nulls):  v[0] = base, v[i] = v[i-1] + step + u[i] * scale  (u[0] = 0)
//   mode 2, decimals (doubles): v[i] = double(base + u[i] * scale) / 10^step, which gives every
//           stored double back bit for bit (the encoder checks each one; ALP, Afroozeh et al.,
//           SIGMOD 2024, does the same with more cases)
// Integer arithmetic wraps in uint64, so any int64 range packs.
constexpr size_t kPackHeaderBytes = 1 + 1 + 8 + 8 + 8;
constexpr size_t kPackPadding = 8;
constexpr unsigned kMaxPackWidth = 56;  // a number plus its bit offset fits one 8-byte load
enum PackMode : uint8_t { kFrameOfReference = 0, kDeltas = 1, kDecimals = 2 };
constexpr int kMaxDecimals = 10;
constexpr double kPowersOfTen[kMaxDecimals + 1] = {1,   1e1, 1e2, 1e3, 1e4, 1e5,
                                                   1e6, 1e7, 1e8, 1e9, 1e10};

size_t PackedSize(size_t n, unsigned width) {
  return kPackHeaderBytes + (n * width + 7) / 8 + kPackPadding;
}

// Division by a constant d known to divide its dividends exactly, without a divide instruction
// (tens of cycles per value): d = 2^shift * odd, and x / d = (x >> shift) * odd^-1 mod 2^64.
// Divides() is the matching divisibility test (Granlund and Montgomery, 1994).
class ExactDivisor {
 public:
  explicit ExactDivisor(uint64_t d) : shift_(static_cast<unsigned>(std::countr_zero(d))) {
    const uint64_t odd = d >> shift_;
    inverse_ = odd;  // Newton's iteration doubles the correct low bits: 3, 6, 12, 24, 48, 96
    for (int i = 0; i < 5; ++i) inverse_ *= 2 - odd * inverse_;
    limit_ = UINT64_MAX / odd;
  }
  bool Divides(uint64_t x) const {
    return (x & ((uint64_t{1} << shift_) - 1)) == 0 && Divide(x) <= limit_;
  }
  uint64_t Divide(uint64_t x) const { return (x >> shift_) * inverse_; }

 private:
  unsigned shift_;
  uint64_t inverse_, limit_;
};

// A frame (smallest value, common step between values, bits per value) over `n` numbers.
struct Frame {
  uint64_t base = 0, scale = 1;
  unsigned width = 0;
};
template <typename ValueAt, typename Skip>
Frame FrameOf(size_t n, ValueAt value_at, Skip skip) {
  bool any = false;
  int64_t lo = 0, hi = 0;
  for (size_t i = 0; i < n; ++i) {
    if (skip(i)) continue;
    const int64_t v = value_at(i);
    lo = any ? std::min(lo, v) : v;
    hi = any ? std::max(hi, v) : v;
    any = true;
  }
  // The common step: a divisibility test per value, std::gcd only when that fails.
  uint64_t gcd = 0;
  ExactDivisor divisor(1);
  for (size_t i = 0; i < n && gcd != 1; ++i) {
    if (skip(i)) continue;
    const uint64_t d = static_cast<uint64_t>(value_at(i)) - uint64_t(lo);
    if (d == 0 || (gcd != 0 && divisor.Divides(d))) continue;
    gcd = std::gcd(gcd, d);
    divisor = ExactDivisor(gcd);
  }
  Frame f;
  f.base = static_cast<uint64_t>(lo);
  f.scale = gcd == 0 ? 1 : gcd;
  f.width = static_cast<unsigned>(std::bit_width((uint64_t(hi) - uint64_t(lo)) / f.scale));
  return f;
}

// The packed stream of the `n` numbers value_at(i) (rows where is_null holds are left out), or
// empty when packing would not save a tenth of their `raw_bytes`. `decimals` >= 0: the numbers
// are a double column's values times 10^decimals (mode 2), else integers (mode 0 or 1).
template <typename ValueAt, typename IsNull>
std::string Pack(size_t n, ValueAt value_at, IsNull is_null, size_t raw_bytes, int decimals) {
  if (n == 0 || n > kRowsPerChunk) return {};
  bool nulls = false;
  for (size_t i = 0; i < n && !nulls; ++i) nulls = is_null(i);
  PackMode mode = decimals >= 0 ? kDecimals : kFrameOfReference;
  Frame frame = FrameOf(n, value_at, is_null);
  int64_t step = decimals;
  // Deltas, when no difference overflows: a sequence (ids, sorted times) packs into few bits.
  std::vector<int64_t> deltas;
  if (mode == kFrameOfReference && !nulls && n >= 2) {
    deltas.resize(n);
    bool overflow = false;
    for (size_t i = 1; i < n && !overflow; ++i)
      overflow = __builtin_sub_overflow(value_at(i), value_at(i - 1), &deltas[i]);
    if (!overflow) {
      const Frame by_delta = FrameOf(
          n, [&](size_t i) { return deltas[i]; }, [](size_t i) { return i == 0; });
      if (by_delta.width < frame.width) {
        mode = kDeltas;
        step = static_cast<int64_t>(by_delta.base);
        frame = {static_cast<uint64_t>(value_at(0)), by_delta.scale, by_delta.width};
      }
    }
  }
  if (frame.width > kMaxPackWidth || !WorthCompressing(raw_bytes, PackedSize(n, frame.width)))
    return {};
  std::string out;
  out.reserve(PackedSize(n, frame.width));
  AppendPod<uint8_t>(out, mode);
  AppendPod<uint8_t>(out, static_cast<uint8_t>(frame.width));
  AppendPod<uint64_t>(out, frame.base);
  AppendPod<int64_t>(out, step);
  AppendPod<uint64_t>(out, frame.scale);
  out.resize(PackedSize(n, frame.width), '\0');
  char* bits = out.data() + kPackHeaderBytes;
  const ExactDivisor scale(frame.scale);
  for (size_t i = 0; i < n && frame.width > 0; ++i) {
    uint64_t u = 0;
    if (mode != kDeltas && !is_null(i))
      u = scale.Divide(static_cast<uint64_t>(value_at(i)) - frame.base);
    if (mode == kDeltas && i > 0)
      u = scale.Divide(static_cast<uint64_t>(deltas[i]) - uint64_t(step));
    const size_t bit = i * frame.width;
    uint64_t word;
    std::memcpy(&word, bits + bit / 8, 8);
    word |= u << (bit % 8);
    std::memcpy(bits + bit / 8, &word, 8);
  }
  return out;
}

template <typename T, typename IsNull>
std::string PackIntegers(std::span<const T> values, IsNull is_null) {
  return Pack(
      values.size(), [&](size_t i) { return static_cast<int64_t>(values[i]); }, is_null,
      values.size_bytes(), -1);
}

// `v` as an integer k with k / 10^decimals == v exactly (bit for bit: -0.0 and NaN never are).
bool AsDecimal(double v, int decimals, int64_t* k) {
  const double scaled = std::nearbyint(v * kPowersOfTen[decimals]);
  if (!(std::fabs(scaled) < 0x1p53)) return false;
  *k = static_cast<int64_t>(scaled);
  return std::bit_cast<uint64_t>(static_cast<double>(*k) / kPowersOfTen[decimals]) ==
         std::bit_cast<uint64_t>(v);
}

// Doubles as decimals with the fewest digits after the point that write the first valid values
// exactly, if every valid value then is; packed as integers.
template <typename IsNull>
std::string PackDecimals(std::span<const double> values, IsNull is_null) {
  constexpr size_t kProbe = 32;
  int decimals = -1;
  int64_t k;
  for (int d = 0; d <= kMaxDecimals && decimals < 0; ++d) {
    bool all = true;
    for (size_t i = 0, seen = 0; i < values.size() && seen < kProbe && all; ++i) {
      if (is_null(i)) continue;
      all = AsDecimal(values[i], d, &k);
      ++seen;
    }
    if (all) decimals = d;
  }
  if (decimals < 0) return {};
  std::vector<int64_t> scaled(values.size(), 0);
  for (size_t i = 0; i < values.size(); ++i) {
    if (!is_null(i) && !AsDecimal(values[i], decimals, &scaled[i])) return {};
  }
  return Pack(
      values.size(), [&](size_t i) { return scaled[i]; }, is_null, values.size_bytes(), decimals);
}

// Unpacks a kPacked stream into `n` values of T at `dest`.
template <typename T>
void Unpack(std::string_view stored, size_t n, T* dest) {
  if (stored.size() < kPackHeaderBytes + kPackPadding)
    Fail(ErrorCode::kInvalidData, "a packed stream of {} bytes has no room for its header",
         stored.size());
  const auto mode = ReadPod<uint8_t>(stored, 0);
  const unsigned width = ReadPod<uint8_t>(stored, 1);
  const bool mode_fits = std::is_floating_point_v<T>
                             ? mode == kDecimals
                             : (mode == kFrameOfReference || mode == kDeltas);
  if (!mode_fits || width > kMaxPackWidth)
    Fail(ErrorCode::kInvalidData, "a packed stream has mode {} and width {}", int{mode}, width);
  if (stored.size() != PackedSize(n, width)) {
    Fail(ErrorCode::kInvalidData,
         "a packed stream of {} {}-bit values stores {} bytes; {} expected", n, width,
         stored.size(), PackedSize(n, width));
  }
  const auto base = ReadPod<uint64_t>(stored, 2);
  const auto step = ReadPod<uint64_t>(stored, 10);
  const auto scale = ReadPod<uint64_t>(stored, 18);
  if (mode == kDecimals && step > kMaxDecimals)
    Fail(ErrorCode::kInvalidData, "a packed stream has {} decimals", static_cast<int64_t>(step));
  const char* bits = stored.data() + kPackHeaderBytes;
  const uint64_t mask = (uint64_t{1} << width) - 1;
  uint64_t previous = base;
  for (size_t i = 0; i < n; ++i) {
    const size_t bit = i * width;
    uint64_t word;
    std::memcpy(&word, bits + bit / 8, 8);
    const uint64_t u = (word >> (bit % 8)) & mask;
    uint64_t v = base + u * scale;
    if (mode == kDeltas) v = previous = i == 0 ? base : previous + step + u * scale;
    if constexpr (std::is_floating_point_v<T>) {
      dest[i] = static_cast<double>(static_cast<int64_t>(v)) / kPowersOfTen[step];
    } else {
      dest[i] = static_cast<T>(static_cast<int64_t>(v));
    }
  }
}

// The three raw streams (the values stream packed instead when `packed_values` is not empty),
// then the header and the (possibly compressed) streams behind it.
std::string Assemble(const std::array<std::string_view, kStreams>& raw,
                     std::string_view packed_values = {}) {
  std::string out(kHeaderBytes, '\0');
  out[0] = static_cast<char>(kFormat);
  for (size_t s = 0; s < kStreams; ++s) {
    if (raw[s].size() > std::numeric_limits<uint32_t>::max()) {
      Fail(ErrorCode::kResourceExhausted,
           "a column chunk holds {} bytes; at most 4 GiB fit in one (split very long texts)",
           raw[s].size());
    }
    const size_t before = out.size();
    Codec codec = kRaw;
    if (s == 1 && !packed_values.empty()) {
      codec = kPacked;
      out.append(packed_values);
    } else if (!raw[s].empty() && raw[s].size() <= LZ4_MAX_INPUT_SIZE) {
      const int bound = LZ4_compressBound(static_cast<int>(raw[s].size()));
      out.resize(before + static_cast<size_t>(bound));
      const int written = LZ4_compress_default(raw[s].data(), out.data() + before,
                                               static_cast<int>(raw[s].size()), bound);
      if (written > 0 && WorthCompressing(raw[s].size(), static_cast<size_t>(written))) {
        codec = kLz4;
        out.resize(before + static_cast<size_t>(written));
      } else {
        out.resize(before);
      }
    }
    if (codec == kRaw) out.append(raw[s]);
    std::string descriptor;
    AppendPod<uint8_t>(descriptor, codec);
    AppendPod<uint32_t>(descriptor, static_cast<uint32_t>(raw[s].size()));
    AppendPod<uint32_t>(descriptor, static_cast<uint32_t>(out.size() - before));
    out.replace(1 + s * kDescriptorBytes, kDescriptorBytes, descriptor);
  }
  return out;
}

template <typename T>
std::string_view BytesOf(std::span<const T> values) {
  return {reinterpret_cast<const char*>(values.data()), values.size_bytes()};
}

// Texts as (u32 lengths, bytes); `text_of(i)` gives entry i, `n` entries.
template <typename TextOf>
std::pair<std::string, std::string> LengthsAndText(size_t n, TextOf text_of) {
  std::string lengths, text;
  lengths.reserve(n * sizeof(uint32_t));
  for (size_t i = 0; i < n; ++i) {
    const std::string_view s = text_of(i);
    if (s.size() > std::numeric_limits<uint32_t>::max())
      Fail(ErrorCode::kResourceExhausted, "a text of {} bytes is longer than 4 GiB", s.size());
    AppendPod<uint32_t>(lengths, static_cast<uint32_t>(s.size()));
    text.append(s);
  }
  return {std::move(lengths), std::move(text)};
}

template <typename T>
void TrackRange(EncodedChunk& chunk, T value) {
  if (!chunk.min) {
    chunk.min = value;
    chunk.max = value;
    return;
  }
  if (value < std::get<T>(*chunk.min)) chunk.min = value;
  if (value > std::get<T>(*chunk.max)) chunk.max = value;
}

struct Stream {
  Codec codec;
  size_t raw;
  std::string_view stored;
};

std::array<Stream, kStreams> ReadStreams(std::string_view bytes) {
  if (bytes.size() < kHeaderBytes) {
    Fail(ErrorCode::kInvalidData, "{} bytes, shorter than a chunk header ({})", bytes.size(),
         kHeaderBytes);
  }
  if (static_cast<uint8_t>(bytes[0]) != kFormat) {
    Fail(ErrorCode::kInvalidData, "chunk format {} is not one this prospect reads ({})",
         static_cast<int>(static_cast<uint8_t>(bytes[0])), static_cast<int>(kFormat));
  }
  std::array<Stream, kStreams> streams{};
  size_t at = kHeaderBytes;
  for (size_t s = 0; s < kStreams; ++s) {
    const size_t d = 1 + s * kDescriptorBytes;
    const auto codec = ReadPod<uint8_t>(bytes, d);
    const size_t raw = ReadPod<uint32_t>(bytes, d + 1);
    const size_t stored = ReadPod<uint32_t>(bytes, d + 5);
    if (codec != kRaw && codec != kLz4 && codec != kPacked)
      Fail(ErrorCode::kInvalidData, "stream {} has unknown codec {}", s, static_cast<int>(codec));
    if (codec == kRaw && stored != raw) {
      Fail(ErrorCode::kInvalidData, "raw stream {} stores {} bytes but holds {}", s, stored, raw);
    }
    // LZ4 expands its input at most 255 times: a larger claim is damage, and would have the
    // caller allocate for it.
    if (codec == kLz4 && raw > stored * 255 + 16) {
      Fail(ErrorCode::kInvalidData, "LZ4 stream {} claims {} bytes from {} compressed ones", s, raw,
           stored);
    }
    // Packing holds at most one chunk of 8-byte values.
    if (codec == kPacked && (s != 1 || raw > kRowsPerChunk * sizeof(int64_t))) {
      Fail(ErrorCode::kInvalidData, "packed stream {} claims {} bytes", s, raw);
    }
    if (stored > bytes.size() - at) {
      Fail(ErrorCode::kInvalidData, "stream {} needs {} bytes; only {} remain", s, stored,
           bytes.size() - at);
    }
    streams[s] = {static_cast<Codec>(codec), raw, bytes.substr(at, stored)};
    at += stored;
  }
  if (at != bytes.size())
    Fail(ErrorCode::kInvalidData, "{} bytes after the last stream", bytes.size() - at);
  return streams;
}

// What a bit-packed stream may unpack to.
enum class Unpacked { kNothing, kInt64, kInt32, kDouble };

// Decodes `stream` into exactly `size` bytes at `dest`.
void Expand(const Stream& stream, char* dest, size_t size, std::string_view what,
            Unpacked unpacked = Unpacked::kNothing) {
  if (stream.raw != size) {
    Fail(ErrorCode::kInvalidData, "the {} stream holds {} bytes; {} expected", what, stream.raw,
         size);
  }
  if (stream.codec == kPacked) {
    switch (unpacked) {
      case Unpacked::kInt64:
        return Unpack(stream.stored, size / 8, reinterpret_cast<int64_t*>(dest));
      case Unpacked::kInt32:
        return Unpack(stream.stored, size / 4, reinterpret_cast<int32_t*>(dest));
      case Unpacked::kDouble:
        return Unpack(stream.stored, size / 8, reinterpret_cast<double*>(dest));
      case Unpacked::kNothing: break;
    }
    Fail(ErrorCode::kInvalidData, "the {} stream is bit-packed, which it never is", what);
  }
  if (size == 0) return;
  if (stream.codec == kRaw) {
    std::memcpy(dest, stream.stored.data(), size);
    return;
  }
  const int got = LZ4_decompress_safe(
      stream.stored.data(), dest, static_cast<int>(stream.stored.size()), static_cast<int>(size));
  if (got < 0 || static_cast<size_t>(got) != size) {
    Fail(ErrorCode::kInvalidData, "the {} stream does not decompress to its {} bytes", what, size);
  }
}

size_t ValueWidth(DataType type) {
  switch (type) {
    case DataType::kInt64:
    case DataType::kDate:
    case DataType::kTimestamp: return sizeof(int64_t);
    case DataType::kDouble: return sizeof(double);
    case DataType::kBool: return 1;
    case DataType::kCategorical: return sizeof(int32_t);
    case DataType::kString: return sizeof(uint32_t);
  }
  return 0;
}

}  // namespace

uint64_t ChunkChecksum(std::string_view bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

EncodedChunk EncodeChunk(const Column& column, size_t begin, size_t end,
                         std::span<const int32_t> code_map) {
  PROSPECT_CHECK(begin <= end && end <= column.size());
  EncodedChunk chunk;
  chunk.rows = end - begin;
  const DataType type = column.type();
  for (size_t i = begin; i < end; ++i) chunk.null_count += column.IsNull(i);
  std::string validity;
  if (chunk.null_count > 0 && type != DataType::kCategorical) {
    validity.assign((chunk.rows + 7) / 8, '\0');
    for (size_t i = 0; i < chunk.rows; ++i) {
      if (!column.IsNull(begin + i))
        validity[i / 8] = static_cast<char>(validity[i / 8] | (1 << (i % 8)));
    }
  }
  std::string owned_values, text, packed;
  std::string_view values;
  switch (type) {
    case DataType::kInt64:
    case DataType::kDate:
    case DataType::kTimestamp:
    case DataType::kBool: {
      const bool is_bool = type == DataType::kBool;
      values = is_bool ? BytesOf(column.bools().subspan(begin, chunk.rows))
                       : BytesOf(column.ints().subspan(begin, chunk.rows));
      if (!is_bool) {
        packed = PackIntegers(column.ints().subspan(begin, chunk.rows),
                              [&](size_t i) { return column.IsNull(begin + i); });
      }
      for (size_t i = begin; i < end; ++i) {
        if (!column.IsNull(i))
          TrackRange<int64_t>(chunk, is_bool ? column.bools()[i] : column.ints()[i]);
      }
      break;
    }
    case DataType::kDouble:
      values = BytesOf(column.doubles().subspan(begin, chunk.rows));
      packed = PackDecimals(column.doubles().subspan(begin, chunk.rows),
                            [&](size_t i) { return column.IsNull(begin + i); });
      for (size_t i = begin; i < end; ++i) {
        if (!column.IsNull(i) && !std::isnan(column.doubles()[i]))
          TrackRange<double>(chunk, column.doubles()[i]);
      }
      break;
    case DataType::kCategorical:
      if (code_map.empty()) {
        values = BytesOf(column.codes().subspan(begin, chunk.rows));
      } else {
        owned_values.reserve(chunk.rows * sizeof(int32_t));
        for (size_t i = begin; i < end; ++i) {
          const int32_t code = column.codes()[i];
          AppendPod<int32_t>(owned_values, code < 0 ? -1 : code_map[static_cast<size_t>(code)]);
        }
        values = owned_values;
      }
      packed = PackIntegers(std::span(reinterpret_cast<const int32_t*>(values.data()), chunk.rows),
                            [](size_t) { return false; });
      break;
    case DataType::kString:
      std::tie(owned_values, text) =
          LengthsAndText(chunk.rows, [&](size_t i) { return column.StringAt(begin + i); });
      values = owned_values;
      break;
  }
  chunk.bytes = Assemble({validity, values, text}, packed);
  chunk.checksum = ChunkChecksum(chunk.bytes);
  return chunk;
}

EncodedChunk EncodeDictionary(std::span<const std::string> dictionary) {
  EncodedChunk chunk;
  chunk.rows = dictionary.size();
  auto [lengths, text] =
      LengthsAndText(dictionary.size(), [&](size_t i) { return std::string_view(dictionary[i]); });
  chunk.bytes = Assemble({std::string_view(), lengths, text});
  chunk.checksum = ChunkChecksum(chunk.bytes);
  return chunk;
}

ChunkLayout ReadChunkLayout(std::string_view bytes) {
  const auto streams = ReadStreams(bytes);
  return {streams[0].raw, streams[1].raw, streams[2].raw};
}

void DecodeChunk(std::string_view bytes, DataType type, size_t rows, size_t null_count,
                 size_t dictionary_size, ColumnStorage& out, size_t row, size_t text_offset) {
  const auto streams = ReadStreams(bytes);
  if (null_count > rows)
    Fail(ErrorCode::kInvalidData, "{} nulls in a chunk of {} rows", null_count, rows);
  // Validity: a bitmap when this chunk has nulls (never for categoricals), expanded into bytes.
  const bool has_bitmap = null_count > 0 && type != DataType::kCategorical;
  if (has_bitmap && out.valid.empty())
    Fail(ErrorCode::kInvalidData, "the chunk has nulls the catalogue does not count");
  std::string bitmap(has_bitmap ? (rows + 7) / 8 : 0, '\0');
  Expand(streams[0], bitmap.data(), bitmap.size(), "validity");
  size_t nulls = 0;
  if (!out.valid.empty()) {
    for (size_t i = 0; i < rows; ++i) {
      const bool ok = !has_bitmap || (static_cast<uint8_t>(bitmap[i / 8]) >> (i % 8)) & 1;
      out.valid[row + i] = ok;
      nulls += !ok;
    }
  }
  // Values: straight into the column's vector.
  const size_t width = ValueWidth(type);
  char* dest = nullptr;
  std::string lengths;
  switch (type) {
    case DataType::kInt64:
    case DataType::kDate:
    case DataType::kTimestamp: dest = reinterpret_cast<char*>(out.ints.data() + row); break;
    case DataType::kDouble: dest = reinterpret_cast<char*>(out.doubles.data() + row); break;
    case DataType::kBool: dest = reinterpret_cast<char*>(out.bools.data() + row); break;
    case DataType::kCategorical: dest = reinterpret_cast<char*>(out.codes.data() + row); break;
    case DataType::kString:
      lengths.resize(rows * width);
      dest = lengths.data();
      break;
  }
  Unpacked unpacked = Unpacked::kNothing;
  switch (type) {
    case DataType::kInt64:
    case DataType::kDate:
    case DataType::kTimestamp: unpacked = Unpacked::kInt64; break;
    case DataType::kCategorical: unpacked = Unpacked::kInt32; break;
    case DataType::kDouble: unpacked = Unpacked::kDouble; break;
    default: break;
  }
  Expand(streams[1], dest, rows * width, "values", unpacked);
  switch (type) {
    case DataType::kBool:
      for (size_t i = 0; i < rows; ++i) {
        if (out.bools[row + i] > 1)
          Fail(ErrorCode::kInvalidData, "row {} holds bool {}", i, int{out.bools[row + i]});
      }
      break;
    case DataType::kCategorical:
      for (size_t i = 0; i < rows; ++i) {
        const int32_t code = out.codes[row + i];
        if (code < -1 || code >= static_cast<int64_t>(dictionary_size)) {
          Fail(ErrorCode::kInvalidData, "row {} holds code {}; the dictionary has {} entries", i,
               code, dictionary_size);
        }
        nulls += code < 0;
      }
      break;
    case DataType::kString: {
      uint64_t at = text_offset;
      for (size_t i = 0; i < rows; ++i) {
        at += ReadPod<uint32_t>(lengths, i * width);
        out.offsets[row + i + 1] = at;
      }
      const size_t text_bytes = at - text_offset;
      if (text_bytes > out.bytes.size() - std::min(text_offset, out.bytes.size()))
        Fail(ErrorCode::kInvalidData,
             "the texts' lengths add up to {} bytes, past the column's end", text_bytes);
      Expand(streams[2], out.bytes.data() + text_offset, text_bytes, "text");
      break;
    }
    default: break;
  }
  if (type != DataType::kString && streams[2].raw != 0)
    Fail(ErrorCode::kInvalidData, "a {} chunk holds text", DataTypeName(type));
  if (nulls != null_count) {
    Fail(ErrorCode::kInvalidData, "the chunk holds {} nulls; the catalogue counts {}", nulls,
         null_count);
  }
  // Null slots hold zero, as every column's do (a corrupt chunk must not leak values there).
  if (nulls > 0 && type != DataType::kCategorical) {
    for (size_t i = 0; i < rows; ++i) {
      if (out.valid[row + i]) continue;
      switch (type) {
        case DataType::kDouble: out.doubles[row + i] = 0.0; break;
        case DataType::kBool: out.bools[row + i] = 0; break;
        case DataType::kString: {
          // Row 0 starts at text_offset: offsets[row] is the previous chunk's to write, and that
          // chunk may be decoding on another thread right now.
          const uint64_t start = i == 0 ? text_offset : out.offsets[row + i];
          if (out.offsets[row + i + 1] != start)
            Fail(ErrorCode::kInvalidData, "null row {} holds text", i);
          break;
        }
        default: out.ints[row + i] = 0;
      }
    }
  }
}

std::vector<std::string> DecodeDictionary(std::string_view bytes, size_t entries) {
  const auto streams = ReadStreams(bytes);
  Expand(streams[0], nullptr, 0, "validity");
  std::string lengths(entries * sizeof(uint32_t), '\0');
  Expand(streams[1], lengths.data(), lengths.size(), "values");
  std::string text(streams[2].raw, '\0');
  Expand(streams[2], text.data(), text.size(), "text");
  std::vector<std::string> out;
  out.reserve(entries);
  size_t at = 0;
  for (size_t i = 0; i < entries; ++i) {
    const size_t length = ReadPod<uint32_t>(lengths, i * sizeof(uint32_t));
    if (length > text.size() - at)
      Fail(ErrorCode::kInvalidData, "dictionary entry {} runs past the text", i);
    out.emplace_back(text, at, length);
    at += length;
  }
  if (at != text.size())
    Fail(ErrorCode::kInvalidData, "{} bytes of dictionary text are not in any entry",
         text.size() - at);
  return out;
}

}  // namespace prospect::sqlite_store
