// Holt-Winters recursions as statsmodels 0.13 ExponentialSmoothing defines them, its
// least-squares fit (same start values and parameter transform, solved by a bounded
// Levenberg-Marquardt with an exact Jacobian) and the ETS prediction intervals.
#include "prospect/monitor/forecast.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <cstddef>
#include <limits>
#include <utility>

#include "prospect/common/error.hpp"

namespace prospect::monitor {
namespace {

// statsmodels' LOWER_BOUND: alpha is mapped into [sqrt(eps), 1 - sqrt(eps)].
const double kHwAlphaFloor = std::sqrt(std::numeric_limits<double>::epsilon());
constexpr double kHwPhiLow = 0.8;  // statsmodels' default bounds for the damping parameter
constexpr double kHwPhiHigh = 0.995;
constexpr double kHwInf = std::numeric_limits<double>::infinity();

struct HwShape {
  bool trend = false;
  bool damped = false;
  std::size_t m = 0;
  bool mul = false;
};

// Smoothing parameters in the Holt-Winters form of statsmodels' holtwinters module.
struct HwSmoothing {
  double alpha = 0.0;
  double beta = 0.0;
  double gamma = 0.0;
  double phi = 1.0;
};

// One pass of the recursions (statsmodels holtwinters._predict). With tr = l + phi b:
//   additive season:       yhat = tr + s,  l' = alpha (y - s) + (1 - alpha) tr,
//                          s' = gamma (y - tr) + (1 - gamma) s
//   multiplicative season: yhat = tr * s,  l' = alpha y / s + (1 - alpha) tr,
//                          s' = gamma y / tr + (1 - gamma) s
//   trend:                 b' = beta (l' - l) + (1 - beta) phi b
// where s is the seasonal value of the same phase one season back. The seasonal update uses the
// previous level and trend, so gamma is also the gamma of the ETS error-correction form.
// Returns the sum of squared one-step errors; fills `fitted` and `last` when given.
double HwRun(std::span<const double> y, const HwShape& shape, const HwSmoothing& p,
             const HoltWintersStates& init, std::vector<double>* fitted, HoltWintersStates* last) {
  const std::size_t m = shape.m;
  double l = init.level;
  double b = shape.trend ? init.trend : 0.0;
  std::vector<double> s = init.season;  // ring: s[t % m] is the value for time t
  if (fitted != nullptr) fitted->resize(y.size());
  double sse = 0.0;
  for (std::size_t t = 0; t < y.size(); ++t) {
    const double tr = l + p.phi * b;
    double yhat = tr;
    double level = 0.0;
    if (m == 0) {
      level = p.alpha * y[t] + (1.0 - p.alpha) * tr;
    } else {
      const double season = s[t % m];
      if (shape.mul) {
        yhat = tr * season;
        level = p.alpha * y[t] / season + (1.0 - p.alpha) * tr;
        s[t % m] = p.gamma * y[t] / tr + (1.0 - p.gamma) * season;
      } else {
        yhat = tr + season;
        level = p.alpha * (y[t] - season) + (1.0 - p.alpha) * tr;
        s[t % m] = p.gamma * (y[t] - tr) + (1.0 - p.gamma) * season;
      }
    }
    if (shape.trend) b = p.beta * (level - l) + (1.0 - p.beta) * p.phi * b;
    l = level;
    const double e = y[t] - yhat;
    sse += e * e;
    if (fitted != nullptr) (*fitted)[t] = yhat;
  }
  if (last != nullptr) {
    last->level = l;
    last->trend = b;
    last->season.resize(m);
    for (std::size_t j = 0; j < m; ++j) last->season[j] = s[(y.size() + j) % m];
  }
  return sse;
}

// numpy.linspace(start, stop, num): start + i * step, the last point exactly `stop`.
std::vector<double> HwLinspace(double start, double stop, std::size_t num) {
  std::vector<double> v(num);
  const double step = num > 1 ? (stop - start) / static_cast<double>(num - 1) : 0.0;
  for (std::size_t i = 0; i < num; ++i) v[i] = static_cast<double>(i) * step + start;
  if (num > 1) v[num - 1] = stop;
  return v;
}

// Intercept and slope of the least-squares line through (1, v[0]), ..., (10, v[9]).
std::pair<double, double> HwLineOfFirstTen(const std::vector<double>& v) {
  double mean_y = 0.0;
  for (int i = 0; i < 10; ++i) mean_y += v[i];
  mean_y /= 10.0;
  double sxy = 0.0, sxx = 0.0;
  for (int i = 0; i < 10; ++i) {
    const double dt = (i + 1) - 5.5;
    sxy += dt * (v[i] - mean_y);
    sxx += dt * dt;
  }
  const double slope = sxy / sxx;
  return {mean_y - slope * 5.5, slope};
}

// statsmodels' _initialization_heuristic (Hyndman et al. 2008, section 2.6.1): a centred moving
// average over up to five seasons, seasonal means of the detrended values, then a line through
// the first ten trend values. Needs n >= 10 + 2 (m / 2).
HoltWintersStates HwHeuristicStart(std::span<const double> y, const HwShape& shape) {
  HoltWintersStates st;
  std::vector<double> base(y.begin(), y.end());
  const std::size_t m = shape.m;
  if (m > 0) {
    const std::size_t min_obs = 10 + 2 * (m / 2);
    const std::size_t cycles =
        std::max(std::min<std::size_t>(5, y.size() / m), (min_obs + m - 1) / m);
    const std::size_t len = std::min(y.size(), cycles * m);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> ma(len, nan);
    const std::size_t half = m / 2;
    for (std::size_t i = half; i + half < len; ++i) {
      if (m % 2 == 1) {
        double sum = 0.0;
        for (std::size_t k = i - half; k <= i + half; ++k) sum += y[k];
        ma[i] = sum / static_cast<double>(m);
      } else {  // 2 x m moving average
        double sum = 0.5 * (y[i - half] + y[i + half]);
        for (std::size_t k = i - half + 1; k < i + half; ++k) sum += y[k];
        ma[i] = sum / static_cast<double>(m);
      }
    }
    st.season.assign(m, 0.0);
    for (std::size_t j = 0; j < m; ++j) {
      double sum = 0.0;
      int count = 0;
      for (std::size_t i = j; i < len; i += m) {
        if (std::isnan(ma[i])) continue;
        sum += shape.mul ? y[i] / ma[i] : y[i] - ma[i];
        ++count;
      }
      st.season[j] = sum / count;
    }
    double mean = 0.0;
    for (double v : st.season) mean += v / static_cast<double>(m);
    for (double& v : st.season) v = shape.mul ? v / mean : v - mean;
    base.clear();
    for (double v : ma) {
      if (!std::isnan(v)) base.push_back(v);
    }
  }
  const auto [level, slope] = HwLineOfFirstTen(base);
  st.level = level;
  st.trend = shape.trend ? slope : 0.0;
  return st;
}

// statsmodels' _initialization_simple, used for series too short for the heuristic.
HoltWintersStates HwSimpleStart(std::span<const double> y, const HwShape& shape) {
  HoltWintersStates st;
  const std::size_t m = shape.m;
  if (m == 0) {
    st.level = y[0];
    st.trend = shape.trend ? y[1] - y[0] : 0.0;
    return st;
  }
  double level = 0.0;
  for (std::size_t j = 0; j < m; ++j) level += y[j];
  st.level = level / static_cast<double>(m);
  if (shape.trend) {
    double trend = 0.0;
    for (std::size_t j = 0; j < m; ++j) trend += (y[m + j] - y[j]) / static_cast<double>(m);
    st.trend = trend / static_cast<double>(m);
  }
  st.season.resize(m);
  for (std::size_t j = 0; j < m; ++j) st.season[j] = shape.mul ? y[j] / st.level : y[j] - st.level;
  return st;
}

// The least-squares problem over the free parameters theta, ordered as statsmodels orders them:
// alpha, beta, gamma, initial level, initial trend, phi, initial season. The smoothing
// parameters use statsmodels' transform to the unit box, which also enforces its constraints
// beta <= alpha and gamma <= 1 - alpha:
//   alpha = lo + t_a (hi - lo),  beta = t_b alpha,  gamma = t_g (1 - alpha),  t in [0, 1].
// The sum of squares is flat along (level + c, season - c) (additive) and
// (c level, c trend, season / c) (multiplicative), so, unlike statsmodels, only m - 1 seasonal
// values are free and the last one makes the season sum to 0 (mean 1 when multiplicative); the
// optimum and the forecasts are the same, and the problem is well posed.
class HwProblem {
 public:
  HwProblem(std::span<const double> y, const HwShape& shape, const HoltWintersParams& fixed,
            bool fit_states)
      : y_(y), shape_(shape), fixed_(fixed), fit_states_(fit_states) {
    int k = 0;
    auto next = [&k](bool free) { return free ? k++ : -1; };
    ia_ = next(!fixed.alpha);
    ib_ = next(shape.trend && !fixed.beta);
    ig_ = next(shape.m > 0 && !fixed.gamma);
    il_ = next(fit_states);
    it_ = next(fit_states && shape.trend);
    iphi_ = next(shape.damped && !fixed.phi);
    is_ = fit_states && shape.m > 0 ? k : -1;
    if (is_ >= 0) k += static_cast<int>(shape.m) - 1;
    size_ = k;
  }

