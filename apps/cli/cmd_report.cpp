// prospect report --out FILE.html
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <iostream>

#include "cli.hpp"
#include "prospect/report/report.hpp"

namespace prospect::cli {

void AddReportCommand(CLI::App& app, Cli& cli) {
  auto out = std::make_shared<std::string>();
  auto title = std::make_shared<std::string>("prospect report");
  CLI::App* cmd = AddWorkspaceCommand(
      app, cli, "report",
      "Write one self-contained HTML report (opens offline) with a section per capability: data "
      "in, data quality "
      "with charts, and the results of every command run in this workspace",
      R"(  prospect report --out report.html
  prospect --workspace shop report --out /tmp/shop.html --title "Shop, March"
)",
      [&cli, out, title](Workspace& ws, Context& ctx) {
        report::ReportOptions options;
        options.title = *title;
        // The CLI reads the clock (the library never does).
        options.generated_at = fmt::format(
            "{:%Y-%m-%d %H:%M} UTC",
            fmt::gmtime(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now())));
        const report::ReportSummary s = report::WriteReport(ws, *out, options, ctx);
        if (cli.options.json) {
          cli.PrintJson({{"out", s.path},
                         {"bytes", s.bytes},
                         {"sections", s.sections},
                         {"sections_with_results", s.sections_with_results},
                         {"charts", s.charts}});
          return;
        }
        std::cout << fmt::format(
            "Wrote {} ({:.1f} MB): {} sections, {} with results, {} charts. Open it in a browser; "
            "it needs no network.\n",
            s.path, static_cast<double>(s.bytes) / 1e6, s.sections, s.sections_with_results,
            s.charts);
      });
  cmd->add_option("--out", *out, "HTML file to write")->required();
  cmd->add_option("--title", *title, "heading of the report (default \"prospect report\")");
}

}  // namespace prospect::cli
