// Fuzz target for the store's column-chunk decoder (src/store/sqlite/chunk_codec.cpp). The first
// byte picks the mode and the type:
//   bit 7 clear: the rest is a stored chunk as found on disk, header and all; bytes 1-4 give the
//     rows, the catalogue's null count and the dictionary size the decoder is told;
//   bit 7 set: the rest is a column's values: they are encoded, one byte of the chunk is changed
//     (position and value from the input), and the chunk decoded. Unchanged, it must give the
//     column back exactly.
// A prospect::Error is an accepted outcome; a crash, a sanitizer report, another exception or a
// round trip that changes a value is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "../../src/store/sqlite/chunk_codec.hpp"  // path relative: fuzz_regression needs no extra include dir
#include "prospect/common/error.hpp"

namespace {

using prospect::ColumnStorage;
using prospect::DataType;
namespace ss = prospect::sqlite_store;

constexpr DataType kTypes[] = {DataType::kInt64,    DataType::kDouble,      DataType::kBool,
                               DataType::kString,   DataType::kCategorical, DataType::kDate,
                               DataType::kTimestamp};

// Storage sized for `rows` rows of `type` with `text` bytes of text, as the store prepares it.
ColumnStorage Prepare(DataType type, size_t rows, size_t null_count, size_t text) {
  ColumnStorage out;
  if (null_count > 0 && type != DataType::kCategorical) out.valid.resize(rows);
  out.ForRowValues(type, [&](auto& values) { values.resize(rows); });
  if (type == DataType::kString) {
    out.offsets.resize(rows + 1);
    out.bytes.resize(text);
  }
  return out;
}

void Decode(std::string_view bytes, DataType type, size_t rows, size_t nulls, size_t dictionary) {
  size_t text = 0;
  if (type == DataType::kString) text = ss::ReadChunkLayout(bytes).text_bytes;
  ColumnStorage out = Prepare(type, rows, nulls, text);
  ss::DecodeChunk(bytes, type, rows, nulls, dictionary, out, 0, 0);
}

// A column of `type` from the input bytes: a value per byte (strings: runs split at 0 bytes),
// byte 0xff as null.
prospect::ColumnPtr ColumnFrom(DataType type, const uint8_t* data, size_t size) {
  prospect::ColumnBuilder b(type == DataType::kCategorical ? DataType::kCategorical : type);
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == 0xff) {
      b.AppendNull();
      continue;
    }
    switch (type) {
      case DataType::kDouble: b.AppendDouble(static_cast<double>(data[i]) / 7.0 - 9); break;
      case DataType::kBool: b.AppendBool(data[i] & 1); break;
      case DataType::kString:
      case DataType::kCategorical:
        b.AppendString(std::string(data[i] % 5, static_cast<char>('a' + data[i] % 3)));
        break;
      default: b.AppendInt(static_cast<int64_t>(data[i]) * 1000003 - 500000);
    }
  }
  return b.Finish();
}

}  // namespace

int ChunkFuzzOne(const uint8_t* data, size_t size) {
  if (size < 5) return 0;
  const DataType type = kTypes[(data[0] & 0x7f) % 7];
  try {
    if ((data[0] & 0x80) == 0) {
      const size_t rows = (static_cast<size_t>(data[1]) << 8 | data[2]) % 4097;
      const size_t nulls = data[3] % (rows + 1);
      Decode(std::string_view(reinterpret_cast<const char*>(data) + 5, size - 5), type, rows, nulls,
             data[4]);
      ss::DecodeDictionary(std::string_view(reinterpret_cast<const char*>(data) + 5, size - 5),
                           data[4]);
      return 0;
    }
    const auto column = ColumnFrom(type, data + 5, size - 5);
    ss::EncodedChunk chunk = ss::EncodeChunk(*column, 0, column->size());
    if (ss::ChunkChecksum(chunk.bytes) != chunk.checksum) std::abort();
    const size_t at = (static_cast<size_t>(data[1]) << 8 | data[2]) % (chunk.bytes.size() + 1);
    const bool changed = at < chunk.bytes.size() && data[3] != 0;
    if (changed) chunk.bytes[at] = static_cast<char>(chunk.bytes[at] ^ data[3]);
    const size_t dictionary = column->dictionary().size();
    size_t text = 0;
    if (type == DataType::kString) text = ss::ReadChunkLayout(chunk.bytes).text_bytes;
    ColumnStorage out = Prepare(type, column->size(), chunk.null_count, text);
    ss::DecodeChunk(chunk.bytes, type, column->size(), chunk.null_count, dictionary, out, 0, 0);
    if (changed) return 0;
    for (size_t r = 0; r < column->size(); ++r) {
      const bool null = type == DataType::kCategorical ? out.codes[r] < 0
                        : out.valid.empty()            ? false
                                                       : out.valid[r] == 0;
      if (null != column->IsNull(r)) std::abort();
      if (null) continue;
      bool same = true;
      switch (type) {
        case DataType::kDouble: same = out.doubles[r] == column->doubles()[r]; break;
        case DataType::kBool: same = out.bools[r] == column->bools()[r]; break;
        case DataType::kCategorical: same = out.codes[r] == column->codes()[r]; break;
        case DataType::kString:
          same = std::string_view(out.bytes).substr(
                     out.offsets[r], out.offsets[r + 1] - out.offsets[r]) == column->StringAt(r);
          break;
        default: same = out.ints[r] == column->ints()[r];
      }
      if (!same) std::abort();
    }
  } catch (const prospect::Error&) {
  }
  return 0;
}
