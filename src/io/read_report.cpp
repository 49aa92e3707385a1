// Reader reports: type names for messages, the rejects file (written whole by OutputFile) and the
// warnings both readers give.
#include "io/read_report.hpp"

#include <algorithm>

#include "prospect/common/error.hpp"
#include "prospect/io/output_file.hpp"

namespace prospect::io {

std::string TypeWithArticle(DataType type) {
  const std::string_view name = DataTypeName(type);
  return std::string(type == DataType::kInt64 ? "an " : "a ") + std::string(name);
}

void WriteRejects(const std::string& path, const std::vector<RejectRow>& rows) {
  auto field = [](std::string& out, std::string_view text) {
    if (text.find_first_of(",\"\r\n") == std::string_view::npos && !text.empty()) {
      out += text;
      return;
    }
    if (text.empty()) return;
    out += '"';
    for (char c : text) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  };
  std::string out = "line,column,value,reason,raw\n";
  for (const auto& r : rows) {
    out += std::to_string(r.line);
    out += ',';
    field(out, r.column);
    out += ',';
    field(out, r.value);
    out += ',';
    field(out, r.reason);
    out += ',';
    field(out, r.raw);
    out += '\n';
  }
  OutputFile file(path, "the rejects file");
  file.Write(out);
  file.Commit();
}

void ReportRejects(const std::vector<RejectRow>& rejects, const ReadOptions& options,
                   ReadReport* report) {
  report->rows_rejected = static_cast<int64_t>(rejects.size());
  if (rejects.empty()) return;
  if (options.rejects_path.empty()) {
    report->warnings.push_back(
        fmt::format("{} rows were rejected; no rejects file was given", rejects.size()));
  } else if (options.private_columns.empty()) {
    WriteRejects(options.rejects_path, rejects);
    report->rejects_path = options.rejects_path;
  } else {
    std::vector<RejectRow> withheld = rejects;
    for (RejectRow& r : withheld) {
      r.raw = "(withheld: the row holds declared PII)";
      if (std::find(options.private_columns.begin(), options.private_columns.end(), r.column) !=
          options.private_columns.end())
        r.value = "(withheld: declared PII)";
    }
    WriteRejects(options.rejects_path, withheld);
    report->rejects_path = options.rejects_path;
  }
}

void WarnAboutUnknownTypedColumns(const ReadOptions& options, const std::vector<std::string>& names,
                                  const std::string& file, ReadReport* report) {
  for (const auto& [column, type] : options.types) {
    const auto& optional = options.optional_typed_columns;
    if (std::find(optional.begin(), optional.end(), column) != optional.end()) continue;
    if (std::find(names.begin(), names.end(), column) == names.end()) {
      report->warnings.push_back(fmt::format(
          "a type is declared for column \"{}\", which {} does not have", column, file));
    }
  }
}

}  // namespace prospect::io
