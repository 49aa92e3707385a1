// prospect quality TABLE [--key COL] [--top N] [--clean [--out-table NAME]]
#include <fmt/format.h>

#include <cmath>
#include <iostream>

#include "cli.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/quality/cleaning.hpp"
#include "prospect/quality/quality.hpp"

namespace prospect::cli {
namespace {

std::string Num(double x) {
  if (std::isnan(x)) return "-";
  if (x == std::floor(x) && std::fabs(x) < 1e12) return fmt::format("{:.0f}", x);
  return fmt::format("{:.5g}", x);
}

std::string Shorten(std::string text, size_t max_chars) {
  return text.size() <= max_chars ? text : text.substr(0, max_chars - 3) + "...";
}

void PrintQuality(const Cli& cli, const QualityReport& r) {
  std::cout << fmt::format("Table {}: {} rows × {} columns; {} duplicate rows", r.table, r.rows,
                           r.columns.size(), r.duplicate_rows);
  if (r.key) std::cout << fmt::format("; key {}: {} duplicate keys", *r.key, r.duplicate_keys);
  std::cout << "\n\n";

  std::vector<std::vector<std::string>> rows;
  for (const auto& c : r.columns) {
    std::string summary;
    if (c.numeric) {
      summary = c.numeric->count ? fmt::format("{} … {}, mean {}", Num(c.numeric->min),
                                               Num(c.numeric->max), Num(c.numeric->mean))
                                 : "";
    } else if (!c.min_text.empty()) {
      summary = c.min_text + " … " + c.max_text;
    } else {
      std::vector<std::string> top;
      for (size_t i = 0; i < c.top.size() && i < 3; ++i) {
        top.push_back(fmt::format("{} ({})", Shorten(c.top[i].value, 20), c.top[i].count));
      }
      summary = Join(top, ", ");
    }
    rows.push_back({c.name, std::string(DataTypeName(c.type)), std::to_string(c.missing),
                    fmt::format("{:.1f}%", c.missing_pct), std::to_string(c.distinct), summary});
  }
  cli.PrintTable({"column", "type", "missing", "missing %", "distinct", "range / top values"},
                 rows);

  rows.clear();
  for (const auto& c : r.columns) {
    if (!c.numeric || c.numeric->count == 0) continue;
    const NumericStats& s = *c.numeric;
    std::vector<std::string> row = {c.name, Num(s.min)};
    for (double q : s.quantiles) row.push_back(Num(q));
    row.insert(row.end(), {Num(s.max), Num(s.mean), Num(s.std), std::to_string(s.iqr_outliers),
                           std::to_string(s.z_outliers)});
    rows.push_back(std::move(row));
  }
  if (!rows.empty()) {
    std::cout
        << "\nNumeric columns (quantiles by linear interpolation, as pandas; std with n−1):\n";
    cli.PrintTable({"column", "min", "p1", "p5", "p25", "p50", "p75", "p95", "p99", "max", "mean",
                    "std", "IQR out", "|z|>3"},
                   rows);
  }

  rows.clear();
  for (const auto& c : r.columns) {
    if (c.top.empty()) continue;
    std::vector<std::string> top;
    for (size_t i = 0; i < c.top.size() && i < 6; ++i) {
      top.push_back(fmt::format("{} ({})", Shorten(c.top[i].value, 24), c.top[i].count));
    }
    if (c.distinct > static_cast<int64_t>(top.size()))
      top.push_back(fmt::format("… {} distinct", c.distinct));
    rows.push_back({c.name, Join(top, ", ")});
  }
  if (!rows.empty()) {
    std::cout << "\nTop values:\n";
    cli.PrintTable({"column", "most frequent (count)"}, rows);
  }

  std::cout << "\nFindings:\n";
  if (r.findings.empty())
    std::cout << "  none — no missing values, duplicates, sentinels or odd spellings found.\n";
  for (const auto& f : r.findings) {
    std::cout << (f.severity == "warning" ? "  ! " : "  - ") << f.message << "\n";
    if (!f.suggestion.empty()) std::cout << "      → " << f.suggestion << "\n";
  }
}

}  // namespace

void AddQualityCommand(CLI::App& app, Cli& cli) {
  struct Args {
    std::string table;
    std::string key;
    size_t top = 10;
    bool clean = false;
    std::string out_table;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = AddWorkspaceCommand(
      app, cli, "quality",
      "Profile a table: missing values, distinct counts, ranges, quantiles, outliers, top "
      "categories, duplicates "
      "and suspicious values; with --clean, apply the [[cleaning.TABLE]] steps of prospect.toml",
      R"(  prospect quality bank
  prospect quality customers --key customer_id --json > quality.json
  prospect quality bank --clean                 # writes bank_clean and saves the fitted recipe
  prospect quality bank --clean --out-table bank_v2
)",
      [&cli, args](Workspace& ws, Context& ctx) {
        if (!args->clean) {
          QualityOptions options;
          options.top_k = args->top;
          if (!args->key.empty()) options.key = args->key;
          const QualityReport report = ComputeQualityReport(ws.store(), args->table, options, ctx);
          if (cli.options.json) {
            cli.PrintJson(report.ToJson());
          } else {
            PrintQuality(cli, report);
          }
          return;
        }
        const nlohmann::json& section = ws.Section("cleaning");
        const CleanTableResult r =
            CleanTable(ws.store(),
                       {args->table, args->out_table,
                        section.contains(args->table) ? section[args->table] : nlohmann::json()},
                       ctx);
        if (cli.options.json) return cli.PrintJson(r.ToJson());
        const CleaningSummary& summary = r.summary;
        std::cout << fmt::format("Cleaned {} into {}: {} → {} rows ({} removed), {} columns.\n",
                                 r.table, r.out_table, summary.rows_before, summary.rows_after,
                                 summary.rows_before - summary.rows_after, r.columns);
        for (size_t i = 0; i < summary.steps.size(); ++i) {
          std::cout << fmt::format("  {}. {}\n", i + 1, summary.steps[i].description);
        }
        std::cout << fmt::format(
            "Saved the fitted recipe as cleaning/{} version {}; scoring applies the same values.\n",
            r.table, r.recipe_version);
      });
  cmd->add_option("TABLE", args->table, "table to profile")->required();
  cmd->add_option("--key", args->key,
                  "check this column for duplicate keys (default: the table's ingest key)");
  cmd->add_option("--top", args->top, "categories listed per column (default 10)")
      ->check(CLI::Range(1, 1000));
  cmd->add_flag("--clean", args->clean,
                "fit the [[cleaning.TABLE]] steps of prospect.toml, write the cleaned table and "
                "save the recipe");
  cmd->add_option("--out-table", args->out_table, "name of the cleaned table (default TABLE_clean)")
      ->needs("--clean");
}

}  // namespace prospect::cli
