// prospect generate: simulates customers, browsing, BG/NBD purchases with Gamma-Gamma spend, a
// randomised campaign and an A/B test, and writes them with their ground truth as CSV.
// Customers are simulated in blocks in parallel, each from its own seeded stream, and written in
// customer order, so the bytes do not depend on the thread count. Process: docs/user/generate.md.
#include "prospect/generate/generate.hpp"

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>
#include <charconv>
#include <cmath>
#include <exception>
#include <filesystem>
#include <future>
#include <memory>
#include <tuple>
#include <type_traits>

#include "generate/catalogue.hpp"
#include "generate/sampling.hpp"
#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/io/output_file.hpp"

namespace prospect {

const ParamSchema<GenerateParams>& GenerateParams::Schema() {
  using P = GenerateParams;
  static const ParamSchema<P> schema(
      "generate",
      {{"customers", &P::customers, "number of customers", 1, 100'000'000},
       {"seed", &P::seed, "base random seed", 0, 9.2e18},
       {"start_date", &P::start_date, "first signup day (YYYY-MM-DD)"},
       {"end_date", &P::end_date, "last observed day (YYYY-MM-DD)"},
       {"items", &P::items, "catalogue size", gen::kNumCategories, 10'000'000},
       {"sessions_per_week", &P::sessions_per_week, "browsing sessions per week at engagement 1", 0,
        50},
       {"signup_growth", &P::signup_growth, "signup rate at the end relative to the start, minus 1",
        0, 100},
       {"buyer_share", &P::buyer_share, "approximate share of customers who ever buy", 0, 1},
       {"first_purchase_delay_days", &P::first_purchase_delay_days,
        "mean days from signup to first order", 0.01, 3650},
       {"bgnbd_r", &P::bgnbd_r, "BG/NBD r (shape of the purchase rate λ per week)", 0.01, 100},
       {"bgnbd_alpha", &P::bgnbd_alpha, "BG/NBD α (rate of λ, in weeks)", 0.01, 1000},
       {"bgnbd_a", &P::bgnbd_a, "BG/NBD a (dropout p ~ Beta(a, b))", 0.01, 100},
       {"bgnbd_b", &P::bgnbd_b, "BG/NBD b", 0.01, 100},
       {"gg_p", &P::gg_p, "Gamma-Gamma p (shape of an order's value)", 0.1, 1000},
       {"gg_q", &P::gg_q, "Gamma-Gamma q (shape of ν); > 1 for a finite mean spend", 1.01, 1000},
       {"gg_gamma", &P::gg_gamma, "Gamma-Gamma γ (rate of ν)", 0.01, 1e6},
       {"campaign_share", &P::campaign_share, "share of eligible customers in the campaign", 0, 1},
       {"campaign_treated_share", &P::campaign_treated_share, "share of the campaign contacted", 0,
        1},
       {"campaign_arms", &P::campaign_arms,
        "offers: 1 (e-mail) or 2 (e-mail and discount, the contacted split evenly)", 1, 2},
       {"experiment_share", &P::experiment_share, "share of eligible customers in the A/B test", 0,
        1},
       {"experiment_lift", &P::experiment_lift,
        "true relative lift of the treatment's conversion rate", -0.5, 1.0}});
  return schema;
}

int64_t GenerateSummary::Rows(const std::string& name) const {
  for (const auto& f : files) {
    if (f.name == name) return f.rows;
  }
  return 0;
}

namespace {

using gen::Uniform;

constexpr int64_t kMicrosPerWeek = 7 * kMicrosPerDay;
constexpr int64_t kBlockSize = 1024;     // customers per parallel task
constexpr int64_t kExperimentDays = 28;  // exposure window
constexpr int64_t kConversionDays = 14;  // outcome window after exposure
constexpr int64_t kPrePeriodDays = 28;   // CUPED covariate window before exposure
constexpr int64_t kCampaignDaysBeforeEnd = 60;
constexpr int64_t kHorizonDays = 30;          // ground-truth purchase propensity horizon
constexpr double kDecayAfterLapseDays = 28;   // browsing fades with this time constant after lapse
constexpr double kBrowserLifetimeDays = 180;  // mean interest span of customers who never buy

constexpr std::array<const char*, 40> kFirstNames = {
    "anna",  "ben",   "chloe", "david", "emma",   "felix", "grace", "henry", "isla",  "jack",
    "kate",  "liam",  "mia",   "noah",  "olivia", "paul",  "quinn", "ruby",  "sam",   "tara",
    "wei",   "fang",  "jing",  "lei",   "min",    "xin",   "yan",   "hao",   "jun",   "ling",
    "lucas", "sofia", "mateo", "elena", "omar",   "leila", "arjun", "priya", "kenji", "yuki"};
constexpr std::array<const char*, 40> kLastNames = {
    "smith",  "jones",  "brown",   "taylor", "wilson", "evans",    "thomas", "roberts",
    "walker", "wright", "wang",    "li",     "zhang",  "liu",      "chen",   "yang",
    "huang",  "zhao",   "wu",      "zhou",   "garcia", "martinez", "lopez",  "silva",
    "santos", "muller", "schmidt", "rossi",  "dubois", "novak",    "kim",    "park",
    "sato",   "tanaka", "khan",    "patel",  "singh",  "cohen",    "haddad", "okafor"};
constexpr std::array<const char*, 3> kEmailDomains = {"example.com", "example.org", "example.net"};
constexpr std::array<const char*, 3> kGenders = {"female", "male", "other"};
constexpr std::array<double, 3> kGenderWeights = {0.52, 0.45, 0.03};
constexpr std::array<const char*, 3> kIncomeBands = {"low", "medium", "high"};
enum EventType : uint8_t { kView = 0, kCart = 1, kPurchase = 2 };
constexpr std::array<const char*, 3> kEventTypes = {"view", "cart", "purchase"};

// ---------------------------------------------------------------------------------------------
// Text output helpers: the generator writes CSV directly (its fields never need quoting; the
// constants above are checked for that) because 1M customers means ~20M event rows.

void AppendInt(std::string& out, int64_t v) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}
void AppendCents(std::string& out, int64_t cents) {
  if (cents < 0) {
    out += '-';
    cents = -cents;
  }
  AppendInt(out, cents / 100);
  out += '.';
  out += static_cast<char>('0' + (cents % 100) / 10);
  out += static_cast<char>('0' + cents % 10);
}
void AppendDouble(std::string& out, double v) { fmt::format_to(std::back_inserter(out), "{}", v); }
void AppendBool(std::string& out, bool v) { out += v ? "true" : "false"; }
int64_t RoundCents(double amount) { return std::max<int64_t>(1, std::llround(amount * 100.0)); }

// "YYYY-MM-DD HH:MM:SS" for whole-second times; `dates` caches the date text of days
// first_day, first_day + 1, ... (CivilFromDays per event row was a visible cost at 20M rows).
void AppendTime(std::string& out, int64_t micros, const std::vector<std::string>& dates,
                int64_t first_day) {
  const int64_t day = DayOfTimestamp(micros);
  const int64_t rest = micros - day * kMicrosPerDay;
  if (day < first_day || day - first_day >= static_cast<int64_t>(dates.size()) ||
      rest % kMicrosPerSecond != 0) {
    AppendTimestamp(out, micros);
    return;
  }
  out += dates[static_cast<size_t>(day - first_day)];
  const int64_t sec = rest / kMicrosPerSecond;
  const int64_t parts[3] = {sec / 3600, sec / 60 % 60, sec % 60};
  for (int i = 0; i < 3; ++i) {
    out += i == 0 ? ' ' : ':';
    out += static_cast<char>('0' + parts[i] / 10);
    out += static_cast<char>('0' + parts[i] % 10);
  }
}

// ---------------------------------------------------------------------------------------------
// The model: parameters resolved once, shared read-only by all threads.

struct TraitMoments {
  double mean;
  double sd;
};

struct Model {
  GenerateParams params;
  int64_t start_day = 0;
  int64_t end_day = 0;
  int64_t start_time = 0;  // µs, first instant
  int64_t end_time = 0;    // µs, first instant after the data (midnight after end_day)
  int64_t span_days = 0;
  int64_t campaign_day = 0;
  int64_t experiment_first_day = 0;
  gen::Catalogue catalogue;
  std::array<double, gen::kNumCategories> category_shares{};
  std::vector<double> daily_factor;    // weekly × yearly factor of each day in the span
  std::vector<std::string> date_text;  // "YYYY-MM-DD" of each day in the span
  double max_session_factor = 0;
  std::array<double, gen::kNumCategories> category_price_z{};
  // Moments of the transformed traits, to standardise them in segment scores.
  TraitMoments log_lambda{}, logit_p{}, log_spend{}, log_engagement{};
};

constexpr double kEngagementShape = 2.0;  // engagement ~ Gamma(2, rate 2): mean 1

double YearlyFactor(int64_t day) {
  const CivilDate c = CivilFromDays(day);
  const double doy = static_cast<double>(day - DaysFromCivil(c.year, 1, 1));
  return 1.0 + gen::kYearlyAmplitude *
                   std::cos(2.0 * std::numbers::pi * (doy - gen::kYearlyPeakDay) / 365.25);
}
int WeekdayOf(int64_t day) {
  return static_cast<int>(((day % 7) + 7 + 3) % 7);
}  // 1970-01-01: Thursday

Model BuildModel(const GenerateParams& params) {
  Model m;
  m.params = params;
  if (!ParseIsoDate(params.start_date, &m.start_day)) {
    Fail(ErrorCode::kInvalidArgument,
         "generate parameter start_date: {} is not a date like 2024-07-01",
         QuoteForMessage(params.start_date));
  }
  if (!ParseIsoDate(params.end_date, &m.end_day)) {
    Fail(ErrorCode::kInvalidArgument,
         "generate parameter end_date: {} is not a date like 2026-06-30",
         QuoteForMessage(params.end_date));
  }
  m.span_days = m.end_day + 1 - m.start_day;
  if (m.span_days < 90) {
    Fail(ErrorCode::kInvalidArgument,
         "generate: the span {} .. {} has {} days; at least 90 are needed (the campaign and the "
         "experiment "
         "sit in the last 60 days). Possible fix: an earlier start_date.",
         params.start_date, params.end_date, m.span_days);
  }
  m.start_time = m.start_day * kMicrosPerDay;
  m.end_time = (m.end_day + 1) * kMicrosPerDay;
  m.campaign_day = m.end_day + 1 - kCampaignDaysBeforeEnd;
  m.experiment_first_day = m.end_day + 1 - kConversionDays - kExperimentDays;

  for (int c = 0; c < gen::kNumCategories; ++c) m.category_shares[c] = gen::kCategories[c].share;
  double mean_log_price = 0;
  for (const auto& c : gen::kCategories)
    mean_log_price += std::log(c.median_price) / gen::kNumCategories;
  double var = 0;
  for (const auto& c : gen::kCategories)
    var += std::pow(std::log(c.median_price) - mean_log_price, 2) / gen::kNumCategories;
  for (int c = 0; c < gen::kNumCategories; ++c) {
    m.category_price_z[c] =
        (std::log(gen::kCategories[c].median_price) - mean_log_price) / std::sqrt(var);
  }

  // Browsing sessions are thinned from a homogeneous process at the peak rate.
  m.daily_factor.resize(static_cast<size_t>(m.span_days));
  double max_daily = 0;
  for (int64_t d = 0; d < m.span_days; ++d) {
    const int64_t day = m.start_day + d;
    m.daily_factor[d] = gen::kWeekly[WeekdayOf(day)] * YearlyFactor(day);
    m.date_text.push_back(FormatDate(day));
    max_daily = std::max(max_daily, m.daily_factor[d]);
  }
  m.max_session_factor = max_daily * *std::max_element(gen::kHourly.begin(), gen::kHourly.end());

  // E and Var of log Gamma(k, rate β): ψ(k) − log β and ψ1(k); of logit Beta(a, b): ψ(a) − ψ(b)
  // and ψ1(a) + ψ1(b). The spend level is p/ν with ν ~ Gamma(q, γ): log = log p − log ν.
  using boost::math::digamma;
  using boost::math::trigamma;
  m.log_lambda = {digamma(params.bgnbd_r) - std::log(params.bgnbd_alpha),
                  std::sqrt(trigamma(params.bgnbd_r))};
  m.logit_p = {digamma(params.bgnbd_a) - digamma(params.bgnbd_b),
               std::sqrt(trigamma(params.bgnbd_a) + trigamma(params.bgnbd_b))};
  m.log_spend = {std::log(params.gg_p) - (digamma(params.gg_q) - std::log(params.gg_gamma)),
                 std::sqrt(trigamma(params.gg_q))};
  m.log_engagement = {digamma(kEngagementShape) - std::log(kEngagementShape),
                      std::sqrt(trigamma(kEngagementShape))};
  return m;
}

// ---------------------------------------------------------------------------------------------
// Per-customer simulation.

struct OrderLine {
  int32_t item;
  int32_t quantity;
  int64_t unit_cents;
};
struct Order {
  int64_t customer_id;
  int64_t time;
  int64_t total_cents;
  int64_t units;
  uint32_t first_line;
  uint32_t num_lines;
};
struct Event {
  int64_t time;
  int32_t item;
  uint8_t type;
  int64_t value_cents;
};

// Sums over customers for ground_truth.json, added in block order (deterministic).
struct Totals {
  std::array<int64_t, gen::kNumSegments> segment_count{};
  double lambda_sum = 0;
  double p_sum = 0;
  int64_t buyers_observed = 0;
  int64_t alive = 0;
  int64_t campaign_rows = 0;
  int64_t campaign_treated = 0;
  double campaign_uplift_sum = 0;
  double campaign_base_sum = 0;
  std::array<double, gen::kNumSegments> segment_uplift_sum{};
  std::array<int64_t, gen::kNumSegments> segment_campaign_count{};
  int64_t experiment_rows = 0;
  int64_t experiment_treated = 0;
  double experiment_p0_sum = 0;
  double p30_sum = 0;
  int64_t purchased_30 = 0;

