// `prospect quickstart`: the whole loop on generated sample data — generate, init, ingest,
// quality, profile, segments and personas, a purchase-propensity model, the churn at-risk list,
// the A/B experiment, report.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "prospect/common/context.hpp"

namespace prospect {

struct QuickstartOptions {
  std::string dir = "prospect-quickstart";  ///< made (or remade, if it is an earlier quickstart)
  int64_t customers = 20000;
  std::string generated_at;  ///< shown in the report header (the library never reads the clock)
};

/// Runs every step, calling `say` with one line per step for people. Returns what was done
/// (paths, counts, metrics) as JSON.
nlohmann::json RunQuickstart(const QuickstartOptions& options, const Context& ctx,
                             const std::function<void(const std::string&)>& say);

}  // namespace prospect