  int size() const { return size_; }
  bool any_smoothing_free() const { return ia_ >= 0 || ib_ >= 0 || ig_ >= 0; }

  Eigen::VectorXd LowerBounds() const { return Bounds(true); }
  Eigen::VectorXd UpperBounds() const { return Bounds(false); }

  HwSmoothing Smoothing(const Eigen::VectorXd& theta) const {
    HwSmoothing p;
    p.alpha = ia_ >= 0 ? kHwAlphaFloor + theta[ia_] * (1.0 - 2.0 * kHwAlphaFloor) : *fixed_.alpha;
    if (shape_.trend) p.beta = ib_ >= 0 ? theta[ib_] * p.alpha : *fixed_.beta;
    if (shape_.m > 0) p.gamma = ig_ >= 0 ? theta[ig_] * (1.0 - p.alpha) : *fixed_.gamma;
    if (shape_.damped) p.phi = iphi_ >= 0 ? theta[iphi_] : *fixed_.phi;
    return p;
  }

  // Initial states at theta; `start` supplies those that are not free.
  HoltWintersStates States(const Eigen::VectorXd& theta, const HoltWintersStates& start) const {
    if (!fit_states_) return start;
    HoltWintersStates st = start;
    st.level = theta[il_];
    if (it_ >= 0) st.trend = theta[it_];
    if (is_ >= 0) {
      double rest = shape_.mul ? static_cast<double>(shape_.m) : 0.0;
      for (std::size_t j = 0; j + 1 < shape_.m; ++j) {
        st.season[j] = theta[is_ + static_cast<int>(j)];
        rest -= st.season[j];
      }
      st.season[shape_.m - 1] = rest;
    }
    return st;
  }