  // Every summed field once, so adding two blocks' totals cannot forget one.
  auto Fields() {
    return std::tie(segment_count, lambda_sum, p_sum, buyers_observed, alive, campaign_rows,
                    campaign_treated, campaign_uplift_sum, campaign_base_sum, segment_uplift_sum,
                    segment_campaign_count, experiment_rows, experiment_treated, experiment_p0_sum,
                    p30_sum, purchased_30);
  }
  void Add(Totals o) {
    std::apply(
        [&](auto&... mine) {
          std::apply([&](auto&... theirs) { (AddInto(mine, theirs), ...); }, o.Fields());
        },
        Fields());
  }

 private:
  template <typename T>
  static void AddInto(T& into, const T& from) {
    if constexpr (std::is_arithmetic_v<T>) {
      into += from;
    } else {
      for (size_t i = 0; i < into.size(); ++i) into[i] += from[i];
    }
  }
};

// One block's output: CSV text per file, and orders kept as records until their ids are known.
struct BlockOut {
  std::string customers, events, campaign, experiment, truth, orders, order_items;
  std::vector<Order> order_records;
  std::vector<OrderLine> lines;
  int64_t customer_rows = 0, event_rows = 0, campaign_rows = 0, experiment_rows = 0;
  Totals totals;
};

struct Prefs {
  std::array<int, 2> favourite{};
};

class CustomerSim {
 public:
  CustomerSim(const Model& m, BlockOut& out) : m_(m), out_(out) {}

