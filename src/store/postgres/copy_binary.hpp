// PostgreSQL's binary COPY format for prospect's column types, both ways: tables become rows of
// COPY ... FROM STDIN (FORMAT binary), and rows of COPY ... TO STDOUT (FORMAT binary) become
// columns. The format (PostgreSQL docs, "COPY", Binary Format): an 11-byte signature, an int32
// flags word and an int32 header-extension length; then per row an int16 field count and per
// field an int32 byte length (-1 for null) and the value, big-endian. Dates are int32 days and
// timestamps int64 microseconds, both since 2000-01-01; double precision is the IEEE bits.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "prospect/table/table.hpp"

namespace prospect::pg_store {

/// PostgreSQL's column type for a prospect type (categorical is text; the catalogue keeps which).
std::string_view SqlTypeOf(DataType type);

/// Appends the binary COPY signature and header to `out`.
void AppendCopyHeader(std::string& out);
/// Appends the trailer (field count -1) that ends a binary COPY.
void AppendCopyTrailer(std::string& out);
/// Appends rows [begin, end) of `table` as binary COPY rows whose first field is the row-order
/// number `first_row_number + (r - begin)`. `table_name` names a value PostgreSQL cannot hold
/// (a date beyond int32 days, a timestamp beyond int64 microseconds from 2000) in the error.
void AppendCopyRows(const std::string& table_name, const Table& table, size_t begin, size_t end,
                    int64_t first_row_number, std::string& out);

/// Turns the bytes of a COPY ... TO STDOUT (FORMAT binary) into columns of `fields`, in any
/// pieces (a row may span two), handing back a Table every `rows_per_chunk` rows.
class CopyDecoder {
 public:
  CopyDecoder(std::string table_name, std::vector<Field> fields, size_t rows_per_chunk);

  /// Feeds the next bytes. Returns true when a full chunk is ready (take it with TakeChunk before
  /// feeding more): call again with an empty view to go on with what was left.
  bool Feed(std::string_view bytes);
  /// The rows decoded so far as a Table (possibly empty), and starts the next chunk.
  Table TakeChunk();
  size_t rows_in_chunk() const { return rows_; }
  /// True once the trailer has been read.
  bool finished() const { return finished_; }

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  void ResetChunk();
  // Parses whole rows from pending_ starting at `at`; returns the offset after the last one.
  size_t ParseRows(std::string_view data, size_t at);
  [[noreturn]] void Malformed(std::string_view what) const;

  std::string table_name_;
  std::vector<Field> fields_;
  size_t rows_per_chunk_;
  std::string pending_;  // bytes of a row not yet complete
  bool header_read_ = false;
  bool finished_ = false;
  size_t rows_ = 0;
  std::vector<ColumnStorage> storage_;
  std::vector<std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>>> codes_;
};

}  // namespace prospect::pg_store
