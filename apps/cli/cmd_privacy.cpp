// prospect pii keygen | show — the workspace's PII key and pseudonymised columns; prospect forget.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/privacy/forget.hpp"
#include "prospect/privacy/pii.hpp"

namespace prospect::cli {

void AddPrivacyCommands(CLI::App& app, Cli& cli) {
  CLI::App* pii = app.add_subcommand(
      "pii",
      "Pseudonymised PII: make a key, see which columns hold pseudonyms (ingest --pii declares "
      "them)");
  pii->require_subcommand(1);

  auto out = std::make_shared<std::string>();
  CLI::App* keygen = AddCommand(
      *pii, "keygen",
      "Write a new random PII key (64 hex digits) to a file readable only by you; keep it outside "
      "the workspace",
      R"(  prospect pii keygen --out ~/.config/prospect/pii.key
  export PROSPECT_PII_KEY_FILE=~/.config/prospect/pii.key
  prospect ingest customers customers.csv --pii email,phone
)",
      [&cli, out] {
        namespace fs = std::filesystem;
        if (fs::exists(*out)) {
          Fail(ErrorCode::kAlreadyExists,
               "{} exists: a key is not overwritten (the pseudonyms made with it would be lost); "
               "choose another path",
               *out);
        }
        if (fs::path(*out).has_parent_path()) fs::create_directories(fs::path(*out).parent_path());
        const std::string hex = PiiKey::GenerateHex();
        {
          std::ofstream file(*out);
          if (!file) Fail(ErrorCode::kIo, "cannot write {}", *out);
          ::chmod(out->c_str(), S_IRUSR | S_IWUSR);
          file << hex << "\n";
          if (!file.flush()) Fail(ErrorCode::kIo, "cannot write {}", *out);
        }
        const PiiKey key = PiiKey::FromHex(hex, *out);
        if (cli.options.json) {
          cli.PrintJson({{"key_file", *out}, {"key_id", key.id()}});
        } else {
          std::cout << "Wrote PII key " << key.id() << " to " << *out << " (mode 600).\n";
        }
      });
  keygen->add_option("--out", *out, "the key file to write (refused if it exists)")->required();

