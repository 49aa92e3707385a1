// Platt scaling (Newton on sklearn's smoothed-target objective) and isotonic regression (sklearn's
// in-place pool-adjacent-violators, knot trimming and scipy interp1d interpolation).
#include "prospect/evaluate/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "evaluate/checks.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"

namespace prospect {
namespace {

using evaluate_internal::CheckWeights;

// log(1 + e^z) without overflow.
double Softplus(double z) { return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z)); }

void CheckPairs(std::string_view what, std::span<const double> x, std::span<const double> y,
                std::span<const double> weights) {
  if (x.size() != y.size()) {
    Fail(ErrorCode::kInvalidData, "{}: scores and labels have different lengths ({} vs {})", what,
         x.size(), y.size());
  }
  if (x.empty()) Fail(ErrorCode::kInvalidData, "{}: no rows to fit on", what);
  if (!weights.empty() && weights.size() != x.size()) {
    Fail(ErrorCode::kInvalidData, "{}: {} weights for {} rows; give one weight per row or none",
         what, weights.size(), x.size());
  }
  for (size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i]))
      Fail(ErrorCode::kInvalidData, "{}: scores must be finite, but row {} has {}", what, i, x[i]);
    if (!std::isfinite(y[i]))
      Fail(ErrorCode::kInvalidData, "{}: targets must be finite, but row {} has {}", what, i, y[i]);
  }
  CheckWeights(what, weights);
}

}  // namespace

void PlattCalibrator::Fit(std::span<const double> scores, std::span<const double> y,
                          std::span<const double> weights) {
  CheckPairs("Platt calibration", scores, y, weights);
  const size_t n = scores.size();
  auto w_at = [&](size_t i) { return weights.empty() ? 1.0 : weights[i]; };
  double prior0 = 0, prior1 = 0;
  for (size_t i = 0; i < n; ++i) {
    if (y[i] != 0.0 && y[i] != 1.0) {
      Fail(ErrorCode::kInvalidData, "Platt calibration: labels must be 0 or 1, but row {} has {}",
           i, y[i]);
    }
    (y[i] > 0 ? prior1 : prior0) += w_at(i);
  }
  if (prior0 <= 0 || prior1 <= 0) {
    Fail(ErrorCode::kInvalidData,
         "Platt calibration needs both classes, but every weighted row is {}; fit it on held-out "
         "predictions "
         "that contain positives and negatives",
         prior1 > 0 ? 1 : 0);
  }
  // Platt's targets: a Bayesian prior keeps the sigmoid from overfitting separable scores.
  const double t_pos = (prior1 + 1.0) / (prior1 + 2.0), t_neg = 1.0 / (prior0 + 2.0);
  auto target = [&](size_t i) { return y[i] > 0 ? t_pos : t_neg; };
  // Objective in z = a·f + b, with P = σ(−z): loss = t·softplus(z) + (1 − t)·softplus(−z).
  auto objective = [&](double a, double b) {
    double sum = 0;
    for (size_t i = 0; i < n; ++i) {
      const double z = a * scores[i] + b, t = target(i);
      sum += w_at(i) * (t * Softplus(z) + (1 - t) * Softplus(-z));
    }
    return sum;
  };
  double a = 0.0, b = std::log((prior0 + 1.0) / (prior1 + 1.0));
  double loss = objective(a, b);
  double weight_total = prior0 + prior1;
  for (int iter = 0; iter < 200; ++iter) {
    double ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0;
    for (size_t i = 0; i < n; ++i) {
      const double f = scores[i], z = a * f + b, p = 1.0 / (1.0 + std::exp(z)), w = w_at(i);
      const double r = w * (target(i) - p);  // dL/dz
      const double h = w * p * (1 - p);
      ga += r * f;
      gb += r;
      haa += h * f * f;
      hab += h * f;
      hbb += h;
    }
    if (std::max(std::abs(ga), std::abs(gb)) < 1e-13 * std::max(1.0, weight_total)) break;
    // A tiny ridge keeps the 2×2 system solvable if all scores are equal (then a is unidentified).
    const double ridge = 1e-12 * std::max(1.0, haa + hbb);
    haa += ridge;
    hbb += ridge;
    const double det = haa * hbb - hab * hab;
    double da = -(hbb * ga - hab * gb) / det, db = -(haa * gb - hab * ga) / det;
    // Backtracking (Armijo) line search: Newton on a convex loss, guarded against overshoot.
    double step = 1.0, new_loss = objective(a + da, b + db);
    const double slope = ga * da + gb * db;
    while (new_loss > loss + 1e-4 * step * slope && step > 1e-10) {
      step *= 0.5;
      new_loss = objective(a + step * da, b + step * db);
    }
    a += step * da;
    b += step * db;
    const bool stalled = std::abs(step * da) < 1e-15 * std::max(1.0, std::abs(a)) &&
                         std::abs(step * db) < 1e-15 * std::max(1.0, std::abs(b));
    loss = new_loss;
    if (stalled) break;
  }
  a_ = a;
  b_ = b;
  fitted_ = true;
}