  void Run(int64_t index) {
    const GenerateParams& P = m_.params;
    const uint64_t base = static_cast<uint64_t>(P.seed);
    // One stream per customer. Browsing draws come last, so changing sessions_per_week leaves
    // attributes, purchases, campaign and experiment unchanged.
    Rng rng(DeriveSeed(DeriveSeed(base, 1), static_cast<uint64_t>(index)));
    Rng& browse = rng;
    const int64_t id = index + 1;

    // Latent traits: mutually independent, so BG/NBD and Gamma-Gamma hold exactly.
    const double lambda = std::max(1e-12, gen::GammaRate(rng, P.bgnbd_r, P.bgnbd_alpha));
    const double p = gen::Beta(rng, P.bgnbd_a, P.bgnbd_b);
    const double nu = gen::GammaRate(rng, P.gg_q, P.gg_gamma);
    const double engagement = gen::GammaRate(rng, kEngagementShape, kEngagementShape);
    const double z_freq = (std::log(lambda) - m_.log_lambda.mean) / m_.log_lambda.sd;
    const double z_loyal = -(std::log(p / (1 - p)) - m_.logit_p.mean) / m_.logit_p.sd;
    const double z_value = (std::log(P.gg_p / nu) - m_.log_spend.mean) / m_.log_spend.sd;
    const double z_engage = (std::log(engagement) - m_.log_engagement.mean) / m_.log_engagement.sd;

    // Segment: the best score plus Gumbel noise (a multinomial logit in the traits).
    int segment = 0;
    double best = -1e300;
    for (int s = 0; s < gen::kNumSegments; ++s) {
      const gen::SegmentDef& d = gen::kSegments[s];
      const double score = d.intercept + d.w_frequency * z_freq + d.w_loyalty * z_loyal +
                           d.w_value * z_value + d.w_engagement * z_engage -
                           gen::kSegmentNoise * std::log(-std::log(Uniform(rng)));
      if (score > best) {
        best = score;
        segment = s;
      }
    }
    const gen::SegmentDef& seg = gen::kSegments[segment];

    // Signup: stratified over a linearly growing rate, so ids increase with signup time.
    const double g = P.signup_growth;
    const double u = (static_cast<double>(index) + Uniform(rng)) / static_cast<double>(P.customers);
    const double x = g > 1e-9 ? (-1.0 + std::sqrt(1.0 + 2.0 * g * u * (1.0 + g / 2.0))) / g : u;
    const int64_t signup_time =
        m_.start_time +
        static_cast<int64_t>(x * static_cast<double>(m_.span_days * kMicrosPerDay)) /
            kMicrosPerSecond * kMicrosPerSecond;
    const int64_t signup_day = DayOfTimestamp(signup_time);

    // Observable attributes, driven by the segment.
    const int channel = static_cast<int>(gen::Categorical(rng, seg.channel_weights));
    const int region = static_cast<int>(gen::Categorical(rng, gen::kRegionWeights));
    const int device = static_cast<int>(gen::Categorical(rng, seg.device_weights));
    const int64_t age =
        std::clamp<int64_t>(std::llround(seg.age_mean + 12.0 * gen::Normal(rng)), 18, 85);
    const double age_missing = (channel == 2 || channel == 5) ? 0.08 : 0.03;
    const bool age_null = Uniform(rng) < age_missing;
    const int gender = static_cast<int>(gen::Categorical(rng, kGenderWeights));
    const bool gender_null = Uniform(rng) < 0.03;
    const bool newsletter = Uniform(rng) < seg.newsletter_rate;
    const bool loyalty_member = Uniform(rng) < gen::Logistic(-1.5 + 1.0 * z_loyal + 0.5 * z_freq);
    const double income_score =
        0.8 * z_value + 0.02 * static_cast<double>(age - 40) + gen::Normal(rng);
    const int income = income_score < -0.6 ? 0 : (income_score < 0.8 ? 1 : 2);
    const bool income_null = Uniform(rng) < 0.12;
    const size_t first_name = rng() % kFirstNames.size();
    const size_t last_name = rng() % kLastNames.size();
    const size_t domain = rng() % kEmailDomains.size();
    const bool phone_null = Uniform(rng) < 0.15;
    const uint64_t phone_digits = rng() % 10'000'000;

    // Favourite categories, tilted by the segment's price preference and by gender for fashion.
    std::array<double, gen::kNumCategories> fav_w{};
    for (int c = 0; c < gen::kNumCategories; ++c) {
      fav_w[c] =
          gen::kCategories[c].share * std::exp(seg.price_preference * m_.category_price_z[c]);
      if (!gender_null && gender == 0 && c == 6) fav_w[c] *= 2.5;
      if (!gender_null && gender == 1 && c == 7) fav_w[c] *= 2.5;
    }
    prefs_.favourite[0] = static_cast<int>(gen::Categorical(rng, fav_w));
    fav_w[prefs_.favourite[0]] = 0;
    prefs_.favourite[1] = static_cast<int>(gen::Categorical(rng, fav_w));

    // Campaign and experiment draws come before purchases so their count is fixed.
    const bool in_campaign = signup_day < m_.campaign_day && Uniform(rng) < P.campaign_share;
    const double u_treat = Uniform(rng);
    const bool treated = u_treat < P.campaign_treated_share;
    // With two offers the contacted are split evenly by the same draw (no extra draw: every
    // other output stays as it is with one offer).
    const int arm = !treated                                                         ? 0
                    : P.campaign_arms == 2 && u_treat < P.campaign_treated_share / 2 ? 2
                                                                                     : 1;
    const double u_response = Uniform(rng);
    const double campaign_spend = gen::GammaRate(rng, P.gg_p, nu);
    const bool in_experiment =
        signup_day < m_.experiment_first_day && Uniform(rng) < P.experiment_share;
    const bool exp_treated = Uniform(rng) < 0.5;
    const int64_t exposure_day =
        m_.experiment_first_day + static_cast<int64_t>(Uniform(rng) * kExperimentDays);
    const double u_convert = Uniform(rng);
    const double exp_spend = gen::GammaRate(rng, P.gg_p, nu);

    // Purchases: BG/NBD (Fader, Hardie & Lee 2005). Birth at the first order; while active,
    // repeat orders arrive as a Poisson process with rate λ per week; after each repeat order the
    // customer drops out with probability p. Buying at all depends only on engagement, which is
    // independent of λ and p, so observed buyers are a fair sample of the BG/NBD population.
    const bool buyer = Uniform(rng) < std::min(0.98, P.buyer_share * (0.6 + 0.4 * engagement));
    const int64_t first_time =
        signup_time +
        static_cast<int64_t>(gen::Exponential(rng, P.first_purchase_delay_days) * kMicrosPerDay);
    order_times_.clear();
    bool alive = true;
    bool started = false;
    int64_t churn_time = 0;
    int64_t next_after_end = 0;
    if (buyer && first_time < m_.end_time) {
      started = true;
      double t = static_cast<double>(first_time);
      order_times_.push_back(first_time);
      for (;;) {
        t += gen::Exponential(rng, 1.0 / lambda) * static_cast<double>(kMicrosPerWeek);
        if (t >= static_cast<double>(m_.end_time)) {
          next_after_end = t >= 9e18 ? INT64_MAX : static_cast<int64_t>(t);
          break;
        }
        order_times_.push_back(static_cast<int64_t>(t));
        if (Uniform(rng) < p) {
          alive = false;
          break;
        }
      }
    }
    // Clock times follow the hourly profile (the day is kept, so the BG/NBD timing moves by less
    // than a day).
    for (int64_t& t : order_times_) {
      const int64_t day = DayOfTimestamp(t);
      const int hour = static_cast<int>(gen::Categorical(rng, gen::kHourly));
      const int64_t second = hour * 3600 + static_cast<int64_t>(Uniform(rng) * 3600);
      const int64_t moved = day * kMicrosPerDay + second * kMicrosPerSecond;
      t = moved >= signup_time ? moved : t / kMicrosPerSecond * kMicrosPerSecond;
    }
    std::sort(order_times_.begin(), order_times_.end());
    if (!alive) churn_time = order_times_.back();

    // Ground truth for the 30 days after the data: memoryless, so the draw that crossed the end
    // is the next order.
    const int64_t horizon_end = m_.end_time + kHorizonDays * kMicrosPerDay;
    double p30 = 0;
    bool bought_30 = false;
    if (started && alive) {
      p30 = 1.0 - std::exp(-lambda * kHorizonDays / 7.0);
      bought_30 = next_after_end < horizon_end;
    } else if (buyer && !started) {
      p30 = 1.0 - std::exp(-static_cast<double>(kHorizonDays) / P.first_purchase_delay_days);
      bought_30 = first_time < horizon_end;
    }

    // Orders and their lines; then the browsing and purchase-funnel events.
    events_.clear();
    const uint32_t first_order = static_cast<uint32_t>(out_.order_records.size());
    for (int64_t t : order_times_) MakeOrder(rng, id, t, nu);
    Browse(browse, signup_time, engagement,
           started ? (alive ? INT64_MAX : churn_time)
                   : (buyer ? INT64_MAX
                            : signup_time + static_cast<int64_t>(
                                                gen::Exponential(browse, kBrowserLifetimeDays) *
                                                kMicrosPerDay)));
    for (uint32_t o = first_order; o < out_.order_records.size(); ++o)
      Funnel(browse, out_.order_records[o], signup_time);
    std::stable_sort(events_.begin(), events_.end(),
                     [](const Event& a, const Event& b) { return a.time < b.time; });

    // --- customers.csv
    std::string& c = out_.customers;
    AppendInt(c, id);
    c += ',';
    AppendDate(c, signup_day);
    c += ',';
    c += gen::kChannels[channel];
    c += ',';
    c += gen::kRegions[region];
    c += ',';
    if (!age_null) AppendInt(c, age);
    c += ',';
    if (!gender_null) c += kGenders[gender];
    c += ',';
    c += gen::kDevices[device];
    c += ',';
    c += kFirstNames[first_name];
    c += '.';
    c += kLastNames[last_name];
    AppendInt(c, id);
    c += '@';
    c += kEmailDomains[domain];
    c += ',';
    if (!phone_null) {
      c += "+1-555-";
      const std::string digits = fmt::format("{:07d}", phone_digits);
      c.append(digits, 0, 3);
      c += '-';
      c.append(digits, 3, 4);
    }
    c += ',';
    AppendBool(c, newsletter);
    c += ',';
    AppendBool(c, loyalty_member);
    c += ',';
    if (!income_null) c += kIncomeBands[income];
    c += '\n';
    ++out_.customer_rows;

    // --- events.csv
    for (const Event& e : events_) {
      std::string& s = out_.events;
      AppendInt(s, id);
      s += ',';
      AppendTime(s, e.time, m_.date_text, m_.start_day);
      s += ',';
      s += kEventTypes[e.type];
      s += ',';
      AppendInt(s, e.item + 1);
      s += ',';
      AppendCents(s, e.value_cents);
      s += '\n';
    }
    out_.event_rows += static_cast<int64_t>(events_.size());

    // --- campaign.csv: response ~ Bernoulli(σ(base + τ_arm)); uplift = σ(base + τ) − σ(base).
    // The discount (arm 2) suits other customers than the e-mail: older ones on a desktop.
    Totals& tot = out_.totals;
    double base_prob = 0, uplift = 0, uplift_2 = 0;
    if (in_campaign) {
      const double base_logit = seg.response_base + 0.4 * newsletter + 0.25 * z_engage;
      const double tau =
          seg.uplift_logit + 0.35 * (device == 0) + 0.3 * (age < 30) - 0.3 * (channel == 1);
      const double tau_2 = seg.uplift_logit - 0.2 + 0.7 * (age >= 45) - 0.35 * (device == 0);
      base_prob = gen::Logistic(base_logit);
      uplift = gen::Logistic(base_logit + tau) - base_prob;
      uplift_2 = gen::Logistic(base_logit + tau_2) - base_prob;
      const bool response = u_response < base_prob + (arm == 1 ? uplift : arm == 2 ? uplift_2 : 0);
      std::string& s = out_.campaign;
      AppendInt(s, id);
      s += arm == 2 ? ",2," : arm == 1 ? ",1," : ",0,";
      s += response ? "1," : "0,";
      AppendCents(s, response ? RoundCents(campaign_spend) : 0);
      s += '\n';
      ++out_.campaign_rows;
      ++tot.campaign_rows;
      tot.campaign_treated += treated;
      tot.campaign_uplift_sum += uplift;
      tot.campaign_base_sum += base_prob;
      tot.segment_uplift_sum[segment] += uplift;
      ++tot.segment_campaign_count[segment];
    }

    // --- experiment.csv: conversion in the 14 days after exposure; treatment multiplies the
    // probability by (1 + lift). The pre-period revenue (CUPED covariate) comes from the orders.
    double p_control = 0;
    if (in_experiment) {
      const int64_t exposure = exposure_day * kMicrosPerDay;
      const bool active = !(started && !alive && churn_time < exposure);
      // A base rate high enough that the default +10 % lift is detectable at the quickstart's size
      // (docs/user/generate.md); at most 0.5, so that p·(1 + lift) stays a probability.
      p_control = 0.15 + 0.35 * (1.0 - std::exp(-2.0 * lambda)) * (active ? 1.0 : 0.0);
      const double p_conv = exp_treated ? p_control * (1.0 + P.experiment_lift) : p_control;
      const bool converted = u_convert < p_conv;
      int64_t pre_cents = 0;
      for (uint32_t o = first_order; o < out_.order_records.size(); ++o) {
        const Order& order = out_.order_records[o];
        if (order.time >= exposure - kPrePeriodDays * kMicrosPerDay && order.time < exposure) {
          pre_cents += order.total_cents;
        }
      }
      std::string& s = out_.experiment;
      AppendInt(s, id);
      s += exp_treated ? ",treatment," : ",control,";
      AppendDate(s, exposure_day);
      s += ',';
      AppendCents(s, pre_cents);
      s += converted ? ",1," : ",0,";
      AppendCents(s, converted ? RoundCents(exp_spend) : 0);
      s += '\n';
      ++out_.experiment_rows;
      ++tot.experiment_rows;
      tot.experiment_treated += exp_treated;
      tot.experiment_p0_sum += p_control;
    }

    // --- ground_truth.csv
    std::string& s = out_.truth;
    AppendInt(s, id);
    s += ',';
    AppendInt(s, segment);
    s += ',';
    s += seg.name;
    s += ',';
    AppendDouble(s, engagement);
    s += ',';
    AppendDouble(s, lambda);
    s += ',';
    AppendDouble(s, p);
    s += ',';
    AppendDouble(s, nu);
    s += ',';
    AppendDouble(s, P.gg_p / nu);
    s += ',';
    AppendBool(s, buyer);
    s += ',';
    if (started) AppendTime(s, order_times_.front(), m_.date_text, m_.start_day);
    s += ',';
    AppendInt(s, static_cast<int64_t>(order_times_.size()));
    s += ',';
    AppendBool(s, alive);
    s += ',';
    if (!alive) AppendDate(s, DayOfTimestamp(churn_time));
    s += ',';
    AppendDouble(s, p30);
    s += ',';
    AppendBool(s, bought_30);
    s += ',';
    if (in_campaign) AppendDouble(s, base_prob);
    s += ',';
    if (in_campaign) AppendDouble(s, uplift);
    s += ',';
    if (P.campaign_arms == 2) {
      if (in_campaign) AppendDouble(s, uplift_2);
      s += ',';
    }
    if (in_experiment) AppendDouble(s, p_control);
    s += ',';
    s += gen::kCategories[prefs_.favourite[0]].name;
    s += ',';
    s += gen::kCategories[prefs_.favourite[1]].name;
    s += '\n';

    ++tot.segment_count[segment];
    tot.lambda_sum += lambda;
    tot.p_sum += p;
    tot.buyers_observed += started;
    tot.alive += alive;
    tot.p30_sum += p30;
    tot.purchased_30 += bought_30;
  }

