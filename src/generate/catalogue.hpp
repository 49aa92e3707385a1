// The generator's fixed world: item categories with price levels, the latent customer segments,
// seasonality profiles, and the item catalogue built from a seed. Private to src/generate/.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "prospect/common/rng.hpp"

namespace prospect::gen {

inline constexpr int kNumChannels = 6;
inline constexpr std::array<const char*, kNumChannels> kChannels = {
    "organic", "paid_search", "social", "email", "referral", "affiliate"};
inline constexpr int kNumDevices = 3;
inline constexpr std::array<const char*, kNumDevices> kDevices = {"mobile", "desktop", "tablet"};
inline constexpr int kNumRegions = 6;
inline constexpr std::array<const char*, kNumRegions> kRegions = {"north", "south",   "east",
                                                                  "west",  "central", "overseas"};
inline constexpr std::array<double, kNumRegions> kRegionWeights = {0.22, 0.20, 0.24,
                                                                   0.18, 0.12, 0.04};

struct CategoryDef {
  const char* name;
  double share;         ///< share of the catalogue and of undirected browsing
  double median_price;  ///< lognormal median of list prices
  double price_sigma;   ///< lognormal sigma
  std::array<const char*, 4> nouns;
};
inline constexpr int kNumCategories = 16;
extern const std::array<CategoryDef, kNumCategories> kCategories;

/// A latent segment: how it is scored from the traits, and the behaviour it drives.
struct SegmentDef {
  const char* name;
  const char* description;
  double intercept;
  double w_frequency;   ///< weight on standardised log λ
  double w_loyalty;     ///< weight on standardised −logit p (low dropout)
  double w_value;       ///< weight on standardised log mean spend
  double w_engagement;  ///< weight on standardised log engagement
  std::array<double, kNumChannels> channel_weights;
  std::array<double, kNumDevices> device_weights;
  double age_mean;
  double newsletter_rate;
  double price_preference;  ///< tilt of favourite categories towards expensive (+) or cheap (−)
  double response_base;     ///< campaign response logit intercept
  double uplift_logit;      ///< campaign treatment effect on the logit scale
};
inline constexpr int kNumSegments = 5;
extern const std::array<SegmentDef, kNumSegments> kSegments;
/// Scale of the Gumbel noise in segment choice (0 would make segments a pure function of traits).
inline constexpr double kSegmentNoise = 0.6;

/// Relative activity by hour of day (0..23) and day of week (Monday = 0), each with mean 1.
extern const std::array<double, 24> kHourly;
extern const std::array<double, 7> kWeekly;
/// Yearly factor 1 + kYearlyAmplitude · cos(2π (day of year − kYearlyPeakDay) / 365.25).
inline constexpr double kYearlyAmplitude = 0.25;
inline constexpr double kYearlyPeakDay = 332;  // ~29 November (Black Friday season)

/// The item catalogue: parallel arrays indexed by item index (item_id − 1), plus per-category
/// popularity tables for drawing items.
struct Catalogue {
  std::vector<int32_t> category;
  std::vector<std::string> name;
  std::vector<std::string> brand;
  std::vector<int64_t> price_cents;
  std::vector<int64_t> launch_day;  ///< days since epoch
  std::vector<double> popularity;
  std::vector<std::vector<int32_t>> by_category;    ///< item indices of each category
  std::vector<std::vector<double>> cum_popularity;  ///< cumulative popularity, same order

  size_t size() const { return category.size(); }
};

/// Builds `n` items (n >= kNumCategories; every category gets an item launched before start_day).
Catalogue BuildCatalogue(int64_t n, int64_t start_day, int64_t end_day, Rng& rng);

}  // namespace prospect::gen