double PlattCalibrator::Predict(double score) const {
  if (!fitted_)
    Fail(ErrorCode::kFailedPrecondition, "Platt calibration: Predict called before Fit");
  return 1.0 / (1.0 + std::exp(a_ * score + b_));
}

std::vector<double> PlattCalibrator::Predict(std::span<const double> scores) const {
  std::vector<double> out(scores.size());
  for (size_t i = 0; i < scores.size(); ++i) out[i] = Predict(scores[i]);
  return out;
}

nlohmann::json PlattCalibrator::ToJson() const {
  if (!fitted_) Fail(ErrorCode::kFailedPrecondition, "Platt calibration: cannot save before Fit");
  return {{"method", "platt"}, {"a", a_}, {"b", b_}};
}

PlattCalibrator PlattCalibrator::FromJson(const nlohmann::json& json) {
  if (!json.is_object() || json.value("method", "") != "platt" || !json.contains("a") ||
      !json.contains("b") || !json["a"].is_number() || !json["b"].is_number()) {
    Fail(ErrorCode::kInvalidData,
         "not a Platt calibrator: expected {{\"method\": \"platt\", \"a\": number, \"b\": "
         "number}}, got {}",
         json.dump().substr(0, 200));
  }
  PlattCalibrator out;
  out.a_ = json["a"].get<double>();
  out.b_ = json["b"].get<double>();
  if (!std::isfinite(out.a_) || !std::isfinite(out.b_)) {
    Fail(ErrorCode::kInvalidData, "Platt calibrator: a and b must be finite");
  }
  out.fitted_ = true;
  return out;
}

namespace {

// sklearn's _inplace_contiguous_isotonic_regression: single pass with backtracking. Blocks are
// tracked by target[start] = end and target[end] = start; a block starts a new pool only when
// it is strictly below the next one (equal neighbours are pooled).
void PoolAdjacentViolators(std::vector<double>& y, std::vector<double>& w) {
  const size_t n = y.size();
  std::vector<size_t> target(n);
  std::iota(target.begin(), target.end(), size_t{0});
  size_t i = 0;
  while (i < n) {
    size_t k = target[i] + 1;
    if (k == n) break;
    if (y[i] < y[k]) {
      i = k;
      continue;
    }
    double sum_wy = w[i] * y[i], sum_w = w[i];
    while (true) {
      const double prev_y = y[k];
      sum_wy += w[k] * y[k];
      sum_w += w[k];
      k = target[k] + 1;
      if (k == n || prev_y < y[k]) {
        y[i] = sum_wy / sum_w;
        w[i] = sum_w;
        target[i] = k - 1;
        target[k - 1] = i;
        if (i > 0) i = target[i - 1];
        break;
      }
    }
  }
  i = 0;
  while (i < n) {
    const size_t k = target[i] + 1;
    for (size_t j = i + 1; j < k; ++j) y[j] = y[i];
    i = k;
  }
}

}  // namespace