 private:
  // An item the customer looks at, at time t: from a favourite category 70% of the time, else
  // from the whole shop; within the category by popularity; only items already launched.
  int32_t ChooseItem(Rng& rng, int64_t t) const {
    const gen::Catalogue& cat = m_.catalogue;
    const double u = Uniform(rng);
    const int c = u < 0.35
                      ? prefs_.favourite[0]
                      : (u < 0.7 ? prefs_.favourite[1]
                                 : static_cast<int>(gen::Categorical(rng, m_.category_shares)));
    const auto& cum = cat.cum_popularity[c];
    const int64_t day = DayOfTimestamp(t);
    for (int attempt = 0; attempt < 8; ++attempt) {
      const double target = Uniform(rng) * cum.back();
      const size_t k =
          static_cast<size_t>(std::upper_bound(cum.begin(), cum.end(), target) - cum.begin());
      const int32_t item = cat.by_category[c][std::min(k, cum.size() - 1)];
      if (cat.launch_day[item] <= day) return item;
    }
    return cat.by_category[c].front();  // launched before the start by construction
  }

  // An order of value z ~ Gamma(p, ν): 1 + Poisson(0.5) lines share it (Dirichlet(2)); each line
  // takes the candidate item whose list price fits its share best, a quantity that fits, and a
  // paid unit price of share / quantity (list prices vary with promotions). The total is the
  // exact sum of the lines in cents.
  void MakeOrder(Rng& rng, int64_t customer_id, int64_t time, double nu) {
    const GenerateParams& P = m_.params;
    const gen::Catalogue& cat = m_.catalogue;
    const double value = gen::GammaRate(rng, P.gg_p, nu);
    const int num_lines = static_cast<int>(std::min<int64_t>(8, 1 + gen::Poisson(rng, 0.5)));
    std::array<double, 8> shares{};
    double share_sum = 0;
    for (int l = 0; l < num_lines; ++l) share_sum += shares[l] = gen::StandardGamma(rng, 2.0);
    Order order{customer_id, time, 0, 0, static_cast<uint32_t>(out_.lines.size()), 0};
    for (int l = 0; l < num_lines; ++l) {
      const double share = std::max(0.01, value * shares[l] / share_sum);
      int32_t best = -1;
      double best_fit = 1e300;
      for (int k = 0; k < 5; ++k) {
        const int32_t item = ChooseItem(rng, time);
        bool taken = false;
        for (uint32_t j = order.first_line; j < out_.lines.size(); ++j)
          taken |= out_.lines[j].item == item;
        const double fit =
            std::abs(std::log(static_cast<double>(cat.price_cents[item]) / 100.0 / share));
        if (!taken && fit < best_fit) {
          best_fit = fit;
          best = item;
        }
      }
      if (best < 0) {  // every candidate already in the basket: the share goes to the first line
        OrderLine& first = out_.lines[order.first_line];
        first.unit_cents += std::max<int64_t>(1, std::llround(share * 100.0 / first.quantity));
        continue;
      }
      const double list = static_cast<double>(cat.price_cents[best]) / 100.0;
      const int32_t quantity =
          static_cast<int32_t>(std::clamp<int64_t>(std::llround(share / list), 1, 10));
      out_.lines.push_back(
          {best, quantity, std::max<int64_t>(1, std::llround(share * 100.0 / quantity))});
    }
    order.num_lines = static_cast<uint32_t>(out_.lines.size()) - order.first_line;
    for (uint32_t j = order.first_line; j < out_.lines.size(); ++j) {
      order.total_cents += out_.lines[j].quantity * out_.lines[j].unit_cents;
      order.units += out_.lines[j].quantity;
    }
    out_.order_records.push_back(order);
  }

