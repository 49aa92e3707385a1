// Search spaces, grid and random search, and TPE (Bergstra et al. 2011) with hyperopt's adaptive
// Parzen bandwidths. Random draws use our own uniform/normal transforms of prospect::Rng so
// suggestions are identical across standard libraries.
#include "prospect/evaluate/search.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>

#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"

namespace prospect {
namespace {

double Uniform01(Rng& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

double StandardNormal(Rng& rng) {
  const double u1 = 1.0 - Uniform01(rng);  // (0, 1]
  const double u2 = Uniform01(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

double NormalCdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

// The continuous space TPE and the grid work in: log for log ranges; integers widened by ½ on
// each side so every integer has the same width.
struct Internal {
  double lo, hi;
};
Internal InternalBounds(const ParamRange& p) {
  if (p.kind == ParamKind::kInt) {
    return p.log ? Internal{std::log(p.low - 0.5), std::log(p.high + 0.5)}
                 : Internal{p.low - 0.5, p.high + 0.5};
  }
  return p.log ? Internal{std::log(p.low), std::log(p.high)} : Internal{p.low, p.high};
}
double ToInternal(const ParamRange& p, double value) { return p.log ? std::log(value) : value; }
nlohmann::json FromInternal(const ParamRange& p, double u) {
  double x = p.log ? std::exp(u) : u;
  if (p.kind == ParamKind::kInt) x = std::round(x);
  x = std::clamp(x, p.low, p.high);
  if (p.kind == ParamKind::kInt) return static_cast<int64_t>(x);
  return x;
}

size_t ChoiceIndex(const ParamRange& p, const nlohmann::json& value) {
  for (size_t k = 0; k < p.choices.size(); ++k) {
    if (p.choices[k] == value) return k;
  }
  return p.choices.size();
}

}  // namespace

void SearchSpace::Add(ParamRange range) {
  if (range.name.empty())
    Fail(ErrorCode::kInvalidArgument, "search space: a parameter has an empty name");
  for (const auto& p : params_) {
    if (p.name == range.name) {
      Fail(ErrorCode::kInvalidArgument, "search space: parameter {} is declared twice",
           QuoteForMessage(range.name));
    }
  }
  if (range.kind == ParamKind::kChoice) {
    if (range.choices.empty()) {
      Fail(ErrorCode::kInvalidArgument,
           "search space: parameter {} has no choices; give at least one value",
           QuoteForMessage(range.name));
    }
  } else {
    if (!std::isfinite(range.low) || !std::isfinite(range.high) || range.low > range.high) {
      Fail(ErrorCode::kInvalidArgument,
           "search space: parameter {} has an invalid range [{}, {}]; low must not exceed high",
           QuoteForMessage(range.name), range.low, range.high);
    }
    const double min_log = range.kind == ParamKind::kInt ? 1.0 : std::numeric_limits<double>::min();
    if (range.log && range.low < min_log) {
      Fail(ErrorCode::kInvalidArgument,
           "search space: log-scaled parameter {} needs low >= {}, got {}",
           QuoteForMessage(range.name), range.kind == ParamKind::kInt ? "1" : "a positive value",
           range.low);
    }
  }
  params_.push_back(std::move(range));
}

SearchSpace& SearchSpace::AddInt(std::string name, int64_t low, int64_t high, bool log) {
  Add({std::move(name),
       ParamKind::kInt,
       static_cast<double>(low),
       static_cast<double>(high),
       log,
       {}});
  return *this;
}

SearchSpace& SearchSpace::AddFloat(std::string name, double low, double high, bool log) {
  Add({std::move(name), ParamKind::kFloat, low, high, log, {}});
  return *this;
}

SearchSpace& SearchSpace::AddChoice(std::string name, std::vector<nlohmann::json> choices) {
  Add({std::move(name), ParamKind::kChoice, 0, 0, false, std::move(choices)});
  return *this;
}

SearchSpace SearchSpace::FromJson(const nlohmann::json& json) {
  if (!json.is_object())
    Fail(ErrorCode::kInvalidArgument, "search space: expected a JSON object of parameters");
  SearchSpace space;
  for (const auto& item : json.items()) {
    // Named references, not structured bindings: clang 14 (the fuzz build) cannot capture those.
    const std::string& name = item.key();
    const nlohmann::json& spec = item.value();
    auto bad = [&](std::string_view why) {
      Fail(ErrorCode::kInvalidArgument,
           "search space: parameter {} {}; expected {{\"type\": \"int\"|\"float\", \"low\": …, "
           "\"high\": …, "
           "\"log\": false}} or {{\"type\": \"choice\", \"choices\": […]}}",
           QuoteForMessage(name), why);
    };
    if (!spec.is_object() || !spec.contains("type") || !spec["type"].is_string())
      bad("has no \"type\"");
    const std::string type = spec["type"];
    if (type == "choice") {
      if (!spec.contains("choices") || !spec["choices"].is_array()) bad("has no \"choices\" array");
      space.AddChoice(name,
                      std::vector<nlohmann::json>(spec["choices"].begin(), spec["choices"].end()));
      continue;
    }
    if (type != "int" && type != "float")
      bad(fmt::format("has unknown type {}", QuoteForMessage(type)));
    if (!spec.contains("low") || !spec.contains("high") || !spec["low"].is_number() ||
        !spec["high"].is_number()) {
      bad("needs numeric \"low\" and \"high\"");
    }
    const bool log = spec.value("log", false);
    if (type == "int") {
      if (!spec["low"].is_number_integer() || !spec["high"].is_number_integer())
        bad("needs integer bounds");
      space.AddInt(name, spec["low"].get<int64_t>(), spec["high"].get<int64_t>(), log);
    } else {
      space.AddFloat(name, spec["low"].get<double>(), spec["high"].get<double>(), log);
    }
  }
  return space;
}

nlohmann::json SearchSpace::ToJson() const {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& p : params_) {
    if (p.kind == ParamKind::kChoice) {
      out[p.name] = {{"type", "choice"}, {"choices", p.choices}};
    } else if (p.kind == ParamKind::kInt) {
      out[p.name] = {{"type", "int"},
                     {"low", static_cast<int64_t>(p.low)},
                     {"high", static_cast<int64_t>(p.high)},
                     {"log", p.log}};
    } else {
      out[p.name] = {{"type", "float"}, {"low", p.low}, {"high", p.high}, {"log", p.log}};
    }
  }
  return out;
}

nlohmann::json SearchSpace::Sample(Rng& rng) const {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& p : params_) {
    if (p.kind == ParamKind::kChoice) {
      out[p.name] = p.choices[static_cast<size_t>(rng() % p.choices.size())];
    } else if (p.kind == ParamKind::kInt && !p.log) {
      const auto count = static_cast<uint64_t>(p.high - p.low) + 1;
      out[p.name] = static_cast<int64_t>(p.low) + static_cast<int64_t>(rng() % count);
    } else {
      const Internal b = InternalBounds(p);
      out[p.name] = FromInternal(p, b.lo + Uniform01(rng) * (b.hi - b.lo));
    }
  }
  return out;
}

void SearchSpace::Validate(const nlohmann::json& assignment) const {
  if (!assignment.is_object())
    Fail(ErrorCode::kInvalidArgument, "search: an assignment must be a JSON object");
  std::vector<std::string> names;
  for (const auto& p : params_) names.push_back(p.name);
  for (const auto& [key, value] : assignment.items()) {
    if (std::find(names.begin(), names.end(), key) == names.end()) {
      Fail(ErrorCode::kInvalidArgument,
           "search: parameter {} is not in the search space. {}Parameters: {}.",
           QuoteForMessage(key), DidYouMean(key, names), Join(names, ", "));
    }
  }
  for (const auto& p : params_) {
    if (!assignment.contains(p.name)) {
      Fail(ErrorCode::kInvalidArgument, "search: the assignment has no value for {}",
           QuoteForMessage(p.name));
    }
    const auto& v = assignment[p.name];
    if (p.kind == ParamKind::kChoice) {
      if (ChoiceIndex(p, v) == p.choices.size()) {
        Fail(ErrorCode::kInvalidArgument, "search: {} = {} is not one of the choices {}", p.name,
             v.dump(), nlohmann::json(p.choices).dump());
      }
      continue;
    }
    const bool ok_type = p.kind == ParamKind::kInt ? v.is_number_integer() : v.is_number();
    if (!ok_type || v.get<double>() < p.low || v.get<double>() > p.high) {
      Fail(ErrorCode::kInvalidArgument, "search: {} = {} is not {} in [{}, {}]", p.name, v.dump(),
           p.kind == ParamKind::kInt ? "an integer" : "a number", p.low, p.high);
    }
  }
}

std::vector<nlohmann::json> GridAssignments(const SearchSpace& space, size_t points_per_range,
                                            size_t max_points) {
  if (points_per_range < 1)
    Fail(ErrorCode::kInvalidArgument, "grid search: points per range must be at least 1");
  std::vector<std::vector<nlohmann::json>> axes;
  size_t total = 1;
  for (const auto& p : space.params()) {
    std::vector<nlohmann::json> axis;
    if (p.kind == ParamKind::kChoice) {
      axis = p.choices;
    } else if (p.kind == ParamKind::kInt &&
               p.high - p.low + 1 <= static_cast<double>(points_per_range)) {
      for (auto v = static_cast<int64_t>(p.low); v <= static_cast<int64_t>(p.high); ++v)
        axis.emplace_back(v);
    } else {
      // Evenly spaced between the bounds themselves (log-spaced for log ranges).
      const double lo = p.log ? std::log(p.low) : p.low, hi = p.log ? std::log(p.high) : p.high;
      for (size_t i = 0; i < points_per_range; ++i) {
        const double t = points_per_range == 1
                             ? 0.0
                             : static_cast<double>(i) / static_cast<double>(points_per_range - 1);
        // The ends are the bounds themselves (exp(log(low)) need not round-trip exactly).
        nlohmann::json v;
        if (i == 0 || i + 1 == points_per_range) {
          const double end = i == 0 ? p.low : p.high;
          v = p.kind == ParamKind::kInt ? nlohmann::json(static_cast<int64_t>(end))
                                        : nlohmann::json(end);
        } else {
          v = FromInternal(p, lo + t * (hi - lo));
        }
        if (axis.empty() || axis.back() != v) axis.push_back(std::move(v));
      }
    }
    if (total > max_points / axis.size()) {  // total · size > max_points, without overflow
      Fail(ErrorCode::kOutOfRange,
           "grid search: the grid has more than {} points (parameter {} multiplies it by {}); use "
           "fewer points per "
           "range, fewer choices, or random / bayes search",
           max_points, QuoteForMessage(p.name), axis.size());
    }
    total *= axis.size();
    axes.push_back(std::move(axis));
  }
  std::vector<nlohmann::json> grid;
  grid.reserve(total);
  std::vector<size_t> index(axes.size(), 0);
  for (size_t g = 0; g < total; ++g) {
    nlohmann::json a = nlohmann::json::object();
    for (size_t j = 0; j < axes.size(); ++j) a[space.params()[j].name] = axes[j][index[j]];
    grid.push_back(std::move(a));
    for (size_t j = axes.size(); j-- > 0;) {  // odometer: last parameter fastest
      if (++index[j] < axes[j].size()) break;
      index[j] = 0;
    }
  }
  return grid;
}

void Searcher::Observe(const nlohmann::json& assignment, double loss) {
  space_.Validate(assignment);
  trials_.push_back({assignment, loss});
}

const Trial* Searcher::best() const {
  const Trial* best = nullptr;
  for (const auto& t : trials_) {
    if (std::isfinite(t.loss) && (best == nullptr || t.loss < best->loss)) best = &t;
  }
  return best;
}

GridSearch::GridSearch(SearchSpace space, size_t points_per_range, size_t max_points)
    : Searcher(std::move(space)), grid_(GridAssignments(space_, points_per_range, max_points)) {}

nlohmann::json GridSearch::Suggest() {
  if (Exhausted()) {
    Fail(ErrorCode::kFailedPrecondition, "grid search: all {} grid points have been suggested",
         grid_.size());
  }
  return grid_[next_++];
}

RandomSearch::RandomSearch(SearchSpace space, uint64_t seed)
    : Searcher(std::move(space)), rng_(DeriveSeed(seed, 0)) {}

nlohmann::json RandomSearch::Suggest() { return space_.Sample(rng_); }

namespace {

// A mixture of Gaussians truncated to [lo, hi] (one Parzen estimator of TPE).
class TruncatedParzen {
 public:
  // hyperopt's adaptive_parzen_normal: the prior sits at the centre with the range as its width;
  // each observation's width is the larger gap to its sorted neighbours, clipped.
  TruncatedParzen(std::vector<double> obs, double lo, double hi, double prior_weight)
      : lo_(lo), hi_(hi) {
    const double prior_mu = 0.5 * (lo + hi), prior_sigma = hi - lo;
    std::sort(obs.begin(), obs.end());
    const auto prior_pos =
        static_cast<size_t>(std::lower_bound(obs.begin(), obs.end(), prior_mu) - obs.begin());
    mus_ = obs;
    mus_.insert(mus_.begin() + static_cast<std::ptrdiff_t>(prior_pos), prior_mu);
    const size_t m = mus_.size();
    sigmas_.assign(m, prior_sigma);
    if (m == 2) {
      sigmas_[1 - prior_pos] = 0.5 * prior_sigma;
    } else if (m > 2) {
      sigmas_[0] = mus_[1] - mus_[0];
      sigmas_[m - 1] = mus_[m - 1] - mus_[m - 2];
      for (size_t i = 1; i + 1 < m; ++i)
        sigmas_[i] = std::max(mus_[i] - mus_[i - 1], mus_[i + 1] - mus_[i]);
    }
    const double min_sigma = prior_sigma / std::min(100.0, 1.0 + static_cast<double>(m));
    for (auto& s : sigmas_) s = std::clamp(s, min_sigma, prior_sigma);
    sigmas_[prior_pos] = prior_sigma;
    weights_.assign(m, 1.0);
    weights_[prior_pos] = prior_weight;
    const double total = std::accumulate(weights_.begin(), weights_.end(), 0.0);
    for (size_t i = 0; i < m; ++i) {
      weights_[i] /= total;
      // Mass of each component inside the range, to renormalise the truncated density.
      const double mass =
          NormalCdf((hi - mus_[i]) / sigmas_[i]) - NormalCdf((lo - mus_[i]) / sigmas_[i]);
      log_norm_.push_back(std::log(weights_[i]) - std::log(std::max(mass, 1e-300)) -
                          std::log(sigmas_[i]) - 0.5 * std::log(2 * std::numbers::pi));
    }
  }

