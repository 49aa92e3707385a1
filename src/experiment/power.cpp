// Power and sample size (normal approximation), as statsmodels NormalIndPower. Root finding is
// bisection on a monotone function, to well below statsmodels' own brentq tolerance.
#include "prospect/experiment/power.hpp"

#include <cmath>

#include "prospect/common/error.hpp"
#include "prospect/experiment/stats.hpp"

namespace prospect::experiment {
namespace {

void CheckInputs(double alpha, double power, double ratio) {
  if (!(alpha > 0.0 && alpha < 1.0)) {
    Fail(ErrorCode::kOutOfRange,
         "alpha {} is out of range: it must be strictly between 0 and 1 (e.g. --alpha 0.05)",
         alpha);
  }
  if (!(power > alpha && power < 1.0)) {
    Fail(ErrorCode::kOutOfRange,
         "power {} is out of range: it must be between alpha ({}) and 1 (e.g. --power 0.8)", power,
         alpha);
  }
  if (!(ratio > 0.0 && std::isfinite(ratio))) {
    Fail(ErrorCode::kOutOfRange,
         "ratio {} is out of range: treatment units per control unit must be positive", ratio);
  }
}

// Bisection in log space between lo and hi for an increasing function f with f(lo) < 0 < f(hi).
template <typename F>
double SolveIncreasing(F f, double lo, double hi) {
  for (int it = 0; it < 300 && hi / lo - 1.0 > 1e-15; ++it) {
    const double mid = std::sqrt(lo * hi);
    (f(mid) < 0.0 ? lo : hi) = mid;
  }
  return std::sqrt(lo * hi);
}

}  // namespace

double NormalIndPower(double effect_size, double nobs1, double alpha, double ratio) {
  const double nobs = 1.0 / (1.0 / nobs1 + 1.0 / (nobs1 * ratio));
  const double crit = NormalQuantile(1.0 - alpha / 2.0);
  const double shift = effect_size * std::sqrt(nobs);
  return NormalSf(crit - shift) + NormalCdf(-crit - shift);
}

double SolveNobs1(double effect_size, double alpha, double power, double ratio) {
  CheckInputs(alpha, power, ratio);
  const double d = std::fabs(effect_size);
  if (!(d > 0.0) || !std::isfinite(d)) {
    Fail(ErrorCode::kOutOfRange,
         "effect size {} must be non-zero and finite (check --mde and --baseline)", effect_size);
  }
  auto f = [&](double n) { return NormalIndPower(d, n, alpha, ratio) - power; };
  double lo = 1e-6, hi = 10.0;
  while (f(hi) < 0.0) hi *= 10.0;
  return SolveIncreasing(f, lo, hi);
}

double SolveEffectSize(double nobs1, double alpha, double power, double ratio) {
  CheckInputs(alpha, power, ratio);
  if (!(nobs1 > 0.0)) Fail(ErrorCode::kOutOfRange, "sample size {} must be positive", nobs1);
  auto f = [&](double d) { return NormalIndPower(d, nobs1, alpha, ratio) - power; };
  double lo = 1e-12, hi = 1.0;
  while (f(hi) < 0.0) hi *= 10.0;
  return SolveIncreasing(f, lo, hi);
}

double ProportionEffectSize(double p2, double p1) {
  return 2.0 * std::asin(std::sqrt(p2)) - 2.0 * std::asin(std::sqrt(p1));
}

double ProportionFromEffectSize(double h, double p1) {
  const double angle = (h + 2.0 * std::asin(std::sqrt(p1))) / 2.0;
  if (angle < 0.0 || angle > M_PI / 2.0) return std::nan("");
  const double s = std::sin(angle);
  return s * s;
}

double DurationDays(int64_t total, double daily_traffic, double traffic_share) {
  if (!(daily_traffic > 0.0)) {
    Fail(ErrorCode::kInvalidArgument, "daily traffic {} must be positive (--daily-traffic)",
         daily_traffic);
  }
  if (!(traffic_share > 0.0 && traffic_share <= 1.0)) {
    Fail(ErrorCode::kOutOfRange, "traffic share {} is out of range (0, 1] (--traffic)",
         traffic_share);
  }
  return static_cast<double>(total) / (daily_traffic * traffic_share);
}

}  // namespace prospect::experiment