  // theta for natural smoothing values and states (statsmodels' to_unrestricted).
  Eigen::VectorXd Theta(const HwSmoothing& p, const HoltWintersStates& st) const {
    Eigen::VectorXd theta(size_);
    if (ia_ >= 0) theta[ia_] = (p.alpha - kHwAlphaFloor) / (1.0 - 2.0 * kHwAlphaFloor);
    if (ib_ >= 0) theta[ib_] = p.beta / std::min(p.alpha, 1.0);
    if (ig_ >= 0) theta[ig_] = p.gamma / std::min(1.0 - p.alpha, 1.0);
    if (il_ >= 0) theta[il_] = st.level;
    if (it_ >= 0) theta[it_] = st.trend;
    if (iphi_ >= 0) theta[iphi_] = p.phi;
    for (std::size_t j = 0; is_ >= 0 && j + 1 < shape_.m; ++j) {
      theta[is_ + static_cast<int>(j)] = st.season[j];
    }
    return theta;
  }

  double Sse(const Eigen::VectorXd& theta, const HoltWintersStates& start) const {
    return HwRun(y_, shape_, Smoothing(theta), States(theta, start), nullptr, nullptr);
  }

  // Residuals r = y - yhat and their Jacobian d r / d theta, by differentiating the recursions
  // of HwRun forward in time (state derivatives are rows of `d`: level, trend, m seasons).
  void Residuals(const Eigen::VectorXd& theta, const HoltWintersStates& start, Eigen::VectorXd* r,
                 Eigen::MatrixXd* jac) const {
    const int k = size_;
    const std::size_t m = shape_.m;
    const double span = 1.0 - 2.0 * kHwAlphaFloor;
    const HwSmoothing p = Smoothing(theta);
    const HoltWintersStates st = States(theta, start);
    Eigen::RowVectorXd da = Eigen::RowVectorXd::Zero(k), db = da, dg = da, dphi = da;
    if (ia_ >= 0) da[ia_] = span;
    if (ib_ >= 0) {
      db[ib_] = p.alpha;
      if (ia_ >= 0) db[ia_] = theta[ib_] * span;
    }
    if (ig_ >= 0) {
      dg[ig_] = 1.0 - p.alpha;
      if (ia_ >= 0) dg[ia_] = -theta[ig_] * span;
    }
    if (iphi_ >= 0) dphi[iphi_] = 1.0;
    Eigen::MatrixXd d = Eigen::MatrixXd::Zero(2 + static_cast<Eigen::Index>(m), k);
    if (il_ >= 0) d(0, il_) = 1.0;
    if (it_ >= 0) d(1, it_) = 1.0;
    for (std::size_t j = 0; is_ >= 0 && j + 1 < m; ++j) {
      const int col = is_ + static_cast<int>(j);
      d(2 + static_cast<Eigen::Index>(j), col) = 1.0;
      d(1 + static_cast<Eigen::Index>(m), col) = -1.0;  // the last value is c - sum of the others
    }
    r->resize(static_cast<Eigen::Index>(y_.size()));
    jac->resize(static_cast<Eigen::Index>(y_.size()), k);
    double l = st.level;
    double b = shape_.trend ? st.trend : 0.0;
    std::vector<double> s = st.season;
    Eigen::RowVectorXd dtr(k), dl_new(k), ds_new(k), dyhat(k);
    for (std::size_t t = 0; t < y_.size(); ++t) {
      const auto ti = static_cast<Eigen::Index>(t);
      const double yt = y_[t];
      const double tr = l + p.phi * b;
      dtr = d.row(0) + p.phi * d.row(1) + b * dphi;
      double yhat = tr;
      double level = 0.0;
      if (m == 0) {
        dyhat = dtr;
        level = p.alpha * yt + (1.0 - p.alpha) * tr;
        dl_new = (yt - tr) * da + (1.0 - p.alpha) * dtr;
      } else {
        const auto row = 2 + static_cast<Eigen::Index>(t % m);
        const double sv = s[t % m];
        if (shape_.mul) {
          yhat = tr * sv;
          dyhat = sv * dtr + tr * d.row(row);
          level = p.alpha * yt / sv + (1.0 - p.alpha) * tr;
          dl_new =
              (yt / sv - tr) * da - (p.alpha * yt / (sv * sv)) * d.row(row) + (1.0 - p.alpha) * dtr;
          s[t % m] = p.gamma * yt / tr + (1.0 - p.gamma) * sv;
          ds_new =
              (yt / tr - sv) * dg - (p.gamma * yt / (tr * tr)) * dtr + (1.0 - p.gamma) * d.row(row);
        } else {
          yhat = tr + sv;
          dyhat = dtr + d.row(row);
          level = p.alpha * (yt - sv) + (1.0 - p.alpha) * tr;
          dl_new = (yt - sv - tr) * da - p.alpha * d.row(row) + (1.0 - p.alpha) * dtr;
          s[t % m] = p.gamma * (yt - tr) + (1.0 - p.gamma) * sv;
          ds_new = (yt - tr - sv) * dg - p.gamma * dtr + (1.0 - p.gamma) * d.row(row);
        }
        d.row(row) = ds_new;
      }
      if (shape_.trend) {
        const double b_new = p.beta * (level - l) + (1.0 - p.beta) * p.phi * b;
        d.row(1) = (level - l - p.phi * b) * db + p.beta * (dl_new - d.row(0)) +
                   (1.0 - p.beta) * (p.phi * d.row(1) + b * dphi);
        b = b_new;
      }
      d.row(0) = dl_new;
      l = level;
      (*r)[ti] = yt - yhat;
      jac->row(ti) = -dyhat;
    }
  }