  double Sample(Rng& rng) const {
    double pick = Uniform01(rng);
    size_t c = 0;
    while (c + 1 < weights_.size() && pick >= weights_[c]) pick -= weights_[c++];
    for (int tries = 0; tries < 64; ++tries) {
      const double x = mus_[c] + sigmas_[c] * StandardNormal(rng);
      if (x >= lo_ && x <= hi_) return x;
    }
    return lo_ + Uniform01(rng) * (hi_ - lo_);  // a component far outside the range: fall back
  }

  double LogPdf(double x) const {
    double max_term = -std::numeric_limits<double>::infinity();
    std::vector<double> terms(mus_.size());
    for (size_t i = 0; i < mus_.size(); ++i) {
      const double z = (x - mus_[i]) / sigmas_[i];
      terms[i] = log_norm_[i] - 0.5 * z * z;
      max_term = std::max(max_term, terms[i]);
    }
    double sum = 0;
    for (double t : terms) sum += std::exp(t - max_term);
    return max_term + std::log(sum);
  }

 private:
  double lo_, hi_;
  std::vector<double> mus_, sigmas_, weights_, log_norm_;
};

}  // namespace

TpeSearch::TpeSearch(SearchSpace space, uint64_t seed, TpeOptions options)
    : Searcher(std::move(space)), rng_(DeriveSeed(seed, 1)), options_(options) {
  if (!(options_.gamma > 0 && options_.gamma < 1)) {
    Fail(ErrorCode::kInvalidArgument, "TPE: gamma must lie strictly between 0 and 1, got {}",
         options_.gamma);
  }
  if (options_.n_candidates < 1 || options_.max_good < 1 || !(options_.prior_weight > 0)) {
    Fail(ErrorCode::kInvalidArgument,
         "TPE: n_candidates and max_good must be at least 1 and prior_weight positive");
  }
}

nlohmann::json TpeSearch::Suggest() {
  const size_t n = trials_.size();
  if (n < std::max<size_t>(options_.n_startup, 2)) return space_.Sample(rng_);
  // Split by loss; failed trials (NaN/inf) sort last, i.e. always "bad".
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  auto key = [&](size_t i) {
    return std::isfinite(trials_[i].loss) ? trials_[i].loss
                                          : std::numeric_limits<double>::infinity();
  };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return key(a) < key(b); });
  size_t n_good = static_cast<size_t>(std::ceil(options_.gamma * static_cast<double>(n)));
  n_good = std::clamp<size_t>(n_good, 1, std::min(options_.max_good, n - 1));

