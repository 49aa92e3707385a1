// The generator's constants (categories, segments, seasonality) and the item catalogue builder.
#include "generate/catalogue.hpp"

#include <cmath>
#include <string>

#include "generate/sampling.hpp"

namespace prospect::gen {

// Shares sum to 1. Median prices are typical list prices of such goods in an online shop.
const std::array<CategoryDef, kNumCategories> kCategories = {{
    {"electronics", 0.08, 150, 0.8, {"Headphones", "Speaker", "Camera", "Smartwatch"}},
    {"computers", 0.05, 400, 0.7, {"Laptop", "Monitor", "Keyboard", "Tablet"}},
    {"phones", 0.04, 350, 0.6, {"Phone", "Phone Case", "Charger", "Earbuds"}},
    {"home", 0.09, 45, 0.8, {"Lamp", "Cushion", "Rug", "Vase"}},
    {"kitchen", 0.08, 35, 0.8, {"Pan", "Knife Set", "Blender", "Kettle"}},
    {"garden", 0.05, 30, 0.9, {"Planter", "Hose", "Shears", "Seeds"}},
    {"fashion_women", 0.10, 40, 0.6, {"Dress", "Blouse", "Jacket", "Scarf"}},
    {"fashion_men", 0.08, 40, 0.6, {"Shirt", "Jeans", "Jacket", "Sweater"}},
    {"shoes", 0.06, 70, 0.5, {"Sneakers", "Boots", "Sandals", "Loafers"}},
    {"beauty", 0.07, 20, 0.7, {"Lipstick", "Serum", "Perfume", "Shampoo"}},
    {"health", 0.04, 18, 0.6, {"Vitamins", "Thermometer", "First Aid Kit", "Massager"}},
    {"sports", 0.06, 50, 0.8, {"Yoga Mat", "Dumbbells", "Racket", "Bottle"}},
    {"toys", 0.05, 25, 0.7, {"Puzzle", "Doll", "Building Set", "Board Game"}},
    {"books", 0.07, 14, 0.4, {"Novel", "Cookbook", "Guide", "Comic"}},
    {"grocery", 0.05, 8, 0.6, {"Coffee", "Tea", "Chocolate", "Olive Oil"}},
    {"pet", 0.03, 22, 0.7, {"Pet Food", "Leash", "Pet Bed", "Cat Toy"}},
}};

// One segment in two lines, fields in SegmentDef's order: name, description; intercept, weights
// (frequency, loyalty, value, engagement), channel weights (organic, paid_search, social, email,
// referral, affiliate), device weights (mobile, desktop, tablet), age_mean, newsletter_rate,
// price_preference, response_base, uplift_logit.
// clang-format off
const std::array<SegmentDef, kNumSegments> kSegments = {{
    {"Champions", "frequent, loyal, high-value buyers",
     -1.0, 1.4, 1.2, 0.8, 0.3, {0.35, 0.15, 0.08, 0.17, 0.20, 0.05}, {0.45, 0.45, 0.10}, 42, 0.60, 0.3, -1.6, -0.35},
    {"Deal seekers", "frequent small baskets, price-driven",
     -0.5, 1.2, 0.0, -1.3, 0.5, {0.15, 0.20, 0.15, 0.15, 0.05, 0.30}, {0.65, 0.28, 0.07}, 34, 0.55, -0.8, -2.0, 0.9},
    {"Big-ticket occasionals", "rare but large orders",
     -0.4, -0.9, 0.3, 1.5, 0.0, {0.30, 0.35, 0.05, 0.10, 0.15, 0.05}, {0.30, 0.60, 0.10}, 47, 0.35, 0.9, -2.6, 0.3},
    {"Browsers", "engaged visitors who seldom buy",
     -0.3, -1.0, 0.0, -0.2, 1.5, {0.20, 0.10, 0.40, 0.05, 0.10, 0.15}, {0.75, 0.15, 0.10}, 28, 0.30, 0.0, -2.3, 0.6},
    {"Drifters", "low engagement, quick to lapse",
     0.0, -0.3, -1.5, -0.2, -0.8, {0.15, 0.30, 0.20, 0.05, 0.05, 0.25}, {0.55, 0.35, 0.10}, 38, 0.20, -0.2, -2.8, 0.1},
}};
// clang-format on

namespace {
template <size_t N>
std::array<double, N> NormaliseMean(std::array<double, N> v) {
  double sum = 0;
  for (double x : v) sum += x;
  for (double& x : v) x *= static_cast<double>(N) / sum;
  return v;
}
}  // namespace

const std::array<double, 24> kHourly =
    NormaliseMean<24>({0.30, 0.20, 0.15, 0.10, 0.10, 0.15, 0.30, 0.60, 0.90, 1.00, 1.10, 1.20,
                       1.30, 1.20, 1.10, 1.10, 1.20, 1.30, 1.50, 1.70, 1.80, 1.60, 1.10, 0.60});
const std::array<double, 7> kWeekly = NormaliseMean<7>({0.95, 0.92, 0.93, 0.97, 1.03, 1.12, 1.08});

namespace {

constexpr std::array<const char*, 16> kBrandStarts = {"Nor", "Al",  "Ve",  "Ka",  "Lu",  "Tor",
                                                      "Mi",  "Sol", "Bri", "Zen", "Ora", "Fen",
                                                      "Gal", "Ro",  "Ty",  "Quin"};
constexpr std::array<const char*, 12> kBrandEnds = {"vik", "ba", "ra", "sto", "mo", "lin",
                                                    "ex",  "ia", "on", "ar",  "ix", "ella"};
constexpr int kBrandsPerCategory = 6;

}  // namespace

Catalogue BuildCatalogue(int64_t n, int64_t start_day, int64_t end_day, Rng& rng) {
  Catalogue cat;
  // Brands: a few per category with a price level and a Zipf-like share.
  std::vector<std::array<std::string, kBrandsPerCategory>> brands(kNumCategories);
  std::vector<std::array<double, kBrandsPerCategory>> brand_factor(kNumCategories);
  for (int c = 0; c < kNumCategories; ++c) {
    for (int b = 0; b < kBrandsPerCategory; ++b) {
      brands[c][b] = std::string(kBrandStarts[rng() % kBrandStarts.size()]) +
                     kBrandEnds[rng() % kBrandEnds.size()];
      brand_factor[c][b] = std::exp(0.3 * Normal(rng));
    }
  }
  std::array<double, kNumCategories> shares{};
  for (int c = 0; c < kNumCategories; ++c) shares[c] = kCategories[c].share;
  std::array<double, kBrandsPerCategory> brand_weights{};
  for (int b = 0; b < kBrandsPerCategory; ++b) brand_weights[b] = 1.0 / (b + 1);

  cat.by_category.resize(kNumCategories);
  cat.cum_popularity.resize(kNumCategories);
  const int64_t span = end_day + 1 - start_day;
  for (int64_t i = 0; i < n; ++i) {
    // The first item of each category guarantees every category has something old to show.
    const int c =
        i < kNumCategories ? static_cast<int>(i) : static_cast<int>(Categorical(rng, shares));
    const CategoryDef& def = kCategories[c];
    const size_t b = Categorical(rng, brand_weights);
    double price = def.median_price * brand_factor[c][b] * std::exp(def.price_sigma * Normal(rng));
    int64_t cents = std::llround(price * 100);
    if (price >= 10) cents = static_cast<int64_t>(std::floor(price)) * 100 + 99;  // charm pricing
    if (cents < 99) cents = 99;
    const bool old = i < kNumCategories || Uniform(rng) < 0.75;
    const int64_t launch =
        old ? start_day - 1 - static_cast<int64_t>(Uniform(rng) * 730)
            : start_day + static_cast<int64_t>(Uniform(rng) * static_cast<double>(span));
    const char* noun = def.nouns[rng() % def.nouns.size()];
    std::string name = brands[c][b] + " " + noun + " " + static_cast<char>('A' + rng() % 26) +
                       std::to_string(10 + rng() % 990);
    cat.by_category[c].push_back(static_cast<int32_t>(i));
    const double popularity = std::exp(Normal(rng));
    const double prev = cat.cum_popularity[c].empty() ? 0.0 : cat.cum_popularity[c].back();
    cat.cum_popularity[c].push_back(prev + popularity);
    cat.category.push_back(c);
    cat.name.push_back(std::move(name));
    cat.brand.push_back(brands[c][b]);
    cat.price_cents.push_back(cents);
    cat.launch_day.push_back(launch);
    cat.popularity.push_back(popularity);
  }
  return cat;
}

}  // namespace prospect::gen
