// Fuzz target for the JSON Lines reader: the first byte picks options, the rest is the file. A
// prospect::Error is an accepted outcome; crashes, sanitizer reports and other exceptions are bugs.
#include <cstddef>
#include <cstdint>
#include <string>

#include "../../src/io/csv_internal.hpp"  // internal API; path relative so fuzz_regression needs no extra include dir
#include "../../src/io/text_source.hpp"
#include "prospect/common/error.hpp"

int JsonlFuzzOne(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t flags = data[0];
  prospect::ReadOptions options;
  options.on_error = (flags & 1) ? prospect::OnError::kReject : prospect::OnError::kFail;
  options.encoding = (flags & 2) ? prospect::TextEncoding::kLatin1 : prospect::TextEncoding::kUtf8;
  if (flags & 4) options.types["a"] = prospect::DataType::kInt64;
  if (flags & 8) options.types["b"] = prospect::DataType::kDate;
  if (flags & 16) options.types["c"] = prospect::DataType::kBool;
  try {
    const prospect::Context ctx(1);
    std::string text =
        prospect::io::PrepareText(std::string(reinterpret_cast<const char*>(data + 1), size - 1),
                                  "fuzz.jsonl", options.encoding);
    const prospect::Table t =
        prospect::io::ReadJsonlText(std::move(text), "fuzz.jsonl", options, ctx, nullptr);
    for (size_t c = 0; c < t.num_columns(); ++c) {
      for (size_t r = 0; r < t.num_rows(); ++r) (void)t.column(c)->FormatValue(r);
    }
  } catch (const prospect::Error&) {
  }
  return 0;
}