void IsotonicCalibrator::Fit(std::span<const double> scores, std::span<const double> y,
                             std::span<const double> weights) {
  CheckPairs("isotonic calibration", scores, y, weights);
  std::vector<size_t> order;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (weights.empty() || weights[i] > 0) order.push_back(i);
  }
  // np.lexsort((y, X)): by score, then by target.
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return scores[a] != scores[b] ? scores[a] < scores[b] : (y[a] != y[b] ? y[a] < y[b] : a < b);
  });
  // sklearn's _make_unique: scores within float64 resolution (1e-15) of a group's first score join
  // it, and its target is the weighted mean.
  constexpr double kResolution = 1e-15;
  std::vector<double> ux, uy, uw;
  double current_x = scores[order[0]], current_y = 0, current_w = 0;
  for (size_t i : order) {
    const double w = weights.empty() ? 1.0 : weights[i];
    if (scores[i] - current_x >= kResolution) {
      ux.push_back(current_x);
      uw.push_back(current_w);
      uy.push_back(current_y / current_w);
      current_x = scores[i];
      current_w = w;
      current_y = y[i] * w;
    } else {
      current_w += w;
      current_y += y[i] * w;
    }
  }
  ux.push_back(current_x);
  uw.push_back(current_w);
  uy.push_back(current_y / current_w);
  PoolAdjacentViolators(uy, uw);
  // Keep the ends and every knot where the fitted value changes on either side.
  x_.clear();
  y_.clear();
  const size_t m = uy.size();
  for (size_t j = 0; j < m; ++j) {
    const bool keep = j == 0 || j + 1 == m || uy[j] != uy[j - 1] || uy[j] != uy[j + 1];
    if (keep) {
      x_.push_back(ux[j]);
      y_.push_back(uy[j]);
    }
  }
}

double IsotonicCalibrator::Predict(double score) const {
  if (x_.empty())
    Fail(ErrorCode::kFailedPrecondition, "isotonic calibration: Predict called before Fit");
  if (std::isnan(score)) return score;
  if (x_.size() == 1) return y_[0];
  const double t = std::clamp(score, x_.front(), x_.back());
  // scipy interp1d(kind="linear"): searchsorted left, clipped to [1, n − 1].
  size_t hi = static_cast<size_t>(std::lower_bound(x_.begin(), x_.end(), t) - x_.begin());
  hi = std::clamp<size_t>(hi, 1, x_.size() - 1);
  const size_t lo = hi - 1;
  const double slope = (y_[hi] - y_[lo]) / (x_[hi] - x_[lo]);
  return slope * (t - x_[lo]) + y_[lo];
}

std::vector<double> IsotonicCalibrator::Predict(std::span<const double> scores) const {
  std::vector<double> out(scores.size());
  for (size_t i = 0; i < scores.size(); ++i) out[i] = Predict(scores[i]);
  return out;
}

nlohmann::json IsotonicCalibrator::ToJson() const {
  if (x_.empty())
    Fail(ErrorCode::kFailedPrecondition, "isotonic calibration: cannot save before Fit");
  return {{"method", "isotonic"}, {"x", x_}, {"y", y_}};
}

IsotonicCalibrator IsotonicCalibrator::FromJson(const nlohmann::json& json) {
  auto bad = [&](std::string_view why) {
    Fail(ErrorCode::kInvalidData,
         "not an isotonic calibrator ({}): expected {{\"method\": \"isotonic\", \"x\": [...], "
         "\"y\": [...]}}",
         why);
  };
  if (!json.is_object() || json.value("method", "") != "isotonic")
    bad("method is not \"isotonic\"");
  if (!json.contains("x") || !json.contains("y") || !json["x"].is_array() ||
      !json["y"].is_array()) {
    bad("x and y must be arrays");
  }
  IsotonicCalibrator out;
  for (const auto& v : json["x"]) {
    if (!v.is_number()) bad("x holds a non-number");
    out.x_.push_back(v.get<double>());
  }
  for (const auto& v : json["y"]) {
    if (!v.is_number()) bad("y holds a non-number");
    out.y_.push_back(v.get<double>());
  }
  if (out.x_.empty() || out.x_.size() != out.y_.size())
    bad("x and y must be non-empty and of equal length");
  for (size_t i = 0; i < out.x_.size(); ++i) {
    if (!std::isfinite(out.x_[i]) || !std::isfinite(out.y_[i])) bad("knots must be finite");
    if (i > 0 && (out.x_[i] <= out.x_[i - 1] || out.y_[i] < out.y_[i - 1])) {
      bad("x must increase strictly and y must not decrease");
    }
  }
  return out;
}