  // Browsing sessions: a Poisson process with rate sessions_per_week · engagement · weekly ·
  // yearly · hourly factors, fading after `lapse` (dropout, or the end of a non-buyer's
  // interest), simulated by thinning. A session is 1 + Poisson(1.5) views ~90 s apart; each
  // view is carted with probability 0.08.
  void Browse(Rng& rng, int64_t signup_time, double engagement, int64_t lapse) {
    const double rate_per_day =
        m_.params.sessions_per_week / 7.0 * engagement * m_.max_session_factor;
    if (rate_per_day <= 0) return;
    const double lapse_day =
        lapse == INT64_MAX ? 1e300 : static_cast<double>(lapse) / kMicrosPerDay;
    const double end_day = static_cast<double>(m_.end_time) / kMicrosPerDay;
    double t = static_cast<double>(signup_time) / kMicrosPerDay;
    for (;;) {
      t += gen::Exponential(rng, 1.0 / rate_per_day);
      if (t >= end_day || t > lapse_day + 7 * kDecayAfterLapseDays) break;
      const int64_t day = static_cast<int64_t>(std::floor(t));
      const int hour = static_cast<int>((t - static_cast<double>(day)) * 24.0);
      double accept = m_.daily_factor[day - m_.start_day] * gen::kHourly[std::min(hour, 23)] /
                      m_.max_session_factor;
      if (t > lapse_day) accept *= std::exp(-(t - lapse_day) / kDecayAfterLapseDays);
      if (Uniform(rng) >= accept) continue;
      int64_t time = static_cast<int64_t>(t * kMicrosPerDay) / kMicrosPerSecond * kMicrosPerSecond;
      const int64_t views = 1 + gen::Poisson(rng, 1.5);
      for (int64_t v = 0; v < views && time < m_.end_time; ++v) {
        const int32_t item = ChooseItem(rng, time);
        const int64_t price = m_.catalogue.price_cents[item];
        events_.push_back({time, item, kView, price});
        if (Uniform(rng) < 0.08) {
          const int64_t cart_time =
              time + (5 + static_cast<int64_t>(gen::Exponential(rng, 30))) * kMicrosPerSecond;
          if (cart_time < m_.end_time) events_.push_back({cart_time, item, kCart, price});
        }
        time += (1 + static_cast<int64_t>(gen::Exponential(rng, 90))) * kMicrosPerSecond;
      }
    }
  }

