// Pieces shared by the CSV and JSON Lines readers: loading (gzip, Latin-1, binary check), UTF-8
// validation, cell parsing (numbers, bools, dates, timestamps), type inference, null markers,
// per-chunk column accumulation and message formatting. Private to src/io.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "prospect/io/csv.hpp"
#include "prospect/table/table.hpp"

namespace prospect::io {

/// Text ready to parse: a plain file's bytes as read (no copy), or gunzipped or transcoded text.
class LoadedText {
 public:
  explicit LoadedText(std::string text) : string_(std::move(text)) {}
  LoadedText(std::unique_ptr<char[]> bytes, size_t size) : bytes_(std::move(bytes)), size_(size) {}
  std::string_view view() const { return bytes_ ? std::string_view(bytes_.get(), size_) : std::string_view(string_); }

 private:
  std::string string_;
  std::unique_ptr<char[]> bytes_;
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
size_t FindInvalidUtf8(const char* data, size_t size);

/// 1-based line and column (in characters) of `pos` within `text`, given that `line_start` is the
/// offset of a position known to start line `line`.
struct Location {
  int64_t line;
  int64_t column;
};
Location LocateIn(std::string_view text, size_t line_start, int64_t line, size_t pos);

// ---- Cells --------------------------------------------------------------------------------------

enum class DateOrder : uint8_t { kMonthFirst, kDayFirst };
enum class DateParse : uint8_t { kOk, kNotADate, kInvalidDay };

/// Strict integer: optional sign, digits, optional surrounding spaces.
bool ParseInt64(std::string_view text, int64_t* out);
/// Decimal or scientific notation, nan, inf; optional sign and surrounding spaces.
bool ParseDouble(std::string_view text, double* out);
/// The same with `decimal` as the decimal separator ('.' or ','; with ',' a '.' is not accepted).
bool ParseDouble(std::string_view text, char decimal, double* out);
/// A number written with a leading zero ("08123", "-007", "00.5"): zip codes and zero-padded ids,
/// which inference keeps as text so that they round-trip. "0", "0.5" and "-0" are not.
bool HasLeadingZero(std::string_view text);
/// Non-empty and nothing but spaces and tabs.
bool IsBlankText(std::string_view text);
/// Inferred bools: true/false, True/False, TRUE/FALSE. With `lenient` (declared bool columns)
/// also t/f, yes/no, y/n, 1/0 in any case.
bool ParseBool(std::string_view text, bool lenient, bool* out);
/// Date forms: YYYY-MM-DD, YYYY/MM/DD, M/D/YYYY or D/M/YYYY (by `order`), D.M.YYYY, M-D-YYYY or
/// D-M-YYYY (by `order`). kInvalidDay when the shape fits but the day does not exist.
DateParse ParseDateText(std::string_view text, DateOrder order, int64_t* days);
/// A date form, then ' ' or 'T', H:MM[:SS[.fraction]], optional Z / +HH:MM / +HHMM / +HH
/// (converted to UTC); a plain date is midnight. `epoch`: integers are epoch seconds, or
/// milliseconds when |value| >= 1e11 (declared timestamp columns only).
DateParse ParseTimestampText(std::string_view text, DateOrder order, bool epoch, int64_t* micros);

/// Which of a slash/dash date's first two numbers exceeded 12 (to tell M/D from D/M).
struct DateOrderEvidence {
  bool first_over_12 = false;
  bool second_over_12 = false;
};
/// Updates `evidence` if `text` starts with an ambiguous N/N/YYYY or N-N-YYYY date.
void ObserveDateOrder(std::string_view text, DateOrderEvidence* evidence);

/// Null markers: unquoted empty cells are null; other markers match quoted or unquoted text.
class NullMatcher {
 public:
  explicit NullMatcher(const std::vector<std::string>& markers);
  [[gnu::always_inline]] bool IsNull(std::string_view text, bool quoted) const {
    if (text.empty()) return !quoted;
    if (text.size() >= 64 || !(length_mask_ >> text.size() & 1)) return false;
    if (!(first_char_mask_[static_cast<uint8_t>(text[0]) >> 6] >> (static_cast<uint8_t>(text[0]) & 63) & 1)) {
      return false;
    }
    for (const auto& m : markers_) {
      if (m == text) return true;
    }
    return false;
  }