 private:
  Eigen::VectorXd Bounds(bool lower) const {
    Eigen::VectorXd v = Eigen::VectorXd::Constant(size_, lower ? -kHwInf : kHwInf);
    for (int i : {ia_, ib_, ig_}) {
      if (i >= 0) v[i] = lower ? 0.0 : 1.0;
    }
    if (iphi_ >= 0) v[iphi_] = lower ? kHwPhiLow : kHwPhiHigh;
    return v;
  }

  std::span<const double> y_;
  HwShape shape_;
  const HoltWintersParams& fixed_;
  bool fit_states_;
  int ia_ = -1, ib_ = -1, ig_ = -1, il_ = -1, it_ = -1, iphi_ = -1, is_ = -1;
  int size_ = 0;
};

// statsmodels' _setup_brute and grid search: the best (alpha, beta, gamma) on a grid that
// respects beta <= alpha and gamma <= 1 - alpha, with the other values at their start.
HwSmoothing HwBruteStart(std::span<const double> y, const HwShape& shape, const HwSmoothing& init,
                         bool free_a, bool free_b, bool free_g, const HoltWintersStates& start) {
  const std::size_t ns = 87 / static_cast<std::size_t>(free_a + free_b + free_g);
  HwSmoothing best = init, trial = init;
  double best_sse = kHwInf;
  auto consider = [&](double a, double b, double g) {
    trial.alpha = a;
    trial.beta = b;
    trial.gamma = g;
    const double sse = HwRun(y, shape, trial, start, nullptr, nullptr);
    if (sse < best_sse) {
      best_sse = sse;
      best = trial;
    }
  };
  if (!free_a) {  // a grid over beta and/or gamma: gamma is the outer loop (numpy.meshgrid)
    const double a = init.alpha;
    const std::vector<double> bs =
        free_b ? HwLinspace(0.005, std::min(1.0, a) - 0.005, ns) : std::vector<double>{init.beta};
    const std::vector<double> gs = free_g ? HwLinspace(0.005, std::min(1.0, 1.0 - a) - 0.005, ns)
                                          : std::vector<double>{init.gamma};
    for (double g : gs) {
      for (double b : bs) consider(a, b, g);
    }
    return best;
  }
  for (double a : HwLinspace(0.005, 0.995, ns)) {
    const auto nb = static_cast<std::size_t>(std::ceil(static_cast<double>(ns) * std::sqrt(a)));
    const auto ng =
        static_cast<std::size_t>(std::ceil(static_cast<double>(ns) * std::sqrt(1.0 - a)));
    const std::vector<double> bs =
        free_b ? HwLinspace(0.0, std::min(1.0, a), nb) : std::vector<double>{init.beta};
    const std::vector<double> gs =
        free_g ? HwLinspace(0.0, std::min(1.0, 1.0 - a), ng) : std::vector<double>{init.gamma};
    for (double g : gs) {
      for (double b : bs) consider(a, b, g);
    }
  }
  return best;
}

// statsmodels' _enforce_bounds: a start value on or outside [lo, hi] moves 1e-4 of the way in.
double HwInside(double v, double lo, double hi) {
  if (v <= lo) return lo + 1e-4 * (hi - lo);
  if (v >= hi) return hi - 1e-4 * (hi - lo);
  return v;
}

// Bounded Levenberg-Marquardt: variables on a bound whose gradient points outwards are held, the
// step is solved on the others (Marquardt's scaling) and projected into the box. Stops when the
// step no longer moves theta (relative 1e-13) or no step lowers the sum of squares; returns
// whether that happened before the iteration limit.
bool HwMinimize(const HwProblem& problem, const HoltWintersStates& start, Eigen::VectorXd* theta) {
  const Eigen::VectorXd lo = problem.LowerBounds(), hi = problem.UpperBounds();
  const int k = problem.size();
  Eigen::VectorXd r, trial;
  Eigen::MatrixXd jac;
  problem.Residuals(*theta, start, &r, &jac);
  double sse = r.squaredNorm();
  double lambda = 1e-3;
  for (int iter = 0; iter < 2000; ++iter) {
    const Eigen::VectorXd grad = jac.transpose() * r;
    std::vector<int> free;
    for (int i = 0; i < k; ++i) {
      const bool held =
          ((*theta)[i] <= lo[i] && grad[i] > 0) || ((*theta)[i] >= hi[i] && grad[i] < 0);
      if (!held) free.push_back(i);
    }
    if (free.empty()) return true;
    const auto nf = static_cast<Eigen::Index>(free.size());
    Eigen::MatrixXd jf(jac.rows(), nf);
    Eigen::VectorXd gf(nf);
    for (Eigen::Index i = 0; i < nf; ++i) {
      jf.col(i) = jac.col(free[i]);
      gf[i] = grad[free[i]];
    }
    const Eigen::MatrixXd normal = jf.transpose() * jf;
    const double diag_floor = 1e-12 * std::max(normal.diagonal().maxCoeff(), 1e-300);
    bool accepted = false;
    while (!accepted) {
      Eigen::MatrixXd damped = normal;
      for (Eigen::Index i = 0; i < nf; ++i) {
        damped(i, i) += lambda * std::max(normal(i, i), diag_floor);
      }
      const Eigen::VectorXd step = damped.ldlt().solve(-gf);
      trial = *theta;
      double moved = 0.0;
      for (Eigen::Index i = 0; i < nf; ++i) {
        const int j = free[i];
        trial[j] = std::clamp((*theta)[j] + step[i], lo[j], hi[j]);
        moved =
            std::max(moved, std::abs(trial[j] - (*theta)[j]) / std::max(1.0, std::abs(trial[j])));
      }
      if (moved <= 1e-13) return true;
      const double trial_sse = problem.Sse(trial, start);
      if (std::isfinite(trial_sse) && trial_sse < sse) {
        accepted = true;
        *theta = trial;
        sse = trial_sse;
        lambda = std::max(lambda * 0.2, 1e-12);
      } else {
        lambda *= 8.0;
        if (lambda > 1e16) return true;  // no step lowers the sum of squares
      }
    }
    problem.Residuals(*theta, start, &r, &jac);
  }
  return false;
}

HwShape HwCheck(std::span<const double> y, const HoltWintersParams& params) {
  if (params.season_length < 0 || params.season_length == 1) {
    Fail(ErrorCode::kInvalidArgument,
         "Holt-Winters season_length must be 0 (no season) or at least 2; got {}.",
         params.season_length);
  }
  HwShape shape{params.trend, params.damped, static_cast<std::size_t>(params.season_length),
                params.multiplicative_season};
  if (shape.damped && !shape.trend) {
    Fail(ErrorCode::kInvalidArgument, "Holt-Winters: a damped trend needs trend = true.");
  }
  if (shape.mul && shape.m == 0) {
    Fail(ErrorCode::kInvalidArgument,
         "Holt-Winters: a multiplicative season needs season_length >= 2.");
  }
  auto check_range = [](const std::optional<double>& v, const char* name, double lo, bool lo_open,
                        const char* allowed) {
    if (v && !(*v <= 1.0 && (lo_open ? *v > lo : *v >= lo))) {
      Fail(ErrorCode::kInvalidArgument, "Holt-Winters {} must be in {}; got {}.", name, allowed,
           *v);
    }
  };
  check_range(params.alpha, "alpha", 0.0, true, "(0, 1]");
  check_range(params.beta, "beta", 0.0, false, "[0, 1]");
  check_range(params.gamma, "gamma", 0.0, false, "[0, 1]");
  check_range(params.phi, "phi", 0.0, true, "(0, 1]");
  if (params.beta && !shape.trend) {
    Fail(ErrorCode::kInvalidArgument, "Holt-Winters beta is set but the model has no trend.");
  }
  if (params.gamma && shape.m == 0) {
    Fail(ErrorCode::kInvalidArgument, "Holt-Winters gamma is set but the model has no season.");
  }
  if (params.phi && !shape.damped) {
    Fail(ErrorCode::kInvalidArgument, "Holt-Winters phi is set but the trend is not damped.");
  }
  const std::size_t need = shape.m > 0 ? 2 * shape.m : 2;
  if (y.size() < need) {
    if (shape.m > 0) {
      Fail(ErrorCode::kInvalidArgument,
           "Holt-Winters needs at least two full seasons ({} values for season_length {}); the "
           "series has {}.",
           need, shape.m, y.size());
    }
    Fail(ErrorCode::kInvalidArgument, "Holt-Winters needs at least 2 values; the series has {}.",
         y.size());
  }
  for (std::size_t t = 0; t < y.size(); ++t) {
    if (!std::isfinite(y[t])) {
      Fail(ErrorCode::kInvalidArgument,
           "Holt-Winters needs finite values; the value at position {} is {}.", t, y[t]);
    }
    if (shape.mul && y[t] <= 0.0) {
      Fail(ErrorCode::kInvalidArgument,
           "Holt-Winters with a multiplicative season needs values > 0; the value at position {} "
           "is {}.",
           t, y[t]);
    }
  }
  if (params.initial) {
    const HoltWintersStates& init = *params.initial;
    if (init.season.size() != shape.m) {
      Fail(ErrorCode::kInvalidArgument,
           "Holt-Winters initial season has {} values; season_length is {}.", init.season.size(),
           shape.m);
    }
    bool finite = std::isfinite(init.level) && std::isfinite(init.trend);
    for (double v : init.season) finite = finite && std::isfinite(v);
    if (!finite) {
      Fail(ErrorCode::kInvalidArgument, "Holt-Winters initial states must be finite.");
    }
  }
  return shape;
}

}  // namespace

HoltWintersFit FitHoltWinters(std::span<const double> y, const HoltWintersParams& params) {
  const HwShape shape = HwCheck(y, params);
  const bool fit_states = !params.initial.has_value();
  HoltWintersStates start;
  if (params.initial) {
    start = *params.initial;
  } else if (y.size() < 10 + 2 * (shape.m / 2)) {  // statsmodels' "estimated" start values
    start = HwSimpleStart(y, shape);
  } else {
    start = HwHeuristicStart(y, shape);
  }
  // statsmodels' start values for the smoothing parameters (_optimize_parameters).
  HwSmoothing p;
  p.alpha = params.alpha.value_or(0.5 / static_cast<double>(std::max<std::size_t>(shape.m, 1)));
  if (shape.trend) p.beta = params.beta.value_or(0.1 * p.alpha);
  if (shape.m > 0) p.gamma = params.gamma.value_or(0.05 * (1.0 - p.alpha));
  if (shape.damped) p.phi = params.phi.value_or(0.99);

  const HwProblem problem(y, shape, params, fit_states);
  bool converged = true;
  if (problem.size() > 0) {
    if (problem.any_smoothing_free()) {
      p = HwBruteStart(y, shape, p, !params.alpha, shape.trend && !params.beta,
                       shape.m > 0 && !params.gamma, start);
    }
    if (!params.alpha) p.alpha = HwInside(p.alpha, 0.0, 1.0);
    if (shape.trend && !params.beta) p.beta = HwInside(p.beta, 0.0, 1.0);
    if (shape.m > 0 && !params.gamma) p.gamma = HwInside(p.gamma, 0.0, 1.0);
    if (shape.damped && !params.phi) p.phi = HwInside(p.phi, kHwPhiLow, kHwPhiHigh);
    Eigen::VectorXd theta = problem.Theta(p, start);
    converged = HwMinimize(problem, start, &theta);
    p = problem.Smoothing(theta);
    start = problem.States(theta, start);
  }

  HoltWintersFit fit;
  fit.model = params;
  fit.alpha = p.alpha;
  fit.beta = p.beta;
  fit.gamma = p.gamma;
  fit.phi = p.phi;
  fit.model.alpha = p.alpha;
  if (shape.trend) fit.model.beta = p.beta;
  if (shape.m > 0) fit.model.gamma = p.gamma;
  if (shape.damped) fit.model.phi = p.phi;
  if (!shape.trend) start.trend = 0.0;
  fit.initial = start;
  fit.model.initial = start;
  fit.sse = HwRun(y, shape, p, start, &fit.fitted, &fit.last);
  fit.sigma2 = fit.sse / static_cast<double>(y.size());
  fit.converged = converged;
  return fit;
}

Forecast ForecastHoltWinters(const HoltWintersFit& fit, int64_t horizon,
                             std::optional<double> level) {
  if (horizon < 1) {
    Fail(ErrorCode::kInvalidArgument, "Holt-Winters forecast horizon must be at least 1; got {}.",
         horizon);
  }
  if (level && !(*level > 0.0 && *level < 1.0)) {
    Fail(ErrorCode::kInvalidArgument, "Holt-Winters interval level must be in (0, 1); got {}.",
         *level);
  }
  const auto m = static_cast<std::size_t>(std::max<int64_t>(fit.model.season_length, 0));
  if (fit.fitted.empty() || fit.last.season.size() != m) {
    Fail(ErrorCode::kFailedPrecondition,
         "Holt-Winters forecast needs a fit made by FitHoltWinters.");
  }
  const bool mul = fit.model.multiplicative_season;
  if (level && mul) {
    Fail(ErrorCode::kUnimplemented,
         "Holt-Winters prediction intervals need an additive season (a multiplicative one has no "
         "closed form); ask for the mean forecast only (no level).");
  }
  Forecast out;
  const auto h_max = static_cast<std::size_t>(horizon);
  out.mean.resize(h_max);
  // Mean: l_n + phi_h b_n with phi_h = phi + ... + phi^h, and the latest seasonal value of the
  // step's phase (Hyndman et al. 2008, table 2.1). statsmodels 0.13 ExponentialSmoothing uses
  // the seasonal value one season older at steps m, 2m, ... (statsmodels issue #9538, fixed in
  // PR #10230); its ETSModel agrees with this formula.
  double phi_h = 0.0, power = 1.0;
  for (std::size_t h = 1; h <= h_max; ++h) {
    power *= fit.phi;
    phi_h += power;
    const double tr = fit.last.level + phi_h * fit.last.trend;
    double mean = tr;
    if (m > 0) mean = mul ? tr * fit.last.season[(h - 1) % m] : tr + fit.last.season[(h - 1) % m];
    out.mean[h - 1] = mean;
  }
  if (!level) return out;
  // Additive-error ETS (class 1 of Hyndman et al. 2008, chapter 6): the h-step variance is
  // sigma2 (1 + sum_{j=1}^{h-1} c_j^2) with c_j = alpha + beta_ets phi_j + gamma [j mod m = 0].
  // ETS and Holt-Winters share alpha and gamma (the seasonal update above uses the previous
  // level, so s' = s + gamma e), but the ETS trend smoothing is beta_ets = alpha * beta. sigma2 is
  // sse / n, as statsmodels' ETSModel (mse) uses.
  const double z = boost::math::quantile(boost::math::normal(), 0.5 + *level / 2.0);
  out.lower.resize(h_max);
  out.upper.resize(h_max);
  double sum_c2 = 0.0, phi_j = 0.0;
  power = 1.0;
  for (std::size_t h = 1; h <= h_max; ++h) {
    const double half = z * std::sqrt(fit.sigma2 * (1.0 + sum_c2));
    out.lower[h - 1] = out.mean[h - 1] - half;
    out.upper[h - 1] = out.mean[h - 1] + half;
    power *= fit.phi;  // c_h, used from step h + 1 on
    phi_j += power;
    double c = fit.alpha;
    if (fit.model.trend) c += fit.alpha * fit.beta * phi_j;
    if (m > 0 && h % m == 0) c += fit.gamma;
    sum_c2 += c * c;
  }
  return out;
}

}  // namespace prospect::monitor
