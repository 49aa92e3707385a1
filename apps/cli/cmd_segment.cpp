// prospect segment --table T --method NAME [--features ...] [--k N|auto] [--scale standard|none]
#include <cmath>
#include <iostream>

#include "cli.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/features/profile.hpp"
#include "prospect/models/cluster/clusterer.hpp"
#include "prospect/segment/segment.hpp"

namespace prospect::cli {

void AddSegmentCommand(CLI::App& app, Cli& cli) {
  auto req = std::make_shared<SegmentRequest>();
  auto features = std::make_shared<std::string>();
  auto params = std::make_shared<std::vector<std::string>>();
  auto id_option = std::make_shared<CLI::Option*>(nullptr);
  std::string methods = Join(ClustererRegistry().Names(), ", ");
  CLI::App* cmd = AddWorkspaceCommand(
      app, cli, "segment",
      "Segment customers (k-means, DBSCAN, GMM, Ward, RFM) and describe each segment as a persona",
      R"(  prospect segment --method kmeans                 # profiles table, k chosen by silhouette
  prospect segment --method kmeans --k 5 --features recency_days,frequency,monetary
  prospect segment --method rfm                    # Champions, Loyal, At risk, …
  prospect segment --method gmm --param covariance=diag --json
  prospect segment --method kmeans --k 5 --truth ground_truth.segment   # ARI vs known segments
)",
      [&cli, req, features, params, id_option](Workspace& ws, Context& ctx) {
        SegmentRequest r = *req;
        // Without --id: the workspace's customer id ([profile] customer_id) when the table has it.
        r.preferred_id = ProfileConfig::FromJson(ws.Section("profile")).customer_id;
        if (!features->empty()) r.features = Split(*features, ',');
        r.params = ParamFlags(*params, "covariance=diag");
        const SegmentResult result = RunSegmentation(ws.store(), r, ctx);
        if (cli.options.json) {
          nlohmann::json doc = result.summary;
          doc["personas"] = result.personas.ToJson();
          cli.PrintJson(doc);
          return;
        }
        std::cout << "Segmented " << result.labels.size() << " rows of " << r.table << " with "
                  << r.method << " into " << result.names.size() << " segments (stored in table "
                  << kSegmentsTable << ").\n";
        if (result.summary.contains("inertia")) {
          std::cout << fmt::format("Inertia {:.6g}\n", result.summary["inertia"].get<double>());
        }
        if (result.summary.contains("truth")) {
          const auto& t = result.summary["truth"];
          std::cout << fmt::format(
              "Adjusted Rand index against {}: {:.4f} ({} of {} rows have a known segment)\n",
              r.truth, t["adjusted_rand_index"].get<double>(), t["rows_matched"].get<size_t>(),
              t["rows"].get<size_t>());
        }
        std::vector<std::vector<std::string>> rows;
        for (const Persona& p : result.personas.personas) {
          if (p.size == 0) continue;
          rows.push_back(
              {p.name, std::to_string(p.size), fmt::format("{:.1f}%", 100 * p.share_customers),
               std::isnan(p.share_value) ? "-" : fmt::format("{:.1f}%", 100 * p.share_value),
               p.description});
        }
        cli.PrintTable({"segment", "customers", "share", "value share", "persona"}, rows);
        std::cout << fmt::format("\nRules (depth {}, {:.0f}% of customers placed right):\n",
                                 result.personas.rules_depth, 100 * result.personas.rules_accuracy);
        for (const Persona& p : result.personas.personas) {
          for (size_t i = 0; i < p.rules.size() && i < 2; ++i)
            std::cout << "  " << p.rules[i] << "\n";
        }
      });
  cmd->add_option("--table", req->table, "table to segment (default profiles)");
  cmd->add_option("--method", req->method, "one of: " + methods + " (their --param values below)")
      ->required();
  cmd->footer("\nMethods and their --param NAME=VALUE (default, range):\n" +
              DescribeAlgorithms(ClustererRegistry()) + cmd->get_footer());
  cmd->add_option("--features", *features,
                  "columns to cluster on, comma-separated (default: RFM, value, activity)");
  cmd->add_option("--k", req->k, "number of segments, or auto (default)");
  cmd->add_option("--scale", req->scale, "standard (default) or none")
      ->check(CLI::IsMember({"standard", "none"}));
  cmd->add_option("--param", *params, "method parameter NAME=VALUE (repeatable)");
  *id_option =
      cmd->add_option("--id", req->id_column,
                      "id column carried into the segments table (default: the table's key, else "
                      "[profile] customer_id, else a unique column named like an id)");
  cmd->add_option("--truth", req->truth,
                  "known segments as TABLE.COLUMN (joined on the id): report the adjusted Rand "
                  "index against them");
  cmd->add_option("--name", req->name,
                  "segmentation name: re-runs keep segment ids stable (default \"default\")");
}

}  // namespace prospect::cli