  AddWorkspaceCommand(
      *pii, cli, "show", "List the tables with PII columns, their kinds and the key id",
      R"(  prospect pii show
  prospect pii show --json
)",
      [&cli](Workspace& ws, Context&) {
        nlohmann::json doc = {{"tables", nlohmann::json::array()}};
        std::vector<std::vector<std::string>> rows;
        for (const StoredObject& o : ws.store().ListObjects(kPiiObjectKind)) {
          const PiiDeclaration d = PiiDeclaration::FromJson(o.meta);
          doc["tables"].push_back(d.ToJson());
          for (const PiiColumn& c : d.columns) {
            rows.push_back({d.table, c.name, std::string(PiiKindName(c.kind)),
                            c.sealed_column.empty() ? "-" : c.sealed_column, d.key_id});
          }
        }
        if (cli.options.json) {
          cli.PrintJson(doc);
        } else if (rows.empty()) {
          std::cout << "No PII columns declared (ingest --pii COLUMN,... declares them).\n";
        } else {
          cli.PrintTable({"table", "column", "kind", "sealed raw values", "key"}, rows);
        }
      });

  auto new_key = std::make_shared<std::string>();
  CLI::App* rotate = AddWorkspaceCommand(
      *pii, cli, "rotate",
      "Re-key the workspace: every pseudonym and sealed raw value made with the key in use is "
      "made again with a new key, in one transaction (needs sealed raw values: --pii-keep-raw)",
      R"(  prospect pii keygen --out ~/.config/prospect/pii-2027.key
  prospect pii rotate --new-key-file ~/.config/prospect/pii-2027.key
  export PROSPECT_PII_KEY_FILE=~/.config/prospect/pii-2027.key   # from now on
)",
      [&cli, new_key](Workspace& ws, Context& ctx) {
        const PiiKey from = PiiKey::Load(ws.Section("pii"), ws.dir());
        const PiiKey to = PiiKey::FromFile(*new_key, ws.dir());
        const PiiRotation r =
            RotatePiiKey(ws.store(), from, to, PhoneRegion(ws.Section("pii")), ctx);
        if (cli.options.json) {
          cli.PrintJson(r.ToJson());
          return;
        }
        std::cout << fmt::format("Re-keyed {} values in {} tables from key {} to {}.\n", r.values,
                                 r.tables.size(), r.from_key_id, r.to_key_id);
        std::cout << "Use the new key from now on (PROSPECT_PII_KEY_FILE or [pii] key_file).\n";
        if (r.suppressed_emails_kept > 0) {
          cli.Say(fmt::format(
              "{} e-mail pseudonyms of forgotten people stay under key {} (their e-mails were "
              "erased): under the new key those people are kept out by their ids only",
              r.suppressed_emails_kept, r.from_key_id));
        }
      });
  rotate->add_option("--new-key-file", *new_key, "the new key (prospect pii keygen makes one)")
      ->required();

  struct ForgetFlags {
    std::vector<std::string> ids;
    std::string ids_file;
    bool compact = false;
  };
  auto ff = std::make_shared<ForgetFlags>();
  CLI::App* forget = AddWorkspaceCommand(
      app, cli, "forget",
      "Erase people: their rows leave every table (profiles, scores, segments and events "
      "included) and every audience in one transaction; they are suppressed from later ingests, "
      "and the audit log gets a receipt that names no one",
      R"(  prospect forget 1042
  prospect forget 1042 77 9001 --compact      # also overwrite the freed pages (VACUUM)
  prospect forget --ids-file requests.txt --json
)",
      [&cli, ff](Workspace& ws, Context& ctx) {
        ForgetRequest request;
        request.ids = ff->ids;
        if (!ff->ids_file.empty()) {
          std::ifstream in(ff->ids_file);
          if (!in) Fail(ErrorCode::kNotFound, "--ids-file {} cannot be read", ff->ids_file);
          for (std::string line; std::getline(in, line);) request.ids.push_back(line);
        }
        request.id_columns = PersonIdColumns(ws);
        request.compact = ff->compact;
        const ForgetResult r = Forget(ws.store(), request, ctx);
        if (cli.options.json) {
          cli.PrintJson(r.ToJson());
          return;
        }
        std::cout << fmt::format(
            "Forgot {} people: {} rows from {} tables, {} audience versions.\n", r.people, r.rows,
            r.tables.size(), r.audience_versions);
        std::vector<std::vector<std::string>> rows;
        for (const auto& t : r.tables) rows.push_back({t.table, std::to_string(t.rows)});
        if (!rows.empty()) cli.PrintTable({"table", "rows deleted"}, rows);
        if (!r.retrain.empty())
          std::cout << "Due for retraining (fitted on their rows): " << Join(r.retrain, ", ")
                    << "\n";
        std::cout << "Receipt: audit entry " << r.receipt << "\n";
        if (!ff->compact)
          cli.Say("the store's freed pages hold the erased bytes until `prospect compact`");
      });
  forget->add_option("ID", ff->ids, "ids of the people to erase");
  forget->add_option("--ids-file", ff->ids_file, "a file of ids, one per line");
  forget->add_flag("--compact", ff->compact,
                   "then compact the store, overwriting the freed pages (SQLite VACUUM; takes "
                   "as long as copying the workspace)");

  AddWorkspaceCommand(app, cli, "compact",
                      "Compact the store: give back the space of deleted data and overwrite it "
                      "(SQLite VACUUM, PostgreSQL VACUUM), so no erased byte stays in a free page",
                      "  prospect compact\n", [&cli](Workspace& ws, Context&) {
                        ws.store().Compact();
                        if (cli.options.json) cli.PrintJson({{"compacted", true}});
                      });
}

}  // namespace prospect::cli