namespace prospect::experiment {

PowerPlan PlanSampleSize(double effect_size, double alpha, double power, double ratio,
                         double daily_traffic, double traffic_share) {
  PowerPlan plan;
  plan.effect_size = effect_size;
  plan.nobs1_exact = SolveNobs1(effect_size, alpha, power, ratio);
  // Guard against 1000.0000000001 rounding up to 1001.
  plan.nobs_control = static_cast<int64_t>(std::ceil(plan.nobs1_exact - 1e-9));
  plan.nobs_treatment = static_cast<int64_t>(std::ceil(plan.nobs1_exact * ratio - 1e-9));
  plan.total = plan.nobs_control + plan.nobs_treatment;
  if (daily_traffic > 0.0) plan.days = DurationDays(plan.total, daily_traffic, traffic_share);
  return plan;
}

PowerResult PlanPower(const PowerRequest& req) {
  PowerResult out;
  out.request = req;
  out.binary = !(req.sd && *req.sd > 0);
  const double baseline = req.baseline.value_or(-1);
  if (out.binary && !(baseline > 0 && baseline < 1)) {
    Fail(ErrorCode::kInvalidArgument,
         "baseline is missing or not a rate in (0, 1): give the control rate for a "
         "conversion metric, or sd (and the baseline mean, when relative is set) for a continuous "
         "one");
  }
  if (req.nobs_control) {
    const double n = *req.nobs_control;
    if (!(n > 0))
      Fail(ErrorCode::kInvalidArgument, "nobs_control {}: expected a positive number of units", n);
    out.effect_size = SolveEffectSize(n, req.alpha, req.power, req.ratio);
    out.mde_absolute = out.binary ? ProportionFromEffectSize(out.effect_size, baseline) - baseline
                                  : out.effect_size * *req.sd;
    if (baseline > 0) out.mde_relative = out.mde_absolute / baseline;
    return out;
  }
  if (!(req.mde && *req.mde > 0)) {
    Fail(ErrorCode::kInvalidArgument,
         "mde is missing: give the effect to detect (absolute, or relative to the baseline "
         "when relative is set), or nobs_control to get the minimum detectable effect");
  }
  out.mde_absolute = *req.mde;
  if (req.relative) {
    if (!(baseline > 0))
      Fail(ErrorCode::kInvalidArgument,
           "relative is set but baseline is missing: give the control mean or rate");
    out.mde_absolute = *req.mde * baseline;
  }
  out.effect_size = out.binary ? ProportionEffectSize(baseline + out.mde_absolute, baseline)
                               : out.mde_absolute / *req.sd;
  out.plan = PlanSampleSize(out.effect_size, req.alpha, req.power, req.ratio, req.daily_traffic,
                            req.traffic_share);
  return out;
}

nlohmann::json PowerResult::ToJson() const {
  nlohmann::json doc = {{"metric", binary ? "binary" : "continuous"},
                        {"alpha", request.alpha},
                        {"power", request.power},
                        {"ratio", request.ratio}};
  if (request.baseline && *request.baseline >= 0) doc["baseline"] = *request.baseline;
  if (!binary) doc["sd"] = *request.sd;
  if (!plan) {
    doc["nobs_control"] = *request.nobs_control;
    doc["nobs_treatment"] = *request.nobs_control * request.ratio;
    doc["effect_size"] = effect_size;
    doc["mde_absolute"] = mde_absolute;
    if (mde_relative) doc["mde_relative"] = *mde_relative;
    return doc;
  }
  doc["mde_absolute"] = mde_absolute;
  doc["effect_size"] = effect_size;
  doc["nobs_control_exact"] = plan->nobs1_exact;
  doc["nobs_control"] = plan->nobs_control;
  doc["nobs_treatment"] = plan->nobs_treatment;
  doc["total"] = plan->total;
  if (request.daily_traffic > 0) {
    doc["daily_traffic"] = request.daily_traffic;
    doc["traffic_share"] = request.traffic_share;
    doc["days"] = plan->days;
  }
  return doc;
}

}  // namespace prospect::experiment
