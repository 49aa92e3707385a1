// prospect tables; prospect export TABLE --out FILE
#include <iostream>

#include "cli.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/io/csv.hpp"

namespace prospect::cli {

void AddTablesCommands(CLI::App& app, Cli& cli) {
  AddCommand(app, "tables", "List the workspace's tables: rows and columns with types",
             "  prospect tables\n  prospect tables --json | jq '.tables[].name'\n", [&cli] {
               Workspace ws = cli.OpenWorkspace();
               const auto tables = ws.store().ListTables();
               if (cli.options.json) {
                 nlohmann::json doc = {{"tables", nlohmann::json::array()}};
                 for (const auto& t : tables) {
                   nlohmann::json cols = nlohmann::json::array();
                   for (const auto& f : t.schema.fields()) cols.push_back({{"name", f.name}, {"type", DataTypeName(f.type)}});
                   doc["tables"].push_back({{"name", t.name},
                                            {"rows", t.rows},
                                            {"key", t.key ? nlohmann::json(*t.key) : nlohmann::json()},
                                            {"columns", cols},
                                            {"updated_at", t.updated_at}});
                 }
                 cli.PrintJson(doc);
                 return;
               }
               if (tables.empty()) {
                 std::cout << "No tables yet. Load one with: prospect ingest NAME FILE.csv\n";
                 return;
               }
               std::vector<std::vector<std::string>> rows;
               for (const auto& t : tables) {
                 std::vector<std::string> cols;
                 for (const auto& f : t.schema.fields()) cols.push_back(f.name + ":" + std::string(DataTypeName(f.type)));
                 rows.push_back({t.name, std::to_string(t.rows), Join(cols, ", ")});
               }
               cli.PrintTable({"table", "rows", "columns"}, rows);
             });

  auto table = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  CLI::App* exp = AddCommand(app, "export", "Write a table to CSV (round-trips what was ingested)",
                             "  prospect export customers --out customers.csv\n", [&cli, table, out] {
                               Workspace ws = cli.OpenWorkspace();
                               Context ctx = cli.MakeContext();
                               const Table t = ws.store().LoadTable(*table, ctx);
                               WriteCsv(t, *out, ctx);
                               if (cli.options.json) {
                                 cli.PrintJson({{"table", *table}, {"rows", t.num_rows()}, {"out", *out}});
                               } else {
                                 std::cout << "Wrote " << t.num_rows() << " rows of " << *table << " to " << *out << "\n";
                               }
                             });
  exp->add_option("TABLE", *table, "table to export")->required();
  exp->add_option("--out", *out, "CSV file to write")->required();
}

}  // namespace prospect::cli
