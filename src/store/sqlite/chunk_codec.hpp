// Column chunks: how the SQLite store keeps a table's data. Each column is cut into chunks of
// kRowsPerChunk rows, each stored as typed binary (bit-packed or LZ4-compressed where that pays),
// with what the catalogue keeps beside it: rows, nulls, min and max, and an XXH3 checksum of the
// stored bytes. A categorical column's dictionary is stored once per column, as a chunk of its own.
//
// Stored bytes (little-endian): u8 format (1); three stream descriptors, each u8 codec (0 raw,
// 1 LZ4, 2 bit-packed integers: values only, layout in chunk_codec.cpp), u32 raw size, u32 stored
// size; then the three streams' bytes in that order:
//   validity  bitmap, bit (i % 8) of byte i / 8 set when row i is valid; empty when no row is null
//             (and always for categoricals, whose nulls are code -1)
//   values    one value per row: int64 (int64, date, timestamp), double, u8 0/1 (bool),
//             int32 dictionary code (categorical), u32 byte length (string; dictionary entry)
//   text      the strings' bytes back to back; empty for other types
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "prospect/table/column.hpp"

namespace prospect::sqlite_store {

/// Rows per stored chunk: large enough that a chunk's fixed costs (a catalogue row, a header, a
/// checksum) are noise, small enough that a table's chunks decode in parallel and that min/max
/// let a query skip most of a table.
inline constexpr size_t kRowsPerChunk = 65536;

/// A chunk's smallest or largest non-null value: int64 for integer storage (int64, date,
/// timestamp, bool), double for doubles (NaN ignored). Absent for text and for all-null chunks.
using ChunkValue = std::variant<int64_t, double>;

struct EncodedChunk {
  std::string bytes;      ///< what is stored (format above)
  uint64_t checksum = 0;  ///< ChunkChecksum(bytes)
  size_t rows = 0;
  size_t null_count = 0;
  std::optional<ChunkValue> min, max;
};

/// Rows [begin, end) of `column`. For a categorical column, `code_map` maps the column's codes
/// to the stored dictionary's (empty: the same codes).
EncodedChunk EncodeChunk(const Column& column, size_t begin, size_t end,
                         std::span<const int32_t> code_map = {});
/// A categorical column's dictionary, entry i for code i.
EncodedChunk EncodeDictionary(std::span<const std::string> dictionary);

uint64_t ChunkChecksum(std::string_view bytes);

/// The raw sizes of a chunk's three streams, read from its header and checked against its size.
struct ChunkLayout {
  size_t validity_bytes = 0;
  size_t values_bytes = 0;
  size_t text_bytes = 0;
};
/// Throws kInvalidData saying what is wrong (the caller names the table, column and chunk).
ChunkLayout ReadChunkLayout(std::string_view bytes);

/// Decodes a chunk of `rows` rows of `type`, holding `null_count` nulls, into rows
/// [row, row + rows) of `out`. `out` holds the whole column: its per-row vector sized for every
/// row, `valid` sized too when any chunk has nulls (else empty), and for strings `offsets` (rows
/// + 1) and `bytes` sized, this chunk's text going at `text_offset`. Categorical codes must be
/// below `dictionary_size`. Every size and value is checked: a chunk that does not match what the
/// catalogue says of it throws kInvalidData, never reads or writes out of bounds.
void DecodeChunk(std::string_view bytes, DataType type, size_t rows, size_t null_count,
                 size_t dictionary_size, ColumnStorage& out, size_t row, size_t text_offset);
/// The dictionary stored by EncodeDictionary, which must hold `entries` entries.
std::vector<std::string> DecodeDictionary(std::string_view bytes, size_t entries);

}  // namespace prospect::sqlite_store