  // Each order line is viewed (10 minutes to 3 days before), carted (1–9 minutes before) and
  // purchased (at the order time, value = quantity × unit price).
  void Funnel(Rng& rng, const Order& order, int64_t signup_time) {
    for (uint32_t j = order.first_line; j < order.first_line + order.num_lines; ++j) {
      const OrderLine& line = out_.lines[j];
      const int64_t price = m_.catalogue.price_cents[line.item];
      const int64_t view_ago = 600 + static_cast<int64_t>(Uniform(rng) * (3 * 86400 - 600));
      const int64_t cart_ago = 60 + static_cast<int64_t>(Uniform(rng) * 480);
      events_.push_back({std::max(signup_time, order.time - view_ago * kMicrosPerSecond), line.item,
                         kView, price});
      events_.push_back({std::max(signup_time, order.time - cart_ago * kMicrosPerSecond), line.item,
                         kCart, price * line.quantity});
      events_.push_back({order.time, line.item, kPurchase, line.unit_cents * line.quantity});
    }
  }

  const Model& m_;
  BlockOut& out_;
  Prefs prefs_;
  std::vector<int64_t> order_times_;
  std::vector<Event> events_;
};

void FormatOrders(const Model& m, BlockOut& block, int64_t first_order_id) {
  int64_t order_id = first_order_id;
  for (const Order& o : block.order_records) {
    std::string& s = block.orders;
    AppendInt(s, order_id);
    s += ',';
    AppendInt(s, o.customer_id);
    s += ',';
    AppendTime(s, o.time, m.date_text, m.start_day);
    s += ',';
    AppendCents(s, o.total_cents);
    s += ',';
    AppendInt(s, o.units);
    s += '\n';
    for (uint32_t j = o.first_line; j < o.first_line + o.num_lines; ++j) {
      const OrderLine& line = block.lines[j];
      std::string& t = block.order_items;
      AppendInt(t, order_id);
      t += ',';
      AppendInt(t, line.item + 1);
      t += ',';
      AppendInt(t, line.quantity);
      t += ',';
      AppendCents(t, line.unit_cents);
      t += '\n';
    }
    ++order_id;
  }
}

// ---------------------------------------------------------------------------------------------
// Files: each is written to NAME.tmp and renamed when everything succeeded.

class OutFile {
 public:
  OutFile(std::string dir, std::string name, std::vector<std::string> columns)
      : name_(std::move(name)),
        path_(dir + "/" + name_),
        columns_(std::move(columns)),
        file_(path_, name_) {
    if (name_.ends_with(".csv")) Write(Join(columns_, ",") + "\n");
  }
  void Write(std::string_view text) { file_.Write(text); }
  void AddRows(int64_t n) { rows_ += n; }
  void Close() { file_.Close(); }
  void Commit() { file_.Commit(); }
  GeneratedFile Info() const { return {name_, path_, rows_, columns_}; }

