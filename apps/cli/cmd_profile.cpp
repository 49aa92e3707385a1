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
  CLI::App* cmd = AddCommand(
      app, "profile", "Build the customer feature table (RFM, windows, trends) as of a date; stored as table profiles",
      "  prospect profile                          # as of the end of the latest event/order day\n"
      "  prospect profile --as-of 2011-09-30 --out profiles.csv\n",
      [&cli, as_of, out] {
        Workspace ws = cli.OpenWorkspace();
        Context ctx = cli.MakeContext();
        const ProfileConfig config = ProfileConfig::FromJson(ws.Section("profile"));
        const ProfileInputs inputs = LoadProfileInputs(ws.store(), config, ctx);
        int64_t instant = 0;
        if (as_of->empty()) {
          instant = DefaultAsOf(inputs, config);
        } else {
          int64_t day = 0;
          if (!ParseIsoDate(*as_of, &day)) {
            Fail(ErrorCode::kInvalidArgument, "--as-of {}: expected a date like 2024-03-01", QuoteForMessage(*as_of));
          }
          instant = (day + 1) * kMicrosPerDay;  // the whole of that day is included
        }
        std::vector<std::string> warnings;
        const Table profiles = BuildProfiles(inputs, config, instant, ctx, &warnings);
        ws.store().WriteTable(kProfilesTable, profiles, {}, ctx);
        if (!out->empty()) WriteCsv(profiles, *out, ctx);
        const std::string as_of_text = FormatTimestamp(instant);
        if (cli.options.json) {
          nlohmann::json cols = nlohmann::json::array();
          for (const auto& f : profiles.schema().fields()) cols.push_back({{"name", f.name}, {"type", DataTypeName(f.type)}});
          cli.PrintJson({{"table", kProfilesTable}, {"rows", profiles.num_rows()}, {"as_of", as_of_text},
                         {"columns", cols}, {"out", out->empty() ? nlohmann::json() : nlohmann::json(*out)},
                         {"warnings", warnings}});
          return;
        }
        std::cout << "Built " << profiles.num_rows() << " customer profiles with " << profiles.num_columns()
                  << " columns as of " << as_of_text << " (data before that instant only); stored as table "
                  << kProfilesTable << (out->empty() ? "" : " and written to " + *out) << ".\n";
      });
  cmd->add_option("--as-of", *as_of, "use only data up to the end of this day (YYYY-MM-DD)");
  cmd->add_option("--out", *out, "also write the profiles to this CSV file");
}

}  // namespace prospect::cli
