// Column building: how each column is parsed (ColumnSpec), cells appended to typed per-chunk
// columns in the final storage layout (ColumnChunk, with the categorical dictionary's index), and
// the chunks merged into one Column per column of the table. Private to src/io.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "io/cell_parse.hpp"
#include "prospect/io/csv.hpp"
#include "prospect/table/table.hpp"

namespace prospect::io {

/// How a column is parsed in the full pass.
struct ColumnSpec {
  std::string name;
  DataType type = DataType::kString;
  bool declared =
      false;  ///< from options.types: a bad cell is an error (or reject), never a widening
  DateOrder order = DateOrder::kMonthFirst;
  char decimal = '.';  ///< decimal separator of numbers
};
/// The column `name`, with the type options.types declares for it (then `declared`) or kString
/// for inference to replace.
ColumnSpec SpecFor(const std::string& name, const ReadOptions& options);
/// The table of `columns`, named and typed by `specs` (one each, in order).
Table TableOf(const std::vector<ColumnSpec>& specs, std::vector<ColumnPtr> columns);

/// One cell's text as a reader found it.
struct CellText {
  const char* begin;
  size_t size;
  bool quoted;   ///< from a quoted CSV field or a JSON string
  bool escaped;  ///< quoted text with doubled quotes still to undo
};

/// Outcome of appending one cell.
enum class CellStatus : uint8_t {
  kOk,
  kWiden,     ///< inferred column: the cell needs a wider type (see `widen_to`)
  kBadValue,  ///< declared column (or a real-looking but impossible date): not of the type
  kBadUtf8,   ///< string cell with invalid UTF-8
};

/// Maps distinct strings to their codes (positions in a dictionary the caller keeps). Open
/// addressing over a power-of-two table with a cheap hash: looking up categorical cells is one of
/// the reader's hottest paths, where std::unordered_map's prime-modulo buckets and nodes showed.
class DictionaryIndex {
 public:
  static uint64_t Hash(std::string_view text);
  /// The code of `text` (whose Hash is `hash`) in `dictionary`, or -1.
  int32_t Find(std::string_view text, uint64_t hash,
               const std::vector<std::string>& dictionary) const;
  /// Appends `text` (not there yet, Hash `hash`) to `dictionary` and indexes it; returns its code.
  int32_t Add(std::string text, uint64_t hash, std::vector<std::string>* dictionary);
  /// Re-indexes every entry of `dictionary`.
  void Rebuild(const std::vector<std::string>& dictionary);

 private:
  // A slot holds the hash's high 32 bits (which also choose its position) and code + 1; 0 is empty.
  static uint64_t Slot(uint64_t hash, int32_t code) {
    return (hash & 0xFFFFFFFF00000000ull) | static_cast<uint32_t>(code + 1);
  }
  void Insert(uint64_t hash, int32_t code);
  void Place(uint64_t slot);
  std::vector<uint64_t> slots_;
  size_t used_ = 0;
};

/// One column's values for one chunk of rows, in the final storage layout.
class ColumnChunk {
 public:
  void Init(DataType type, size_t reserve_rows);
  /// Appends a cell. `quoted`: the text came from a quoted CSV field or a JSON string (an empty
  /// quoted cell is an empty string in string columns and null otherwise). `escaped`: quoted text
  /// with doubled quotes still to be undone.
  CellStatus Append(const ColumnSpec& spec, const NullMatcher& nulls, std::string_view text,
                    bool quoted, bool escaped, char quote, DataType* widen_to);
  /// Appends cells[0], cells[stride], ... (`rows` of them) as Append would, one column of a batch
  /// of records at a time (the type is switched on once, not per cell). Stops before the first
  /// cell that is neither kOk nor kWiden and returns how many were appended; widenings are folded
  /// into `*widen`.
  size_t AppendColumn(const ColumnSpec& spec, const NullMatcher& nulls, const CellText* cells,
                      size_t stride, size_t rows, char quote, std::optional<DataType>* widen);
  void AppendNull();
  size_t size() const { return rows_; }
  /// Whitespace-only cells appended as null (a non-text column's " ").
  size_t blank_nulls() const { return blank_rows_.size(); }
  /// Drops rows from `rows` on (undoing a rejected row's cells).
  void Truncate(size_t rows);

  /// Concatenates chunks (in order) into one column. Dictionaries merge in first-seen order.
  static ColumnPtr Merge(DataType type, std::vector<ColumnChunk*> chunks);

 private:
  DataType type_ = DataType::kString;
  size_t rows_ = 0;
  // Validity is kept only once a null arrives (most columns have none): then one byte per row.
  bool has_nulls_ = false;
  ColumnStorage data_;  // the dictionary in first-seen order
  DictionaryIndex index_;
  std::vector<size_t> entry_rows_;  // per dictionary entry: the row that added it, for Truncate
  std::vector<size_t> blank_rows_;  // rows whose blank cell became null, for the count and Truncate
  std::string scratch_;
};

}  // namespace prospect::io
