// Fuzz target for the CSV reader. The first byte picks options (delimiter, header, encoding,
// on-error, ...); the rest is the file. Any prospect::Error is an accepted outcome; a crash, a
// sanitizer report, another exception type, or a result that depends on the reading strategy (the
// block size of the parallel split, batched appends, the tokenizer's fast path) is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "../../src/io/csv_internal.hpp"  // internal API; path relative so fuzz_regression needs no extra include dir
#include "../../src/io/text_source.hpp"
#include "prospect/common/error.hpp"

namespace {

// The whole outcome as text: the error message, or every cell with its type.
std::string Outcome(const std::string& bytes, const prospect::ReadOptions& options,
                    const prospect::io::CsvTuning& tuning) {
  try {
    const prospect::Context ctx(1);
    std::string text = prospect::io::PrepareText(bytes, "fuzz.csv", options.encoding);
    prospect::ReadReport report;
    const prospect::Table t =
        prospect::io::ReadCsvText(std::move(text), "fuzz.csv", options, ctx, &report, tuning);
    std::string out =
        std::to_string(report.rows_read) + "/" + std::to_string(report.rows_rejected) + "\n";
    for (size_t c = 0; c < t.num_columns(); ++c) {
      out += t.schema().field(c).name;
      out += ':';
      out += prospect::DataTypeName(t.schema().field(c).type);
      out += '\n';
      for (size_t r = 0; r < t.num_rows(); ++r) {
        out += t.column(c)->IsNull(r) ? "<null>" : t.column(c)->FormatValue(r);
        out += '\x1f';
      }
      out += '\n';
    }
    return out;
  } catch (const prospect::Error& e) {
    return std::string("error: ") + e.what();
  }
}

}  // namespace

int CsvFuzzOne(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t flags = data[0];
  const std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  prospect::ReadOptions options;
  static constexpr char kDelims[] = {0, ',', ';', '\t'};
  options.delimiter = kDelims[flags & 3];
  options.header = (flags & 4) == 0;
  options.encoding = (flags & 8) ? prospect::TextEncoding::kLatin1 : prospect::TextEncoding::kUtf8;
  options.on_error = (flags & 16) ? prospect::OnError::kReject : prospect::OnError::kFail;
  options.sample_rows = (flags & 32) ? 3 : 10000;
  if (flags & 64) options.types["a"] = prospect::DataType::kInt64;
  if (flags & 128) options.types["b"] = prospect::DataType::kTimestamp;
  options.max_field_bytes = 1 << 16;
  const std::string whole = Outcome(bytes, options, {});
  // Small blocks, record-at-a-time appends and the tokenizer's general loop alone must read the
  // same.
  prospect::io::CsvTuning plain;
  plain.block_bytes = 1 + (size % 13);
  plain.batch_records = 1;
  plain.fast_tokenizer = false;
  const std::string split = Outcome(bytes, options, plain);
  if (whole != split) {
    std::fprintf(
        stderr,
        "the reading strategy changed the result:\n--- one block, batches, fast tokenizer\n%s\n"
        "--- small blocks, record by record, general tokenizer\n%s\n",
        whole.c_str(), split.c_str());
    std::abort();
  }
  return 0;
}
