// prospect profile [--as-of DATE] [--out FILE]
#include <iostream>

#include "cli.hpp"
#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/features/profile.hpp"
#include "prospect/io/csv.hpp"

namespace prospect::cli {

void AddProfileCommand(CLI::App& app, Cli& cli) {
  auto as_of = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto label = std::make_shared<std::string>();
  CLI::App* cmd = AddWorkspaceCommand(
      app, cli, "profile",
      "Build the customer feature table (RFM, windows, trends) as of a date; stored as table "
      "profiles",
      R"(  prospect profile                          # as of the end of the latest event/order day
  prospect profile --as-of 2011-09-30 --out profiles.csv
  prospect profile --as-of 2011-10-31 --label purchase:30d   # + purchased_30d: bought in the next 30 days
  prospect train --table profiles --target purchased_30d --model gbdt --name will_buy
)",
      [&cli, as_of, out, label](Workspace& ws, Context& ctx) {
        ProfileRequest request;
        request.label = *label;
        request.as_of = AsOfFlag(*as_of);
        const ProfileResult r =
            RunProfile(ws.store(), ProfileConfig::FromJson(ws.Section("profile")), request, ctx);
        if (!out->empty()) WriteCsv(r.profiles, *out, ctx);
        const std::string as_of_text = FormatTimestamp(r.as_of);
        if (cli.options.json) {
          cli.PrintJson({{"table", kProfilesTable},
                         {"rows", r.profiles.num_rows()},
                         {"as_of", as_of_text},
                         {"label", r.label_column.empty() ? nlohmann::json()
                                                          : nlohmann::json(r.label_column)},
                         {"label_rate",
                          r.label_column.empty() ? nlohmann::json() : nlohmann::json(r.label_rate)},
                         {"columns", r.profiles.schema().ToJson()},
                         {"out", out->empty() ? nlohmann::json() : nlohmann::json(*out)},
                         {"warnings", r.warnings}});
          return;
        }
        std::cout << "Built " << r.profiles.num_rows() << " customer profiles with "
                  << r.profiles.num_columns() << " columns as of " << as_of_text
                  << " (data before that instant only); stored as table " << kProfilesTable
                  << (out->empty() ? "" : " and written to " + *out) << ".\n";
        if (!r.label_column.empty()) {
          std::cout << fmt::format(
              "Label {}: {:.1f}% of customers bought in the window after the as-of date. Train "
              "on it with: prospect train --table profiles --target {}\n",
              r.label_column, 100 * r.label_rate, r.label_column);
        }
      });
  cmd->add_option("--as-of", *as_of, "use only data up to the end of this day (YYYY-MM-DD)");
  cmd->add_option("--out", *out, "also write the profiles to this CSV file");
  cmd->add_option(
      "--label", *label,
      "add a label that looks forward from the as-of date: purchase:30d (column purchased_30d)");
}

}  // namespace prospect::cli
