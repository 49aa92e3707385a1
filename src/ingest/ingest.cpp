// Ingest orchestration: merge settings (defaults < prospect.toml < flags), read, and write the
// table plus its ingest record in one store transaction.
#include "prospect/ingest/ingest.hpp"

#include <algorithm>
#include <filesystem>
#include <unordered_set>

#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/privacy/forget.hpp"
#include "prospect/privacy/pii.hpp"

namespace prospect {
namespace fs = std::filesystem;

namespace {

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

FileFormat DetectFormat(const std::string& file) {
  std::string name = ToLower(file);
  if (EndsWith(name, ".gz")) name.resize(name.size() - 3);
  if (EndsWith(name, ".jsonl") || EndsWith(name, ".ndjson")) return FileFormat::kJsonl;
  return FileFormat::kCsv;
}

std::vector<std::string> StringList(const nlohmann::json& value, const std::string& where) {
  if (!value.is_array())
    Fail(ErrorCode::kInvalidData, "prospect.toml {}: expected a list of strings", where);
  std::vector<std::string> out;
  for (const auto& v : value) {
    if (!v.is_string())
      Fail(ErrorCode::kInvalidData, "prospect.toml {}: expected a list of strings, found {}", where,
           v.dump());
    out.push_back(v.get<std::string>());
  }
  return out;
}

DataType ParseTypeName(const std::string& name, const std::string& where) {
  const auto t = ParseDataType(name);
  if (!t) {
    const std::vector<std::string> valid = {"int64",       "double", "bool",     "string",
                                            "categorical", "date",   "timestamp"};
    Fail(ErrorCode::kInvalidArgument, "{}: unknown type \"{}\". {}Valid types: {}.", where, name,
         DidYouMean(name, valid), Join(valid, ", "));
  }
  return *t;
}

// The table's PII columns: its stored declaration's, then [tables.NAME] pii's, then --pii's. Raw
// values are kept sealed for the columns that already keep them and, when `keep_raw`, for all.
std::vector<PiiColumn> ResolvePiiColumns(const Workspace& workspace, const IngestRequest& request,
                                         const std::optional<PiiDeclaration>& stored,
                                         bool keep_raw) {
  std::vector<PiiColumn> columns;
  auto add = [&](PiiColumn column) {
    for (const PiiColumn& c : columns)
      if (c.name == column.name) return;
    if (keep_raw) column.sealed_column = column.name + "_sealed";
    columns.push_back(std::move(column));
  };
  if (stored) {
    for (const PiiColumn& c : stored->columns) {
      columns.push_back(c);
      if (keep_raw && c.sealed_column.empty()) columns.back().sealed_column = c.name + "_sealed";
    }
  }
  const nlohmann::json& tables = workspace.Section("tables");
  if (tables.contains(request.table) && tables[request.table].contains("pii")) {
    const std::string where = "[tables." + request.table + "] pii";
    for (const std::string& spec : StringList(tables[request.table]["pii"], where))
      add(ParsePiiColumn(spec));
  }
  for (const std::string& spec : request.pii) add(ParsePiiColumn(spec));
  return columns;
}

bool KeepRawPii(const Workspace& workspace, const IngestRequest& request) {
  if (request.pii_keep_raw) return *request.pii_keep_raw;
  const nlohmann::json& pii = workspace.Section("pii");
  if (!pii.contains("keep_raw")) return false;
  if (!pii["keep_raw"].is_boolean())
    Fail(ErrorCode::kInvalidData, "prospect.toml [pii] keep_raw: expected true or false");
  return pii["keep_raw"].get<bool>();
}

// Every declared column is in the file, and no sealed column's name is taken by one.
void CheckPiiColumns(const std::vector<PiiColumn>& columns, const Table& table,
                     const std::string& file) {
  for (const PiiColumn& c : columns) {
    if (!table.HasColumn(c.name)) {
      Fail(ErrorCode::kNotFound, "PII column \"{}\" is not in {}. {}Its columns: {}.", c.name, file,
           DidYouMean(c.name, table.schema().Names()), Join(table.schema().Names(), ", "));
    }
    if (!c.sealed_column.empty() && table.HasColumn(c.sealed_column)) {
      Fail(ErrorCode::kInvalidArgument,
           "{} has a column \"{}\", the name the sealed raw values of PII column \"{}\" take; "
           "rename it",
           file, c.sealed_column, c.name);
    }
  }
}

Table RenameColumns(const Table& table, const std::vector<ColumnRename>& rename,
                    const std::string& file) {
  std::vector<Field> fields = table.schema().fields();
  for (const ColumnRename& r : rename) {
    auto field = std::find_if(fields.begin(), fields.end(),
                              [&](const Field& f) { return f.name == r.from; });
    if (field == fields.end()) {
      if (r.optional) continue;
      Fail(ErrorCode::kInvalidData, "{}: no column \"{}\" to store as {}; the file's columns: {}",
           file, r.from, r.to, Join(table.schema().Names(), ", "));
    }
    field->name = r.to;
  }
  std::unordered_set<std::string> seen;
  for (const Field& f : fields) {
    if (!seen.insert(f.name).second)
      Fail(ErrorCode::kInvalidData,
           "{}: two columns would be stored as {} (a mapped column and one named so already)", file,
           f.name);
  }
  return Table(Schema(std::move(fields)), table.columns());
}

}  // namespace

FileFormat ParseFileFormat(const std::string& name) {
  if (name == "csv" || name == "tsv") return FileFormat::kCsv;
  if (name == "jsonl") return FileFormat::kJsonl;
  Fail(ErrorCode::kInvalidArgument, "--format {}: unknown format. Valid formats: csv, jsonl.",
       QuoteForMessage(name));
}

char ParseDelimiter(const std::string& text) {
  if (text == "\\t" || text == "tab" || text == "\t") return '\t';
  if (text.size() == 1 && text[0] != '"' && text[0] != '\n' && text[0] != '\r') return text[0];
  Fail(ErrorCode::kInvalidArgument, "--delimiter {}: expected one character such as , ; | or tab",
       QuoteForMessage(text));
}

char ParseDecimal(const std::string& text) {
  if (text == "." || text == ",") return text[0];
  Fail(ErrorCode::kInvalidArgument, "decimal separator {}: expected \".\" or \",\"",
       QuoteForMessage(text));
}

ReadOptions ResolveReadOptions(const Workspace& workspace, const IngestRequest& request) {
  ReadOptions options;
  const nlohmann::json& ingest = workspace.Section("ingest");
  if (ingest.contains("null_values"))
    options.null_values = StringList(ingest["null_values"], "[ingest] null_values");
  if (ingest.contains("sample_rows")) {
    const auto& v = ingest["sample_rows"];
    if (!v.is_number_integer() || v.get<int64_t>() < 1) {
      Fail(ErrorCode::kInvalidData,
           "prospect.toml [ingest] sample_rows: expected a positive integer, found {}", v.dump());
    }
    options.sample_rows = v.get<size_t>();
  }
  const nlohmann::json& tables = workspace.Section("tables");
  if (tables.contains(request.table)) {
    const nlohmann::json& t = tables[request.table];
    const std::string where = "[tables." + request.table + "]";
    if (t.contains("delimiter"))
      options.delimiter = ParseDelimiter(t["delimiter"].get<std::string>());
    if (t.contains("decimal")) {
      if (!t["decimal"].is_string())
        Fail(ErrorCode::kInvalidData, "prospect.toml {} decimal: expected \".\" or \",\"", where);
      options.decimal = ParseDecimal(t["decimal"].get<std::string>());
    }
    if (t.contains("strict_quotes")) {
      if (!t["strict_quotes"].is_boolean()) {
        Fail(ErrorCode::kInvalidData, "prospect.toml {} strict_quotes: expected true or false",
             where);
      }
      options.strict_quotes = t["strict_quotes"].get<bool>();
    }
    if (t.contains("null_values")) {
      for (auto& v : StringList(t["null_values"], where + " null_values"))
        options.null_values.push_back(v);
    }
    if (t.contains("encoding")) {
      const std::string e = t["encoding"].get<std::string>();
      if (e != "utf8" && e != "latin1") {
        Fail(ErrorCode::kInvalidData, "prospect.toml {} encoding: \"{}\" is not utf8 or latin1",
             where, e);
      }
      options.encoding = e == "latin1" ? TextEncoding::kLatin1 : TextEncoding::kUtf8;
    }
    if (t.contains("types")) {
      if (!t["types"].is_object())
        Fail(ErrorCode::kInvalidData,
             "prospect.toml {} types: expected a table of column = \"type\"", where);
      for (const auto& [column, type] : t["types"].items()) {
        if (!type.is_string())
          Fail(ErrorCode::kInvalidData, "prospect.toml {} types.{}: expected a type name", where,
               column);
        options.types[column] =
            ParseTypeName(type.get<std::string>(), "prospect.toml " + where + " types." + column);
      }
    }
  }
  if (request.delimiter) options.delimiter = *request.delimiter;
  if (request.decimal) options.decimal = *request.decimal;
  if (request.strict_quotes) options.strict_quotes = *request.strict_quotes;
  for (const auto& v : request.extra_null_values) options.null_values.push_back(v);
  if (request.encoding) options.encoding = *request.encoding;
  for (const auto& [column, type] : request.types) options.types[column] = type;
  options.on_error = request.on_error;
  return options;
}

IngestResult Ingest(const Workspace& workspace, const IngestRequest& request, const Context& ctx) {
  Store::CheckTableName(request.table);
  if (!fs::exists(request.file)) Fail(ErrorCode::kNotFound, "file {} does not exist", request.file);
  if (fs::is_directory(request.file))
    Fail(ErrorCode::kInvalidArgument, "{} is a folder, not a file", request.file);
  Store& store = workspace.store();
  const auto existing = store.FindTable(request.table);
  if (existing && !request.mode) {
    Fail(ErrorCode::kAlreadyExists,
         "table {} already exists ({} rows). Possible fixes: --mode append to add rows, --mode "
         "replace to overwrite it",
         request.table, existing->rows);
  }
  const WriteMode mode = request.mode.value_or(WriteMode::kReplace);

  // Declared PII is replaced by pseudonyms before anything reaches the store.
  const auto stored_pii = existing ? FindPiiDeclaration(store, request.table) : std::nullopt;
  const bool appending = existing && mode == WriteMode::kAppend;
  const std::vector<PiiColumn> pii = ResolvePiiColumns(
      workspace, request, stored_pii, !appending && KeepRawPii(workspace, request));
  std::optional<PiiKey> key;
  if (!pii.empty()) {
    key = PiiKey::Load(workspace.Section("pii"), workspace.dir());
    if (stored_pii && stored_pii->key_id != key->id()) {
      Fail(ErrorCode::kInvalidArgument,
           "table {} holds pseudonyms made with PII key {}, but the key in use is {}: use that "
           "key, or re-key the workspace with `prospect pii rotate`",
           request.table, stored_pii->key_id, key->id());
    }
  }

  ReadOptions options = ResolveReadOptions(workspace, request);
  if (appending) {
    // Parse the new rows with the stored types so they line up with the table.
    for (const auto& f : existing->schema.fields()) {
      const bool sealed = std::any_of(
          pii.begin(), pii.end(), [&](const PiiColumn& c) { return c.sealed_column == f.name; });
      if (!sealed) options.types.emplace(f.name, f.type);
    }
  }
  for (const auto& [column, type] : request.default_types) {
    if (options.types.emplace(column, type).second)
      options.optional_typed_columns.push_back(column);
  }
  for (const PiiColumn& c : pii) {
    options.types[c.name] = DataType::kString;
    options.private_columns.push_back(c.name);
  }
  for (const ColumnRename& r : request.rename) {
    // The reader sees the file's header: types given for a table column apply to its source.
    if (auto type = options.types.find(r.to); type != options.types.end()) {
      const DataType t = type->second;
      options.types.erase(type);
      options.types[r.from] = t;
    }
    for (auto* names : {&options.optional_typed_columns, &options.private_columns})
      std::replace(names->begin(), names->end(), r.to, r.from);
  }
  IngestResult result;
  result.table = request.table;
  result.rejects_path = request.rejects_path.empty()
                            ? workspace.Path("rejects/" + request.table + ".csv")
                            : request.rejects_path;
  if (options.on_error == OnError::kReject) {
    fs::create_directories(fs::path(result.rejects_path).parent_path());
    options.rejects_path = result.rejects_path;
  }
  const FileFormat format =
      request.format == FileFormat::kAuto ? DetectFormat(request.file) : request.format;
  ReadReport report;
  Table table = format == FileFormat::kJsonl ? ReadJsonl(request.file, options, ctx, &report)
                                             : ReadCsv(request.file, options, ctx, &report);
  if (!request.rename.empty()) table = RenameColumns(table, request.rename, request.file);
  if (key) {
    CheckPiiColumns(pii, table, request.file);
    table = PseudonymiseTable(table, pii, *key, PhoneRegion(workspace.Section("pii")), ctx);
  }
  // People the workspace has forgotten stay out.
  const SuppressionList suppressed = SuppressionList::Load(store);
  const PiiDeclaration declared{request.table, key ? key->id() : "", pii};
  table = suppressed.DropSuppressed(table, PersonIdColumns(workspace), &declared,
                                    &result.rows_suppressed);
  IngestRecord record;
  record.table = request.table;
  record.source = request.file;
  record.mode = mode == WriteMode::kAppend ? "append" : "replace";
  record.rows_read = report.rows_read;
  record.rows_rejected = report.rows_rejected;
  WriteOptions write;
  write.mode = mode;
  write.key = request.key;
  write.history = record;
  if (key) {
    // The table and its PII declaration together: a table of pseudonyms is never left without
    // the declaration that makes later appends pseudonymise too.
    store.RunInTransaction([&] {
      store.WriteTable(request.table, table, write, ctx);
      if (!stored_pii || stored_pii->ToJson() != declared.ToJson())
        SavePiiDeclaration(store, declared);
    });
  } else {
    store.WriteTable(request.table, table, write, ctx);
  }

  const auto info = store.FindTable(request.table);
  const auto history = store.IngestHistory(request.table);
  PROSPECT_CHECK(info.has_value() && !history.empty());
  result.rows_read = report.rows_read;
  result.rows_loaded = history.back().rows_loaded;
  result.rows_rejected = report.rows_rejected;
  result.rows_deduplicated = history.back().rows_deduplicated;
  result.table_rows = info->rows;
  result.schema = info->schema;
  result.blank_cells_as_null = report.blank_cells_as_null;
  result.literal_quote_fields = report.literal_quote_fields;
  result.warnings = report.warnings;
  if (result.rows_rejected == 0) result.rejects_path.clear();
  for (const PiiColumn& c : pii) {
    result.pseudonymised.push_back(c.name);
    if (!c.sealed_column.empty()) result.sealed.push_back(c.sealed_column);
  }
  std::string detail =
      fmt::format("table={} rows={} mode={}", request.table, result.rows_loaded, record.mode);
  if (key) {
    result.pii_key_id = key->id();
    detail += fmt::format(" pii={} key={}", Join(result.pseudonymised, ","), key->id());
  }
  store.Audit("ingest", detail);
  return result;
}

nlohmann::json IngestResult::ToJson() const {
  const nlohmann::json columns = schema.ToJson();
  return {{"table", table},
          {"rows_read", rows_read},
          {"rows_loaded", rows_loaded},
          {"rows_rejected", rows_rejected},
          {"rows_deduplicated", rows_deduplicated},
          {"rows_suppressed", rows_suppressed},
          {"table_rows", table_rows},
          {"rejects", rejects_path.empty() ? nlohmann::json() : nlohmann::json(rejects_path)},
          {"blank_cells_as_null", blank_cells_as_null},
          {"literal_quote_fields", literal_quote_fields},
          {"columns", columns},
          {"warnings", warnings},
          {"pseudonymised", pseudonymised},
          {"sealed", sealed},
          {"pii_key_id", pii_key_id.empty() ? nlohmann::json() : nlohmann::json(pii_key_id)}};
}

}  // namespace prospect