 private:
  std::vector<std::string> markers_;  // non-empty ones
  uint64_t length_mask_ = 0;          // bit n set when some marker has n bytes
  uint64_t first_char_mask_[4] = {};  // bit c set when some marker starts with byte c
};

/// Infers a column's type from sampled non-null cells. Categorical: a string column whose
/// distinct values are at most half of its non-null sampled cells and at most 65536.
class TypeGuesser {
 public:
  /// `text_only`: only date, timestamp, categorical or string (JSON string values). `decimal`:
  /// the decimal separator of numbers. Numbers with a leading zero make a column text; blank
  /// cells (spaces only) are left out, as they load as null in a non-text column.
  explicit TypeGuesser(bool text_only = false, char decimal = '.');
  void Observe(std::string_view text);
  DataType Result() const;
  DateOrder order() const { return evidence_.first_over_12 ? DateOrder::kDayFirst : DateOrder::kMonthFirst; }
  size_t observed() const { return observed_; }

 private:
  bool maybe_bool_, maybe_int_, maybe_double_, maybe_date_ = true, maybe_timestamp_ = true;
  char decimal_;
  size_t observed_ = 0;
  size_t blank_ = 0;
  DateOrderEvidence evidence_;
  bool distinct_overflow_ = false;
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>()(text); }
  };
  std::unordered_set<std::string, TextHash, std::equal_to<>> distinct_;
};

/// Widens `a` to also hold `b` (inferred types only): string absorbs everything, double absorbs
/// int64, timestamp absorbs date.
DataType WidenType(DataType a, DataType b);

/// How a column is parsed in the full pass.
struct ColumnSpec {
  std::string name;
  DataType type = DataType::kString;
  bool declared = false;  ///< from options.types: a bad cell is an error (or reject), never a widening
  DateOrder order = DateOrder::kMonthFirst;
  char decimal = '.';  ///< decimal separator of numbers
};

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
  kWiden,       ///< inferred column: the cell needs a wider type (see `widen_to`)
  kBadValue,    ///< declared column (or a real-looking but impossible date): not of the type
  kBadUtf8,     ///< string cell with invalid UTF-8
};

/// Maps distinct strings to their codes (positions in a dictionary the caller keeps). Open
/// addressing over a power-of-two table with a cheap hash: looking up categorical cells is one of
/// the reader's hottest paths, where std::unordered_map's prime-modulo buckets and nodes showed.
class DictionaryIndex {
 public:
  static uint64_t Hash(std::string_view text);
  /// The code of `text` (whose Hash is `hash`) in `dictionary`, or -1.
  int32_t Find(std::string_view text, uint64_t hash, const std::vector<std::string>& dictionary) const;
  /// Records that dictionary[code] has hash `hash` (the caller checked it is not there yet).
  void Insert(uint64_t hash, int32_t code);
  /// Re-indexes every entry of `dictionary`.
  void Rebuild(const std::vector<std::string>& dictionary);

 private:
  // A slot holds the hash's high 32 bits (which also choose its position) and code + 1; 0 is empty.
  static uint64_t Slot(uint64_t hash, int32_t code) {
    return (hash & 0xFFFFFFFF00000000ull) | static_cast<uint32_t>(code + 1);
  }
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
  CellStatus Append(const ColumnSpec& spec, const NullMatcher& nulls, std::string_view text, bool quoted,
                    bool escaped, char quote, DataType* widen_to);
  /// Appends cells[0], cells[stride], ... (`rows` of them) as Append would, one column of a batch
  /// of records at a time (the type is switched on once, not per cell). Stops before the first
  /// cell that is neither kOk nor kWiden and returns how many were appended; widenings are folded
  /// into `*widen`.
  size_t AppendColumn(const ColumnSpec& spec, const NullMatcher& nulls, const CellText* cells, size_t stride,
                      size_t rows, char quote, std::optional<DataType>* widen);
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
  std::vector<uint8_t> valid_;
  std::vector<int64_t> ints_;
  std::vector<double> doubles_;
  std::vector<uint8_t> bools_;
  std::vector<uint64_t> offsets_;
  std::string bytes_;
  std::vector<int32_t> codes_;
  std::vector<std::string> dictionary_;  // in first-seen order
  DictionaryIndex index_;
  std::vector<size_t> entry_rows_;  // per dictionary entry: the row that added it, for Truncate
  std::vector<size_t> blank_rows_;  // rows whose blank cell became null, for the count and Truncate
  std::string scratch_;
};

/// "an int64", "a date", ... for messages.
std::string TypeWithArticle(DataType type);

/// The fix sentence used by cell errors.
inline constexpr std::string_view kCellFixes =
    "Possible fixes: fix the value, declare the column's type in prospect.toml [tables.NAME.types], "
    "or use --on-error reject.";

/// Writes the rejects file: header line,column,value,reason,raw then one row per reject.
struct RejectRow {
  int64_t line;
  std::string column;
  std::string value;
  std::string reason;
  std::string raw;
};
void WriteRejects(const std::string& path, const std::vector<RejectRow>& rows);

}  // namespace prospect::io
