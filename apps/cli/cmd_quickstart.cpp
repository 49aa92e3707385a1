// prospect quickstart [--dir DIR] [--customers N]
#include <iostream>

#include "cli.hpp"
#include "prospect/common/datetime.hpp"
#include "prospect/quickstart/quickstart.hpp"

namespace prospect::cli {

void AddQuickstartCommand(CLI::App& app, Cli& cli) {
  auto options = std::make_shared<QuickstartOptions>();
  CLI::App* cmd = AddCommand(
      app, "quickstart",
      "Run the whole loop on generated sample data: generate, ingest, quality, profiles, a model, "
      "report",
      R"(  prospect quickstart
  prospect quickstart --dir /tmp/demo --customers 100000
)",
      [&cli, options] {
        Context ctx = cli.MakeContext();
        QuickstartOptions o = *options;
        o.generated_at = NowUtc() + " UTC";
        const nlohmann::json result = RunQuickstart(o, ctx, [&cli](const std::string& line) {
          if (!cli.options.json) std::cout << line << std::endl;
        });
        if (cli.options.json) cli.PrintJson(result);
      });
  cmd->add_option("--dir", options->dir,
                  "folder for the data, workspace and report (default prospect-quickstart)");
  cmd->add_option("--customers", options->customers, "customers to generate (default 20000)")
      ->check(CLI::Range(int64_t{100}, int64_t{100'000'000}));
}

}  // namespace prospect::cli
