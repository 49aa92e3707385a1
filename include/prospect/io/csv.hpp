// CSV/TSV reading (RFC 4180, sniffing, type inference, rich errors, rejects) and writing.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/table/table.hpp"

namespace prospect {

enum class TextEncoding { kUtf8, kLatin1 };
enum class OnError { kFail, kReject };

/// Options shared by the CSV and JSON Lines readers.
struct ReadOptions {
  /// Field delimiter; 0 = sniff from the first lines (',', ';', '\t', '|').
  char delimiter = 0;
  char quote = '"';
  bool header = true;
  /// A cell is null when it is unquoted and empty, or when its text (quoted or not) equals one
  /// of these. A quoted empty cell ("") is an empty string.
  std::vector<std::string> null_values = {"", "NA", "N/A", "null", "NULL"};
  TextEncoding encoding = TextEncoding::kUtf8;
  /// Per-column type overrides by column name; other columns are inferred from a sample.
  std::map<std::string, DataType> types;
  /// Columns of `types` a file may lack without a warning (a CRM export's usual columns).
  std::vector<std::string> optional_typed_columns;
  /// Rows sampled (spread over the file) to infer types.
  size_t sample_rows = 10000;
  OnError on_error = OnError::kFail;
  /// With kReject: bad rows go here as CSV (line, column, value, reason, raw row).
  std::string rejects_path;
  /// Declared PII: a reject shows neither their values nor the raw row, which holds them.
  std::vector<std::string> private_columns;
  /// Longest accepted cell, in bytes.
  size_t max_field_bytes = 64u << 20;
  /// Decimal separator of numbers: '.' or ',' (European files: "1,5" is 1.5; then a '.' in a
  /// number makes it text, and the delimiter cannot be ',').
  char decimal = '.';
  /// A quote inside an unquoted field (37°36'37.8"N) is read as a literal character, as pandas and
  /// Python's csv do, and counted in the report; with `strict_quotes` it is an error instead.
  bool strict_quotes = false;
};

/// What a read did, for the ingest history and the user.
struct ReadReport {
  int64_t rows_read = 0;      ///< data rows seen (excluding the header)
  int64_t rows_rejected = 0;  ///< rows written to the rejects file
  std::string rejects_path;   ///< where rejects went, if any
  /// Whitespace-only cells (" ") of non-text columns, loaded as null.
  int64_t blank_cells_as_null = 0;
  /// Unquoted fields holding a quote character, read literally (see ReadOptions::strict_quotes).
  int64_t literal_quote_fields = 0;
  std::vector<std::string> warnings;
};

/// Reads a CSV/TSV file (gzip-compressed if it ends in .gz or starts with the gzip magic) into a
/// Table. Errors (kInvalidData) name file:line:column, the column, the raw value, what was
/// expected and a possible fix. Parsing is parallel over ctx.threads().
Table ReadCsv(const std::string& path, const ReadOptions& options, const Context& ctx,
              ReadReport* report = nullptr);

/// Reads JSON Lines (one object per line; keys are columns, in first-seen order).
Table ReadJsonl(const std::string& path, const ReadOptions& options, const Context& ctx,
                ReadReport* report = nullptr);

/// Writes RFC 4180 CSV with a header: nulls as empty cells, empty strings as "", fields with the
/// delimiter, quotes or line breaks quoted. Re-reading it gives back the same values. The path
/// "-" means standard output; a file is written whole or not at all (temporary file, then rename).
void WriteCsv(const Table& table, const std::string& path, const Context& ctx);
/// The CSV WriteCsv would write, as text (a response body).
std::string CsvText(const Table& table, const Context& ctx);

}  // namespace prospect
