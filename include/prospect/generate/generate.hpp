// Sample-data generator: a linked, realistic customer dataset (customers, items, events, orders,
// a campaign, an A/B experiment) with its known ground truth, written as CSV files.
// The generative process and every column are documented in docs/user/generate.md.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/common/params.hpp"

namespace prospect {

/// What to generate. Defaults give ~2 years of data ending 2026-06-30 and ~20 events per
/// customer. BG/NBD rates are per week; money is in currency units (two decimals).
struct GenerateParams {
  int64_t customers = 10000;                          ///< number of customers
  int64_t seed = static_cast<int64_t>(kDefaultSeed);  ///< base seed; same seed = same files
  std::string start_date = "2024-07-01";              ///< first signup day (YYYY-MM-DD)
  std::string end_date = "2026-06-30";    ///< last observed day; data ends at its midnight
  int64_t items = 2000;                   ///< catalogue size
  double sessions_per_week = 0.15;        ///< browsing sessions per week at engagement 1
  double signup_growth = 1.0;             ///< signup rate at the end is (1 + growth) × the start
  double buyer_share = 0.7;               ///< about this share of customers ever buys
  double first_purchase_delay_days = 14;  ///< mean wait from signup to the first order
  double bgnbd_r = 0.6;                   ///< BG/NBD: λ ~ Gamma(shape r, rate α), per week
  double bgnbd_alpha = 4.5;
  double bgnbd_a = 0.8;  ///< BG/NBD: dropout p ~ Beta(a, b)
  double bgnbd_b = 2.5;
  double gg_p = 6.0;  ///< Gamma-Gamma: order value ~ Gamma(shape p, rate ν)
  double gg_q = 4.0;  ///< Gamma-Gamma: ν ~ Gamma(shape q, rate γ)
  double gg_gamma = 25.0;
  double campaign_share = 0.6;          ///< share of eligible customers in the campaign
  double campaign_treated_share = 0.5;  ///< randomised share contacted
  /// Offers in the campaign: 1 (an e-mail, treatment 1) or 2 (the contacted split evenly
  /// between the e-mail and a discount, treatment 2, whose effect favours other customers).
  int64_t campaign_arms = 1;
  double experiment_share = 1.0;  ///< share of eligible customers in the A/B test
  double experiment_lift = 0.10;  ///< true relative lift of the treatment's conversion rate

  static const ParamSchema<GenerateParams>& Schema();
};

/// One written file.
struct GeneratedFile {
  std::string name;  ///< "customers.csv"
  std::string path;  ///< out_dir + "/" + name
  int64_t rows = 0;  ///< data rows (CSV files; 0 for JSON)
  std::vector<std::string> columns;
};

/// What Generate wrote, in file order, and the global truth (also in ground_truth.json).
struct GenerateSummary {
  std::vector<GeneratedFile> files;
  nlohmann::json truth;
  /// Rows of one file by name (0 if absent).
  int64_t Rows(const std::string& name) const;
};

/// Generates the dataset into out_dir (created if missing; existing files of the same names are
/// replaced, each written to a temporary file and renamed). Runs over ctx.threads() threads with
/// per-customer random streams, so the bytes are the same for a seed whatever the thread count.
/// Reports progress ("generate", customers done, total) and honours cancellation.
/// Errors: kInvalidArgument / kOutOfRange for bad params, kIo when out_dir cannot be written.
GenerateSummary Generate(const GenerateParams& params, const std::string& out_dir,
                         const Context& ctx);

}  // namespace prospect
