// prospect ingest TABLE FILE [...]
#include <iostream>

#include "cli.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/ingest/ingest.hpp"

namespace prospect::cli {
namespace {

struct IngestFlags {
  std::string table, file, format, delimiter, mode, on_error = "fail", key, encoding, rejects,
                                                    decimal;
  bool strict_quotes = false, pii_keep_raw = false;
  std::vector<std::string> nulls, types, pii;
};

IngestRequest ToRequest(const IngestFlags& f) {
  IngestRequest r;
  r.table = f.table;
  r.file = f.file;
  if (!f.format.empty()) r.format = ParseFileFormat(f.format);
  if (!f.delimiter.empty()) r.delimiter = ParseDelimiter(f.delimiter);
  r.extra_null_values = f.nulls;
  if (!f.mode.empty()) r.mode = f.mode == "append" ? WriteMode::kAppend : WriteMode::kReplace;
  r.on_error = f.on_error == "reject" ? OnError::kReject : OnError::kFail;
  if (!f.key.empty()) r.key = f.key;
  if (!f.encoding.empty())
    r.encoding = f.encoding == "latin1" ? TextEncoding::kLatin1 : TextEncoding::kUtf8;
  r.rejects_path = f.rejects;
  if (!f.decimal.empty()) r.decimal = ParseDecimal(f.decimal);
  if (f.strict_quotes) r.strict_quotes = true;
  r.pii = f.pii;
  if (f.pii_keep_raw) r.pii_keep_raw = true;
  for (const auto& spec : f.types) {
    const size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0) {
      Fail(ErrorCode::kInvalidArgument,
           "--type {}: expected COLUMN=TYPE, for example --type zip=string", QuoteForMessage(spec));
    }
    const std::string type = spec.substr(eq + 1);
    const auto t = ParseDataType(type);
    if (!t) {
      const std::vector<std::string> valid = {"int64",       "double", "bool",     "string",
                                              "categorical", "date",   "timestamp"};
      Fail(ErrorCode::kInvalidArgument, "--type {}: unknown type \"{}\". {}Valid types: {}.", spec,
           type, DidYouMean(type, valid), Join(valid, ", "));
    }
    r.types[spec.substr(0, eq)] = *t;
  }
  return r;
}

}  // namespace

void AddIngestCommand(CLI::App& app, Cli& cli) {
  auto f = std::make_shared<IngestFlags>();
  CLI::App* cmd = AddWorkspaceCommand(
      app, cli, "ingest",
      "Load a CSV/TSV/JSONL file (optionally .gz) into a table, whole or not at all",
      R"(  prospect ingest customers customers.csv
  prospect ingest bank bank-full.csv --delimiter ';' --null unknown
  prospect ingest events events.jsonl.gz --mode append --key event_id
  prospect ingest leads leads.csv --on-error reject      # bad rows go to rejects/leads.csv
  prospect ingest shop shop.csv --type zip=string --encoding latin1
  prospect ingest sales ventes.csv --delimiter ';' --decimal ,   # 1,5 is 1.5
  PROSPECT_PII_KEY_FILE=~/pii.key prospect ingest customers customers.csv --pii email,phone
)",
      [&cli, f](Workspace& ws, Context& ctx) {
        const IngestResult r = Ingest(ws, ToRequest(*f), ctx);
        if (cli.options.json) {
          cli.PrintJson(r.ToJson());
          return;
        }
        for (const auto& w : r.warnings) ctx.logger().warn("{}", w);
        std::cout << "Loaded " << r.rows_loaded << " rows into " << r.table << " (" << r.table_rows
                  << " rows, " << r.schema.size() << " columns).\n";
        if (r.rows_deduplicated)
          std::cout << r.rows_deduplicated << " rows replaced by a later row with the same key.\n";
        if (r.rows_rejected)
          std::cout << r.rows_rejected << " bad rows rejected; reasons in " << r.rejects_path
                    << "\n";
        if (r.blank_cells_as_null) {
          std::cout << r.blank_cells_as_null
                    << " blank cells (spaces only) in non-text columns read as null.\n";
        }
        if (r.literal_quote_fields) {
          std::cout << r.literal_quote_fields
                    << " unquoted fields hold a quote character, read as text (--strict-quotes "
                       "makes that an error).\n";
        }
        if (!r.pseudonymised.empty()) {
          std::cout << "Pseudonymised " << Join(r.pseudonymised, ", ") << " with PII key "
                    << r.pii_key_id << "."
                    << (r.sealed.empty() ? ""
                                         : " Raw values sealed in " + Join(r.sealed, ", ") + ".")
                    << "\n";
        }
        std::vector<std::vector<std::string>> rows;
        for (const auto& field : r.schema.fields())
          rows.push_back({field.name, std::string(DataTypeName(field.type))});
        cli.PrintTable({"column", "type"}, rows);
      });
  cmd->add_option("TABLE", f->table, "table name (a letter or _, then letters, digits, _)")
      ->required();
  cmd->add_option("FILE", f->file, "file to read: .csv, .tsv, .jsonl, optionally .gz")->required();
  cmd->add_option("--format", f->format, "csv or jsonl (default: from the file name)")
      ->check(CLI::IsMember({"csv", "jsonl"}));
  cmd->add_option("--delimiter", f->delimiter, "field delimiter: , ; | tab (default: detected)");
  cmd->add_option("--null", f->nulls,
                  "a cell text meaning null, added to prospect.toml's list (repeatable)");
  cmd->add_option("--mode", f->mode, "append or replace (required when the table exists)")
      ->check(CLI::IsMember({"append", "replace"}));
  cmd->add_option("--on-error", f->on_error,
                  "fail (default) or reject: bad rows go to a rejects file")
      ->check(CLI::IsMember({"fail", "reject"}));
  cmd->add_option("--key", f->key, "primary-key column: rows are unique on it, later rows win");
  cmd->add_option("--encoding", f->encoding, "utf8 (default) or latin1")
      ->check(CLI::IsMember({"utf8", "latin1"}));
  cmd->add_option("--type", f->types, "column type override COLUMN=TYPE (repeatable)");
  cmd->add_option("--rejects", f->rejects, "rejects file (default WORKSPACE/rejects/TABLE.csv)");
  cmd->add_option("--decimal", f->decimal,
                  "decimal separator of numbers: . (default) or , (then 1,5 is 1.5)")
      ->check(CLI::IsMember({".", ","}));
  cmd->add_flag(
      "--strict-quotes", f->strict_quotes,
      "a quote inside an unquoted field is an error (default: read as a literal character)");
  cmd->add_option("--pii", f->pii,
                  "PII columns, replaced by keyed pseudonyms before they are stored: COLUMN or "
                  "COLUMN=KIND (email, phone, name, address, text), comma-separated")
      ->delimiter(',');
  cmd->add_flag("--pii-keep-raw", f->pii_keep_raw,
                "also keep the raw PII values, sealed (encrypted) in COLUMN_sealed, for exports");
}

}  // namespace prospect::cli