  const auto& params = space_.params();
  struct Model {
    std::unique_ptr<TruncatedParzen> good, bad;  // numbers
    std::vector<double> good_p, bad_p;           // choices
  };
  std::vector<Model> models(params.size());
  for (size_t j = 0; j < params.size(); ++j) {
    const ParamRange& p = params[j];
    if (p.kind == ParamKind::kChoice) {
      const double k = static_cast<double>(p.choices.size());
      models[j].good_p.assign(p.choices.size(), options_.prior_weight);
      models[j].bad_p.assign(p.choices.size(), options_.prior_weight);
      for (size_t r = 0; r < n; ++r) {
        const size_t c = ChoiceIndex(p, trials_[order[r]].params[p.name]);
        (r < n_good ? models[j].good_p : models[j].bad_p)[c] += 1.0;
      }
      for (auto& v : models[j].good_p) v /= static_cast<double>(n_good) + k * options_.prior_weight;
      for (auto& v : models[j].bad_p)
        v /= static_cast<double>(n - n_good) + k * options_.prior_weight;
      continue;
    }
    const Internal b = InternalBounds(p);
    if (!(b.hi > b.lo)) continue;  // a fixed float: nothing to model
    std::vector<double> good, bad;
    for (size_t r = 0; r < n; ++r) {
      const double u = ToInternal(p, trials_[order[r]].params[p.name].get<double>());
      (r < n_good ? good : bad).push_back(u);
    }
    models[j].good =
        std::make_unique<TruncatedParzen>(std::move(good), b.lo, b.hi, options_.prior_weight);
    models[j].bad =
        std::make_unique<TruncatedParzen>(std::move(bad), b.lo, b.hi, options_.prior_weight);
  }

