// What the CSV and JSON Lines readers tell the caller besides the table: the wording their cell
// errors share, the report's warnings and counts, and the rejects file. Private to src/io.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "prospect/io/csv.hpp"

namespace prospect::io {

/// "an int64", "a date", ... for messages.
std::string TypeWithArticle(DataType type);

/// The fix sentence used by cell errors.
inline constexpr std::string_view kCellFixes =
    "Possible fixes: fix the value, declare the column's type in prospect.toml "
    "[tables.NAME.types], "
    "or use --on-error reject.";

/// One rejected row, as the rejects file lists it.
struct RejectRow {
  int64_t line;
  std::string column;
  std::string value;
  std::string reason;
  std::string raw;
};
/// Writes the rejects file: header line,column,value,reason,raw then one row per reject.
void WriteRejects(const std::string& path, const std::vector<RejectRow>& rows);

/// Counts `rejects` in the report and writes them to options.rejects_path, or warns that there is
/// no rejects file to write them to.
void ReportRejects(const std::vector<RejectRow>& rejects, const ReadOptions& options,
                   ReadReport* report);

/// Warns about each column of options.types that `names` (the columns of the file `file`) lacks.
void WarnAboutUnknownTypedColumns(const ReadOptions& options, const std::vector<std::string>& names,
                                  const std::string& file, ReadReport* report);

}  // namespace prospect::io
