// Internals of the CSV reader exposed for tests, fuzzing and benchmarks (not a public API).
#pragma once

#include <string>
#include <string_view>

#include "prospect/io/csv.hpp"

namespace prospect::io {

struct CsvTuning {
  /// The file is cut into blocks of this many bytes; each block's records are parsed as one unit
  /// of parallel work. Results never depend on it (tests use tiny blocks to prove that).
  size_t block_bytes = 1u << 20;
  /// Well-formed records appended column by column at a time (1: record by record).
  size_t batch_records = 256;
  /// The tokenizer's 64-byte bitmask path for plain records (off: the general loop alone).
  bool fast_tokenizer = true;
};

/// Parses CSV text already in memory (after gunzip/transcoding). `name` appears in messages.
Table ReadCsvText(std::string_view text, const std::string& name, const ReadOptions& options,
                  const Context& ctx, ReadReport* report, const CsvTuning& tuning = {});

/// The delimiter among , ; tab | that splits the first lines into the most, equally many fields
/// (',' when none does). The decimal separator is never a candidate (';' is the fallback then).
char SniffDelimiter(std::string_view text, char quote, char decimal = '.');

/// Parses JSON Lines text already in memory.
Table ReadJsonlText(std::string_view text, const std::string& name, const ReadOptions& options,
                    const Context& ctx, ReadReport* report);

}  // namespace prospect::io
