// Holt-Winters exponential smoothing for KPI series (daily or weekly conversions, revenue, active
// customers): least-squares fitting as statsmodels 0.13 ExponentialSmoothing does, forecasts, and
// the analytic prediction intervals of the matching ETS model (Hyndman et al. 2008).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace prospect::monitor {

/// Initial (or final) states of the recursions: level, trend and one seasonal value per phase.
/// As initial states, season[j] is the seasonal value used for observation j (j < m); as final
/// states after n observations, season[j] is the one used for time n + j.
struct HoltWintersStates {
  double level = 0.0;
  double trend = 0.0;          ///< 0 when the model has no trend
  std::vector<double> season;  ///< m values; empty when the model has no season
};

/// The model and which of its parameters are fixed. A parameter that is set is used as given;
/// one that is unset is fitted by minimising the sum of squared one-step errors.
struct HoltWintersParams {
  bool trend = true;                   ///< additive trend
  bool damped = false;                 ///< damp the trend by phi (needs trend)
  int64_t season_length = 0;           ///< m, e.g. 7 for daily data; 0 = no season
  bool multiplicative_season = false;  ///< season multiplies instead of adds (needs y > 0)
  std::optional<double> alpha;         ///< level smoothing, in (0, 1]
  std::optional<double> beta;          ///< trend smoothing (Holt-Winters form), in [0, 1]
  std::optional<double> gamma;         ///< seasonal smoothing, in [0, 1]
  std::optional<double> phi;           ///< trend damping, in (0, 1]
  /// Initial states used as given ("known" initialisation); unset = fitted jointly with the
  /// smoothing parameters, starting from statsmodels' heuristic. (statsmodels 0.13 refits known
  /// states unless every smoothing parameter is fixed too; here they always stay as given.)
  std::optional<HoltWintersStates> initial;
};

/// A fitted model: parameters, states and in-sample fit.
struct HoltWintersFit {
  HoltWintersParams model;  ///< the request, with every parameter and `initial` now set
  double alpha = 0.0;
  double beta = 0.0;   ///< 0 without trend
  double gamma = 0.0;  ///< 0 without season
  double phi = 1.0;    ///< 1 without damping
  /// Fitted initial states. When fitted, the season is normalised (sum 0, or mean 1 when
  /// multiplicative) because the sum of squares does not change along that direction.
  HoltWintersStates initial;
  HoltWintersStates last;      ///< states after the last observation, for forecasting
  std::vector<double> fitted;  ///< one-step-ahead predictions, one per observation
  double sse = 0.0;            ///< sum of squared one-step errors
  double sigma2 = 0.0;         ///< sse / n, the error variance of the intervals
  bool converged = true;       ///< false when the optimiser stopped at its iteration limit
};

/// Fits Holt-Winters to y (in time order, equally spaced). With every smoothing parameter and the
/// initial states given, this only runs the recursions. Throws kInvalidArgument for: a series
/// shorter than two seasons (or than 2 values), a NaN or infinite value, a multiplicative season
/// with a value <= 0, inconsistent options (damped without trend, ...) or a parameter out of
/// range. Thread-safe (no shared state).
/// The fit starts where statsmodels' does (its grid search for alpha, beta, gamma and its
/// heuristic initial states) and minimises the SSE with its parameter transform (beta <= alpha,
/// gamma <= 1 - alpha, 0.8 <= phi <= 0.995) to convergence; statsmodels' default SLSQP stops
/// short of that optimum, by up to ~5e-7 in the forecasts on our fixtures.
HoltWintersFit FitHoltWinters(std::span<const double> y, const HoltWintersParams& params);

/// Forecasts for steps 1..horizon after the last observation.
struct Forecast {
  std::vector<double> mean;
  std::vector<double> lower;  ///< empty when no level was asked for
  std::vector<double> upper;
};

/// Mean forecasts l_n + (phi + ... + phi^h) b_n combined with the latest seasonal value of the
/// step's phase (Hyndman et al. 2008; statsmodels 0.13 ExponentialSmoothing differs at steps m,
/// 2m, ..., its issue #9538, while its ETSModel agrees) and, when `level` is set, the prediction
/// interval with that coverage: the analytic one of the additive-error ETS model with the same
/// parameters, variance sigma2 (1 + sum_{j<h} c_j^2), as statsmodels' ETSModel gives it. A
/// multiplicative season has no closed form, so asking for its intervals throws kUnimplemented
/// (ask for the mean only). Throws kInvalidArgument for horizon < 1 or a level outside (0, 1),
/// and kFailedPrecondition for a fit that FitHoltWinters did not produce.
Forecast ForecastHoltWinters(const HoltWintersFit& fit, int64_t horizon,
                             std::optional<double> level = 0.95);

}  // namespace prospect::monitor