  nlohmann::json best;
  double best_score = -std::numeric_limits<double>::infinity();
  for (size_t c = 0; c < options_.n_candidates; ++c) {
    nlohmann::json candidate = nlohmann::json::object();
    double score = 0;
    for (size_t j = 0; j < params.size(); ++j) {
      const ParamRange& p = params[j];
      const Model& m = models[j];
      if (p.kind == ParamKind::kChoice) {
        double pick = Uniform01(rng_);
        size_t k = 0;
        while (k + 1 < m.good_p.size() && pick >= m.good_p[k]) pick -= m.good_p[k++];
        candidate[p.name] = p.choices[k];
        score += std::log(m.good_p[k]) - std::log(m.bad_p[k]);
      } else if (!m.good) {
        candidate[p.name] = FromInternal(p, p.low);
      } else {
        const double u = m.good->Sample(rng_);
        candidate[p.name] = FromInternal(p, u);
        score += m.good->LogPdf(u) - m.bad->LogPdf(u);
      }
    }
    if (best.is_null() || score > best_score) {
      best = std::move(candidate);
      best_score = score;
    }
  }
  return best;
}

std::unique_ptr<Searcher> MakeSearcher(std::string_view method, SearchSpace space, uint64_t seed) {
  if (method == "grid") return std::make_unique<GridSearch>(std::move(space));
  if (method == "random") return std::make_unique<RandomSearch>(std::move(space), seed);
  if (method == "bayes" || method == "tpe")
    return std::make_unique<TpeSearch>(std::move(space), seed);
  const std::vector<std::string> valid = {"grid", "random", "bayes"};
  Fail(ErrorCode::kInvalidArgument,
       "Unknown search method {}. {}Valid methods: grid, random, bayes.", QuoteForMessage(method),
       DidYouMean(method, valid));
}

}  // namespace prospect
