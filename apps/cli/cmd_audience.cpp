// prospect audience save | list | show | export — saved audiences and their ad-platform files.
#include <iostream>

#include "cli.hpp"
#include "prospect/audience/audience.hpp"
#include "prospect/common/error.hpp"

namespace prospect::cli {

void AddAudienceCommands(CLI::App& app, Cli& cli) {
  CLI::App* audience = app.add_subcommand(
      "audience",
      "Saved audiences: customers chosen by a table and a condition, a top N or an SQL query, "
      "versioned with their size history, exported for Google Customer Match or Meta Custom "
      "Audiences with normalised, hashed identifiers");
  audience->require_subcommand(1);

  auto sr = std::make_shared<AudienceSaveRequest>();
  CLI::App* save = AddWorkspaceCommand(
      *audience, cli, "save",
      "Save the customers a table and condition (or a query) select as a new version of audience "
      "NAME",
      R"(  prospect audience save loyal --table customers --where "loyalty_member = 1"
  prospect audience save at_risk --table churn_scores --where "churn_probability > 0.7"
  prospect audience save top_clv --table clv_predictions --order-by clv --top 5000
  prospect audience save lookalikes --table lookalike_profiles
  prospect audience save recent --sql "SELECT DISTINCT customer_id FROM orders WHERE order_date >= '2026-01-01'"
)",
      [&cli, sr](Workspace& ws, Context& ctx) {
        const AudienceVersion v = SaveAudience(ws.store(), *sr, ctx);
        if (cli.options.json) return cli.PrintJson(v.ToJson());
        std::cout << fmt::format("audience {} version {}: {} customers\n", v.name, v.version,
                                 v.size);
      });
  save->add_option("NAME", sr->name, "the audience's name")->required();
  save->add_option("--table", sr->table, "the customers of this table (its id column)");
  save->add_option("--where", sr->where, "an SQL condition on the table's rows");
  save->add_option("--order-by", sr->order_by, "with --top: rank by this column, highest first");
  save->add_option("--top", sr->top, "only the first N rows")->check(CLI::PositiveNumber);
  save->add_option("--id", sr->id_column,
                   "the id column (default: the table's key, else customer_id, else the first)");
  save->add_option("--sql", sr->sql, "a read-only SQL query whose first column holds the ids");

  CLI::App* list = AddWorkspaceCommand(
      *audience, cli, "list", "List the saved audiences: latest version, size, when",
      "  prospect audience list\n  prospect audience list --json\n",
      [&cli](Workspace& ws, Context&) {
        nlohmann::json doc = {{"audiences", nlohmann::json::array()}};
        std::vector<std::vector<std::string>> rows;
        for (const AudienceVersion& a : ListAudiences(ws.store())) {
          doc["audiences"].push_back(a.ToJson());
          rows.push_back({a.name, std::to_string(a.version), std::to_string(a.size), a.created_at});
        }
        if (cli.options.json) return cli.PrintJson(doc);
        if (rows.empty()) {
          std::cout << "No audiences yet. Save one with: prospect audience save NAME --table T\n";
          return;
        }
        cli.PrintTable({"audience", "version", "customers", "saved (UTC)"}, rows);
      });
  (void)list;

  auto show_name = std::make_shared<std::string>();
  CLI::App* show = AddWorkspaceCommand(
      *audience, cli, "show", "An audience's versions: how its size changed and how it was made",
      "  prospect audience show loyal\n  prospect audience show loyal --json\n",
      [&cli, show_name](Workspace& ws, Context&) {
        const std::vector<AudienceVersion> history = AudienceHistory(ws.store(), *show_name);
        nlohmann::json doc = {{"name", *show_name}, {"versions", nlohmann::json::array()}};
        std::vector<std::vector<std::string>> rows;
        for (const AudienceVersion& v : history) {
          doc["versions"].push_back(v.ToJson());
          rows.push_back(
              {std::to_string(v.version), std::to_string(v.size), v.created_at, v.source.dump()});
        }
        if (cli.options.json) return cli.PrintJson(doc);
        cli.PrintTable({"version", "customers", "saved (UTC)", "source"}, rows);
      });
  show->add_option("NAME", *show_name, "the audience")->required();

  struct ExportFlags {
    AudienceExportRequest request;
    std::string platform;
    std::vector<std::string> columns;
  };
  auto ef = std::make_shared<ExportFlags>();
  CLI::App* exp = AddWorkspaceCommand(
      *audience, cli, "export",
      "Write an audience as an ad platform's upload file: identifiers from the contacts table, "
      "normalised and SHA-256 hashed as Google Customer Match or Meta Custom Audiences expect",
      R"(  prospect audience export loyal --platform google --out loyal_google.csv
  prospect audience export loyal --platform meta --out loyal_meta.csv --country FR
  prospect audience export loyal --platform google --out - --contacts crm_people --column phone=mobile_no
)",
      [&cli, ef](Workspace& ws, Context& ctx) {
        AudienceExportRequest r = ef->request;
        r.platform = ParseAdPlatform(ef->platform);
        const nlohmann::json columns = ParamFlags(ef->columns, "email=work_email", "--column");
        for (const auto& [identifier, column] : columns.items())
          r.columns[identifier] = column.get<std::string>();
        std::optional<PiiKey> key;  // pseudonymised contacts are exported from their sealed values
        if (FindPiiDeclaration(ws.store(), r.contacts)) {
          key = PiiKey::Load(ws.Section("pii"), ws.dir());
          r.key = &*key;
        }
        const AudienceExportResult out = ExportAudience(ws.store(), r, ctx);
        if (cli.options.json) {
          if (r.out != "-") cli.PrintJson(out.ToJson());
          return;
        }
        cli.Say(fmt::format(
            "audience {} version {}: {} of {} customers written to {} for {} ({} not in table {}, "
            "{} without a usable identifier)",
            out.name, out.version, out.exported, out.members, out.out, out.platform,
            out.not_in_contacts, r.contacts, out.without_identifier));
        for (const IdentifierCoverage& c : out.coverage) {
          cli.Say(fmt::format("  {:<12} column {:<14} {} present, {} valid", c.identifier, c.column,
                              c.present, c.valid));
        }
      });
  exp->add_option("NAME", ef->request.name, "the audience")->required();
  exp->add_option("--platform", ef->platform, "google or meta")->required();
  exp->add_option("--out", ef->request.out, "the upload file (CSV), - for standard output")
      ->required();
  exp->add_option("--version", ef->request.version, "an earlier version (default: the latest)");
  exp->add_option("--contacts", ef->request.contacts,
                  "the table with e-mails, phones, names (default customers)");
  exp->add_option("--contacts-id", ef->request.contacts_id, "its id column");
  exp->add_option("--column", ef->columns,
                  "IDENTIFIER=COLUMN where the usual names do not fit (email, phone, first_name, "
                  "last_name, country, postal_code)");
  exp->add_option("--country", ef->request.default_country,
                  "ISO country code for phone numbers written without one and no country column");
}

}  // namespace prospect::cli
