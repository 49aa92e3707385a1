// Ingest: read a CSV/TSV/JSONL file with the workspace's settings and land it in the store as a
// named table — whole or not at all.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/io/csv.hpp"
#include "prospect/store/store.hpp"
#include "prospect/workspace/workspace.hpp"

namespace prospect {

enum class FileFormat { kAuto, kCsv, kJsonl };

/// A file column stored under another name (a CRM export's "First Name" as first_name).
struct ColumnRename {
  std::string from;       ///< the file's header
  std::string to;         ///< the table's column
  bool optional = false;  ///< a file without the column is fine (a preset's mapping)
};

/// What the user asked for on the command line. Unset fields fall back to prospect.toml
/// ([ingest] and [tables.NAME]) and then to the defaults.
struct IngestRequest {
  std::string table;
  std::string file;
  FileFormat format = FileFormat::kAuto;
  std::optional<char> delimiter;
  std::vector<std::string> extra_null_values;  ///< added to the configured null markers
  std::optional<WriteMode> mode;  ///< unset: replace a new table, refuse an existing one
  OnError on_error = OnError::kFail;
  std::optional<std::string> key;
  std::optional<TextEncoding> encoding;
  std::map<std::string, DataType> types;  ///< added to (and overriding) [tables.NAME.types]
  /// Types for columns a file may lack (no warning when it does); `types` and prospect.toml win.
  std::map<std::string, DataType> default_types;
  std::string rejects_path;           ///< default: WORKSPACE/rejects/TABLE.csv
  std::optional<char> decimal;        ///< decimal separator, '.' or ','
  std::optional<bool> strict_quotes;  ///< a quote inside an unquoted field is an error
  /// PII columns, "COLUMN" or "COLUMN=KIND" (see ParsePiiColumn), added to [tables.NAME] pii and
  /// to the table's stored declaration: replaced by keyed pseudonyms before anything is stored.
  std::vector<std::string> pii;
  /// Keep the raw values of new PII columns sealed beside them (default: [pii] keep_raw, false).
  std::optional<bool> pii_keep_raw;
  /// File columns renamed as they are read. Types, PII columns and the key name the table's
  /// columns (the `to` names). A required `from` missing from the file is kInvalidData.
  std::vector<ColumnRename> rename;
};

struct IngestResult {
  std::string table;
  int64_t rows_read = 0;
  int64_t rows_loaded = 0;
  int64_t rows_rejected = 0;
  int64_t rows_deduplicated = 0;
  int64_t rows_suppressed = 0;  ///< rows of forgotten people, left out (see forget.hpp)
  int64_t table_rows = 0;       ///< rows in the table after the ingest
  std::string rejects_path;
  Schema schema;
  int64_t blank_cells_as_null = 0;   ///< whitespace-only cells of non-text columns, loaded as null
  int64_t literal_quote_fields = 0;  ///< unquoted fields with a quote, read literally
  std::vector<std::string> warnings;
  std::vector<std::string> pseudonymised;  ///< the PII columns replaced by pseudonyms
  std::vector<std::string> sealed;         ///< the columns holding sealed raw values
  std::string pii_key_id;                  ///< the key that made them ("" without PII)
  nlohmann::json ToJson() const;
};

/// Reads the file and writes the table in one store transaction. Throws kInvalidData with
/// file:line:column for bad input (unless on_error is kReject), kAlreadyExists when the table
/// exists and no mode was given, kInvalidArgument for bad options.
IngestResult Ingest(const Workspace& workspace, const IngestRequest& request, const Context& ctx);

/// The ReadOptions an ingest of `table` would use: defaults, then prospect.toml, then request.
ReadOptions ResolveReadOptions(const Workspace& workspace, const IngestRequest& request);

/// "csv", "jsonl" → format; throws kInvalidArgument naming the valid ones.
FileFormat ParseFileFormat(const std::string& name);
/// "," ";" "|" "\t" "tab" → the character; throws kInvalidArgument otherwise.
char ParseDelimiter(const std::string& text);
/// "." or "," → the decimal separator; throws kInvalidArgument otherwise.
char ParseDecimal(const std::string& text);

}  // namespace prospect