 private:
  std::string name_;
  std::string path_;
  std::vector<std::string> columns_;
  OutputFile file_;  // removes NAME.tmp unless committed
  int64_t rows_ = 0;
};

std::string ItemsCsvBody(const gen::Catalogue& cat) {
  std::string s;
  for (size_t i = 0; i < cat.size(); ++i) {
    AppendInt(s, static_cast<int64_t>(i + 1));
    s += ',';
    s += cat.name[i];
    s += ',';
    s += gen::kCategories[cat.category[i]].name;
    s += ',';
    s += cat.brand[i];
    s += ',';
    AppendCents(s, cat.price_cents[i]);
    s += ',';
    AppendDate(s, cat.launch_day[i]);
    s += '\n';
  }
  return s;
}

nlohmann::json TruthJson(const Model& m, const Totals& t, const std::vector<GeneratedFile>& files) {
  const GenerateParams& P = m.params;
  const double n = static_cast<double>(P.customers);
  nlohmann::json segments = nlohmann::json::array();
  for (int s = 0; s < gen::kNumSegments; ++s) {
    const double count = static_cast<double>(t.segment_count[s]);
    const double in_campaign = static_cast<double>(t.segment_campaign_count[s]);
    segments.push_back({{"id", s},
                        {"name", gen::kSegments[s].name},
                        {"description", gen::kSegments[s].description},
                        {"customers", t.segment_count[s]},
                        {"share", count / n},
                        {"campaign_average_uplift",
                         in_campaign > 0 ? nlohmann::json(t.segment_uplift_sum[s] / in_campaign)
                                         : nlohmann::json()}});
  }
  const double exp_rows = static_cast<double>(t.experiment_rows);
  const double control_rate = exp_rows > 0 ? t.experiment_p0_sum / exp_rows : 0.0;
  const double camp_rows = static_cast<double>(t.campaign_rows);
  nlohmann::json file_list = nlohmann::json::array();
  for (const auto& f : files)
    file_list.push_back({{"name", f.name}, {"rows", f.rows}, {"columns", f.columns}});
  return {
      {"generator", "prospect generate"},
      {"format_version", 1},
      {"seed", P.seed},
      {"customers", P.customers},
      {"start_date", P.start_date},
      {"end_date", P.end_date},
      {"data_end", FormatTimestamp(m.end_time)},
      {"params", GenerateParams::Schema().ToJson(P)},
      {"bgnbd",
       {{"r", P.bgnbd_r},
        {"alpha", P.bgnbd_alpha},
        {"a", P.bgnbd_a},
        {"b", P.bgnbd_b},
        {"time_unit", "week"},
        {"mean_lambda", P.bgnbd_r / P.bgnbd_alpha},
        {"mean_p", P.bgnbd_a / (P.bgnbd_a + P.bgnbd_b)},
        {"sample_mean_lambda", t.lambda_sum / n},
        {"sample_mean_p", t.p_sum / n},
        {"customers_with_orders", t.buyers_observed},
        {"alive_at_end", t.alive}}},
      {"gamma_gamma",
       {{"p", P.gg_p},
        {"q", P.gg_q},
        {"gamma", P.gg_gamma},
        {"mean_order_value", P.gg_p * P.gg_gamma / (P.gg_q - 1)}}},
      {"segments", segments},
      {"propensity",
       {{"horizon_days", kHorizonDays},
        {"mean_p_purchase_30d", t.p30_sum / n},
        {"purchased_next_30d", t.purchased_30}}},
      {"campaign",
       {{"date", FormatDate(m.campaign_day)},
        {"customers", t.campaign_rows},
        {"treated", t.campaign_treated},
        {"arms", P.campaign_arms},
        {"treated_share",
         camp_rows > 0 ? static_cast<double>(t.campaign_treated) / camp_rows : 0.0},
        {"average_uplift", camp_rows > 0 ? t.campaign_uplift_sum / camp_rows : 0.0},
        {"mean_control_response", camp_rows > 0 ? t.campaign_base_sum / camp_rows : 0.0}}},
      {"experiment",
       {{"first_exposure_date", FormatDate(m.experiment_first_day)},
        {"last_exposure_date", FormatDate(m.experiment_first_day + kExperimentDays - 1)},
        {"conversion_window_days", kConversionDays},
        {"pre_period_days", kPrePeriodDays},
        {"customers", t.experiment_rows},
        {"treated", t.experiment_treated},
        {"true_relative_lift", P.experiment_lift},
        {"expected_control_rate", control_rate},
        {"expected_treatment_rate", control_rate * (1 + P.experiment_lift)},
        {"true_absolute_lift", control_rate * P.experiment_lift},
        {"revenue_relative_lift", P.experiment_lift}}},
      {"files", file_list},
  };
}

}  // namespace

