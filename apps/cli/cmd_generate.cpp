// prospect generate --customers N --seed S --out DIR: sample data with known ground truth.
#include <fmt/format.h>

#include <iostream>

#include "cli.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/stopwatch.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/generate/generate.hpp"

namespace prospect::cli {
namespace {

struct GenerateFlags {
  int64_t customers = GenerateParams{}.customers;
  std::string out;
  std::vector<std::string> params;
};

}  // namespace

void AddGenerateCommand(CLI::App& app, Cli& cli) {
  auto f = std::make_shared<GenerateFlags>();
  CLI::App* cmd = AddCommand(
      app, "generate",
      "Write a realistic linked sample dataset (customers, items, events, orders, a campaign, an "
      "A/B test) "
      "with its ground truth as CSV files",
      "  prospect generate --customers 10000 --seed 1 --out sample\n"
      "  prospect generate --customers 1000000 --out big --param sessions_per_week=0.1\n"
      "  prospect generate --customers 5000 --out ab --param experiment_lift=0.05 --param "
      "end_date=2025-12-31\n"
      "Parameters for --param (docs/user/generate.md): " +
          Join(GenerateParams::Schema().Names(), ", ") + "\n",
      [&cli, f] {
        GenerateParams params;
        params.customers = f->customers;
        if (cli.options.seed > static_cast<uint64_t>(INT64_MAX)) {
          Fail(ErrorCode::kOutOfRange, "--seed {}: the generator takes seeds from 0 to {}",
               cli.options.seed, INT64_MAX);
        }
        params.seed = static_cast<int64_t>(cli.options.seed);
        // --param comes last, so it can set any parameter (including customers and seed).
        const auto& schema = GenerateParams::Schema();
        schema.SetFromJson(params, ParamFlags(f->params, "items=5000"));
        Context ctx = cli.MakeContext();
        const Stopwatch watch;
        const GenerateSummary summary = Generate(params, f->out, ctx);
        const double seconds = watch.Seconds();
        if (cli.options.json) {
          nlohmann::json files = nlohmann::json::array();
          for (const auto& file : summary.files) {
            files.push_back({{"name", file.name},
                             {"path", file.path},
                             {"rows", file.rows},
                             {"columns", file.columns}});
          }
          cli.PrintJson({{"out", f->out},
                         {"customers", params.customers},
                         {"seed", params.seed},
                         {"seconds", seconds},
                         {"files", files},
                         {"truth", summary.truth}});
          return;
        }
        std::vector<std::vector<std::string>> rows;
        for (const auto& file : summary.files) {
          rows.push_back({file.name, file.name.ends_with(".csv") ? std::to_string(file.rows) : "-",
                          file.columns.empty() ? "-" : std::to_string(file.columns.size())});
        }
        cli.PrintTable({"file", "rows", "columns"}, rows);
        std::cout << fmt::format(
            "\nWrote {} customers (seed {}) to {} in {:.1f} s. The ground truth is alongside: "
            "ground_truth.csv "
            "(per customer: segment, λ, p, alive, 30-day propensity, uplift) and ground_truth.json "
            "(BG/NBD, "
            "Gamma-Gamma, campaign and experiment truth). See docs/user/generate.md.\n",
            params.customers, params.seed, f->out, seconds);
      });
  cmd->add_option("--customers", f->customers, "number of customers (default 10000)")
      ->check(CLI::Range(int64_t{1}, int64_t{100'000'000}));
  cmd->add_option("--out", f->out,
                  "output folder (created if missing; files of the same names are replaced)")
      ->required();
  cmd->add_option("--param", f->params, "set a generator parameter, NAME=VALUE (repeatable)");
}

}  // namespace prospect::cli
