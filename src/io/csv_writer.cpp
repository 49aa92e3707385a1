// RFC 4180 CSV writer used by `prospect export` and batch outputs.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "prospect/common/error.hpp"
#include "prospect/io/csv.hpp"
#include "prospect/io/output_file.hpp"

namespace prospect {
namespace {

void AppendField(std::string& out, std::string_view text, bool force_quotes) {
  const bool quote = force_quotes || text.find_first_of(",\"\r\n") != std::string_view::npos ||
                     (!text.empty() && (text.front() == ' ' || text.back() == ' '));
  if (!quote) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

// Writes the whole table to `file`; `name` is what errors call it.
void WriteCsvTo(const Table& table, FILE* file, const std::string& name, const Context& ctx) {
  std::string buf;
  for (size_t c = 0; c < table.num_columns(); ++c) {
    if (c) buf += ',';
    AppendField(buf, table.schema().field(c).name, false);
  }
  buf += '\n';
  for (size_t r = 0; r < table.num_rows(); ++r) {
    for (size_t c = 0; c < table.num_columns(); ++c) {
      if (c) buf += ',';
      const Column& col = *table.column(c);
      if (col.IsNull(r)) continue;
      if (IsStringLike(col.type())) {
        const std::string_view s = col.StringAt(r);
        AppendField(buf, s, s.empty());  // "" keeps an empty string distinct from null
      } else {
        col.AppendFormatted(buf, r);
      }
    }
    buf += '\n';
    if (buf.size() > (1u << 20)) {
      if (std::fwrite(buf.data(), 1, buf.size(), file) != buf.size()) {
        Fail(ErrorCode::kIo, "cannot write {}: {}", name, std::strerror(errno));
      }
      buf.clear();
      ctx.ThrowIfCancelled();
      ctx.Progress("export", r + 1, table.num_rows());
    }
  }
  if (std::fwrite(buf.data(), 1, buf.size(), file) != buf.size() || std::fflush(file) != 0) {
    Fail(ErrorCode::kIo, "cannot write {}: {}", name, std::strerror(errno));
  }
}

}  // namespace

void WriteCsv(const Table& table, const std::string& path, const Context& ctx) {
  if (path == "-") {
    WriteCsvTo(table, stdout, "standard output", ctx);
    return;
  }
  OutputFile out(path, "the CSV");
  WriteCsvTo(table, out.file(), path, ctx);
  out.Commit();
}

std::string CsvText(const Table& table, const Context& ctx) {
  char* data = nullptr;
  size_t size = 0;
  FILE* file = open_memstream(&data, &size);
  if (!file)
    Fail(ErrorCode::kResourceExhausted, "cannot make the CSV text: {}", std::strerror(errno));
  try {
    WriteCsvTo(table, file, "the CSV text", ctx);
  } catch (...) {
    std::fclose(file);
    std::free(data);
    throw;
  }
  std::fclose(file);
  std::string text(data, size);
  std::free(data);
  return text;
}

}  // namespace prospect