namespace {
constexpr double kLogitClip = 1e-12;
double Logit(double p) {
  const double q = std::clamp(p, kLogitClip, 1 - kLogitClip);
  return std::log(q / (1 - q));
}
void CheckProbabilities(std::span<const double> p) {
  for (size_t i = 0; i < p.size(); ++i) {
    if (!(p[i] >= 0 && p[i] <= 1)) {
      Fail(ErrorCode::kInvalidData,
           "calibration: probabilities must lie in [0, 1], but row {} has {}", i, p[i]);
    }
  }
}
}  // namespace

ProbabilityCalibrator ProbabilityCalibrator::Fit(const std::string& method,
                                                 std::span<const double> p,
                                                 std::span<const double> y) {
  CheckProbabilities(p);
  ProbabilityCalibrator out;
  out.method_ = method;
  if (method == "platt") {
    std::vector<double> z(p.size());
    for (size_t i = 0; i < p.size(); ++i) z[i] = Logit(p[i]);
    out.platt_.emplace().Fit(z, y);
  } else if (method == "isotonic") {
    for (size_t i = 0; i < y.size(); ++i) {
      if (y[i] != 0.0 && y[i] != 1.0) {
        Fail(ErrorCode::kInvalidData,
             "isotonic calibration: labels must be 0 or 1, but row {} has {}", i, y[i]);
      }
    }
    const double positives = std::accumulate(y.begin(), y.end(), 0.0);
    if (positives == 0 || positives == static_cast<double>(y.size())) {
      Fail(ErrorCode::kInvalidData,
           "isotonic calibration needs both classes, but every row is {}; fit it on held-out "
           "predictions that contain positives and negatives",
           positives > 0 ? 1 : 0);
    }
    out.isotonic_.emplace().Fit(p, y);
  } else {
    Fail(ErrorCode::kInvalidArgument, "calibration method {}: use platt or isotonic",
         QuoteForMessage(method));
  }
  return out;
}

std::vector<double> ProbabilityCalibrator::Apply(std::span<const double> p) const {
  std::vector<double> out(p.size());
  for (size_t i = 0; i < p.size(); ++i) {
    out[i] = platt_ ? platt_->Predict(Logit(p[i])) : isotonic_ ? isotonic_->Predict(p[i]) : p[i];
  }
  return out;
}

nlohmann::json ProbabilityCalibrator::ToJson() const {
  if (platt_) {
    nlohmann::json j = platt_->ToJson();
    j["input"] = "logit";
    return j;
  }
  if (isotonic_) return isotonic_->ToJson();
  Fail(ErrorCode::kFailedPrecondition, "calibration: nothing fitted to save");
}

ProbabilityCalibrator ProbabilityCalibrator::FromJson(const nlohmann::json& json) {
  const std::string method = json.is_object() ? json.value("method", "") : "";
  ProbabilityCalibrator out;
  out.method_ = method;
  if (method == "platt") {
    if (json.value("input", "") != "logit") {
      Fail(ErrorCode::kInvalidData,
           "Platt calibration of a model: expected \"input\": \"logit\", got {}",
           json.dump().substr(0, 200));
    }
    out.platt_ = PlattCalibrator::FromJson(json);
  } else if (method == "isotonic") {
    out.isotonic_ = IsotonicCalibrator::FromJson(json);
  } else {
    Fail(ErrorCode::kInvalidData, "model calibration: method must be platt or isotonic, got {}",
         json.dump().substr(0, 200));
  }
  return out;
}

}  // namespace prospect
