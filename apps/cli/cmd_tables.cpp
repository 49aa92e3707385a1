// prospect tables; prospect export TABLE --out FILE; prospect sql "SELECT ..."
#include <fmt/format.h>

#include <iostream>

#include "cli.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/io/csv.hpp"

namespace prospect::cli {

void AddTablesCommands(CLI::App& app, Cli& cli) {
  auto name = std::make_shared<std::string>();
  CLI::App* tables = AddCommand(
      app, "tables",
      "List the workspace's tables: rows and columns with types (one table's columns with NAME)",
      R"(  prospect tables
  prospect tables bank            # every column of one table, one a line
  prospect tables --json | jq '.tables[].name'
)",
      [&cli, name] {
        Workspace ws = cli.OpenWorkspace();
        auto tables = ws.store().ListTables();
        if (!name->empty()) {
          // An unknown name gets the store's not-found error (with its suggestions).
          if (!ws.store().FindTable(*name)) ws.store().LoadTable(*name, cli.MakeContext());
          std::erase_if(tables, [&](const auto& t) { return t.name != *name; });
        }
        if (cli.options.json) {
          nlohmann::json doc = {{"tables", nlohmann::json::array()}};
          for (const auto& t : tables) doc["tables"].push_back(t.ToJson());
          cli.PrintJson(doc);
          return;
        }
        if (tables.empty()) {
          std::cout << "No tables yet. Load one with: prospect ingest NAME FILE.csv\n";
          return;
        }
        if (!name->empty()) {  // one table: a line per column
          std::vector<std::vector<std::string>> rows;
          const auto& t = tables.front();
          for (const auto& f : t.schema.fields()) {
            rows.push_back({f.name, std::string(DataTypeName(f.type)),
                            t.key && *t.key == f.name ? "key" : ""});
          }
          std::cout << t.name << ": " << t.rows << " rows, " << t.schema.fields().size()
                    << " columns\n";
          cli.PrintTable({"column", "type", ""}, rows);
          return;
        }
        // A wide table's schema would be one line of thousands of characters: show its first
        // columns within a line's width and say how to see the rest.
        constexpr size_t kColumnsWidth = 80;
        std::vector<std::vector<std::string>> rows;
        bool cut = false;
        for (const auto& t : tables) {
          const auto& fields = t.schema.fields();
          std::string shown;
          size_t n = 0;
          for (; n < fields.size(); ++n) {
            const std::string part =
                fields[n].name + ":" + std::string(DataTypeName(fields[n].type));
            if (n > 0 && DisplayWidth(shown) + DisplayWidth(part) + 2 > kColumnsWidth) break;
            shown += (n ? ", " : "") + part;
          }
          if (n < fields.size()) {
            shown += fmt::format(", … ({} more)", fields.size() - n);
            cut = true;
          }
          rows.push_back({t.name, std::to_string(t.rows), std::to_string(fields.size()), shown});
        }
        cli.PrintTable({"table", "rows", "cols", "columns"}, rows);
        if (cut) std::cout << "All of a table's columns: prospect tables NAME\n";
      });
  tables->add_option("NAME", *name, "show every column of this table");

  auto table = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  CLI::App* exp = AddCommand(
      app, "export", "Write a table to CSV (round-trips what was ingested)",
      R"(  prospect export customers --out customers.csv
  prospect export customers --out - | head     # - is standard output
)",
      [&cli, table, out] {
        const bool to_stdout = *out == "-";
        if (to_stdout && cli.options.json) {
          Fail(ErrorCode::kInvalidArgument,
               "--out - writes the CSV to standard output, where --json would write its "
               "document too. Possible fix: drop --json, or name a file.");
        }
        Workspace ws = cli.OpenWorkspace();
        Context ctx = cli.MakeContext();
        const Table t = ws.store().LoadTable(*table, ctx);
        WriteCsv(t, *out, ctx);
        if (cli.options.json) {
          cli.PrintJson({{"table", *table}, {"rows", t.num_rows()}, {"out", *out}});
        } else if (to_stdout) {
          cli.Say(fmt::format("Wrote {} rows of {} to standard output", t.num_rows(), *table));
        } else {
          std::cout << "Wrote " << t.num_rows() << " rows of " << *table << " to " << *out << "\n";
        }
      });
  exp->add_option("TABLE", *table, "table to export")->required();
  exp->add_option("--out", *out, "CSV file to write (- for standard output)")->required();

  auto query = std::make_shared<std::string>();
  auto sql_out = std::make_shared<std::string>();
  auto max_rows = std::make_shared<size_t>(100);
  CLI::App* sql = AddWorkspaceCommand(
      app, cli, "sql",
      "Answer a read-only SQL query (SQLite's dialect) over the workspace's tables, each under its "
      "own name",
      R"(  prospect sql "SELECT event_type, count(*) FROM events GROUP BY 1 ORDER BY 2 DESC"
  prospect sql "SELECT c.country, avg(p.monetary) FROM profiles p JOIN customers c USING (customer_id) GROUP BY 1"
  prospect sql "SELECT * FROM events WHERE amount > 100" --out big_events.csv   # every row to CSV
  prospect sql "SELECT date(timestamp) AS day, count(*) FROM events GROUP BY day" --json
Dates read as 'YYYY-MM-DD' and timestamps as 'YYYY-MM-DD HH:MM:SS' text, so date() and strftime()
apply; booleans read as 0 and 1.
)",
      [&cli, query, sql_out, max_rows](Workspace& ws, Context& ctx) {
        const Table result = ws.store().Query(*query, ctx);
        if (!sql_out->empty()) {
          WriteCsv(result, *sql_out, ctx);
          if (cli.options.json) {
            cli.PrintJson({{"rows", result.num_rows()}, {"out", *sql_out}});
          } else {
            std::cout << "Wrote " << result.num_rows() << " rows to " << *sql_out << "\n";
          }
          return;
        }
        const size_t shown = std::min(result.num_rows(), *max_rows);
        if (cli.options.json) {
          cli.PrintJson({{"columns", result.schema().ToJson()},
                         {"row_count", result.num_rows()},
                         {"rows", RowsToJson(result, shown)},
                         {"truncated", shown < result.num_rows()}});
          return;
        }
        std::vector<std::vector<std::string>> rows(shown);
        for (size_t r = 0; r < shown; ++r) {
          for (const ColumnPtr& c : result.columns())
            rows[r].push_back(c->IsNull(r) ? "NULL" : c->FormatValue(r));
        }
        cli.PrintTable(result.schema().Names(), rows);
        if (shown < result.num_rows()) {
          std::cout << fmt::format(
              "… {} more rows ({} in all): --max-rows N shows more, --out "
              "FILE.csv writes every row\n",
              result.num_rows() - shown, result.num_rows());
        } else {
          std::cout << "(" << result.num_rows()
                    << (result.num_rows() == 1 ? " row)\n" : " rows)\n");
        }
      });
  sql->add_option("QUERY", *query, "one SELECT (or WITH ... SELECT) statement")->required();
  sql->add_option("--out", *sql_out, "write every row of the answer to this CSV file");
  sql->add_option("--max-rows", *max_rows, "rows to print or put in --json (default 100)")
      ->check(CLI::PositiveNumber);
}

}  // namespace prospect::cli