GenerateSummary Generate(const GenerateParams& params, const std::string& out_dir,
                         const Context& ctx) {
  GenerateParams::Schema().Validate(params);
  Model model = BuildModel(params);
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec || !std::filesystem::is_directory(out_dir)) {
    Fail(ErrorCode::kIo, "cannot create the output folder {}: {}", QuoteForMessage(out_dir),
         ec ? ec.message() : "not a directory");
  }
  {
    Rng rng(DeriveSeed(static_cast<uint64_t>(params.seed), 0));
    model.catalogue = gen::BuildCatalogue(params.items, model.start_day, model.end_day, rng);
  }

  std::vector<std::unique_ptr<OutFile>> files;
  auto open = [&](const char* name, std::vector<std::string> columns) {
    files.push_back(std::make_unique<OutFile>(out_dir, name, std::move(columns)));
    return files.back().get();
  };
  // On an error every OutFile removes its NAME.tmp as `files` goes.
  OutFile* customers =
      open("customers.csv",
           {"customer_id", "signup_date", "channel", "region", "age", "gender", "device", "email",
            "phone", "newsletter_opt_in", "loyalty_member", "income_band"});
  OutFile* items =
      open("items.csv", {"item_id", "name", "category", "brand", "price", "launch_date"});
  OutFile* events = open("events.csv", {"customer_id", "timestamp", "type", "item_id", "value"});
  OutFile* orders =
      open("orders.csv", {"order_id", "customer_id", "order_date", "total", "n_items"});
  OutFile* order_items = open("order_items.csv", {"order_id", "item_id", "quantity", "unit_price"});
  OutFile* campaign = open("campaign.csv", {"customer_id", "treatment", "response", "spend"});
  OutFile* experiment = open("experiment.csv", {"customer_id", "variant", "exposure_date",
                                                "pre_revenue", "converted", "revenue"});
  std::vector<std::string> truth_columns = {"customer_id",
                                            "segment_id",
                                            "segment",
                                            "engagement",
                                            "lambda",
                                            "p_dropout",
                                            "nu",
                                            "mean_spend",
                                            "buyer",
                                            "first_purchase",
                                            "n_orders",
                                            "alive",
                                            "churn_date",
                                            "p_purchase_30d",
                                            "purchased_next_30d",
                                            "campaign_base_prob",
                                            "campaign_uplift",
                                            "experiment_p_control",
                                            "favourite_category_1",
                                            "favourite_category_2"};
  if (params.campaign_arms == 2) {
    const auto at = std::find(truth_columns.begin(), truth_columns.end(), "campaign_uplift");
    truth_columns.insert(at + 1, "campaign_uplift_2");
  }
  OutFile* truth = open("ground_truth.csv", truth_columns);

  items->Write(ItemsCsvBody(model.catalogue));
  items->AddRows(static_cast<int64_t>(model.catalogue.size()));

  const int threads = ctx.threads();
  const int64_t n = params.customers;
  const int64_t num_blocks = (n + kBlockSize - 1) / kBlockSize;
  const int64_t wave = std::max<int64_t>(8, 4 * threads);  // blocks held in memory at once
  Totals totals;
  int64_t next_order_id = 1;
  std::future<void> writing;
  for (int64_t wave_start = 0; wave_start < num_blocks; wave_start += wave) {
    ctx.ThrowIfCancelled();
    const int64_t wave_blocks = std::min(wave, num_blocks - wave_start);
    std::vector<BlockOut> blocks(static_cast<size_t>(wave_blocks));
    std::exception_ptr error;
#pragma omp parallel for num_threads(threads) schedule(dynamic)
    for (int64_t b = 0; b < wave_blocks; ++b) {
      try {
        BlockOut& out = blocks[b];
        CustomerSim sim(model, out);
        const int64_t first = (wave_start + b) * kBlockSize;
        const int64_t last = std::min(n, first + kBlockSize);
        for (int64_t i = first; i < last; ++i) sim.Run(i);
      } catch (...) {
#pragma omp critical(prospect_generate_error)
        if (!error) error = std::current_exception();
      }
    }
    if (error) std::rethrow_exception(error);
    std::vector<int64_t> first_ids(static_cast<size_t>(wave_blocks));
    for (int64_t b = 0; b < wave_blocks; ++b) {
      first_ids[b] = next_order_id;
      next_order_id += static_cast<int64_t>(blocks[b].order_records.size());
    }
#pragma omp parallel for num_threads(threads) schedule(dynamic)
    for (int64_t b = 0; b < wave_blocks; ++b) FormatOrders(model, blocks[b], first_ids[b]);
    for (const BlockOut& b : blocks) totals.Add(b.totals);
    // Write this wave on another thread while the next one is simulated; waves are written
    // one after another, in order.
    if (writing.valid()) writing.get();
    writing = std::async(std::launch::async, [&, wave_out = std::move(blocks)] {
      for (const BlockOut& b : wave_out) {
        customers->Write(b.customers);
        customers->AddRows(b.customer_rows);
        events->Write(b.events);
        events->AddRows(b.event_rows);
        orders->Write(b.orders);
        orders->AddRows(static_cast<int64_t>(b.order_records.size()));
        order_items->Write(b.order_items);
        order_items->AddRows(static_cast<int64_t>(b.lines.size()));
        campaign->Write(b.campaign);
        campaign->AddRows(b.campaign_rows);
        experiment->Write(b.experiment);
        experiment->AddRows(b.experiment_rows);
        truth->Write(b.truth);
        truth->AddRows(b.customer_rows);
      }
    });
    ctx.Progress("generate",
                 static_cast<uint64_t>(std::min(n, (wave_start + wave_blocks) * kBlockSize)),
                 static_cast<uint64_t>(n));
  }
  if (writing.valid()) writing.get();

  GenerateSummary summary;
  for (auto& f : files) {
    f->Close();
    summary.files.push_back(f->Info());
  }
  OutFile* json = open("ground_truth.json", {});
  summary.truth = TruthJson(model, totals, summary.files);
  json->Write(summary.truth.dump(2) + "\n");
  json->Close();
  summary.files.push_back(json->Info());
  for (auto& f : files) f->Commit();
  ctx.logger().debug("generated {} customers into {}", n, out_dir);
  return summary;
}

}  // namespace prospect
