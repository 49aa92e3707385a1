// Experiment analysis of an assignment + outcome table: sample-ratio check, per-variant summaries,
// each variant against control for every metric (binary, continuous, ratio), corrections for
// multiple comparisons, CUPED, winsorising, sequential (mSPRT) and Bayesian views, and the JSON
// the CLI prints and the report charts.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/experiment/assignment.hpp"
#include "prospect/experiment/bayes.hpp"
#include "prospect/experiment/sequential.hpp"
#include "prospect/experiment/stats.hpp"
#include "prospect/store/store.hpp"
#include "prospect/table/table.hpp"

namespace prospect::experiment {

/// A ratio metric sum(numerator) / sum(denominator) per variant, e.g. revenue per order, with a
/// delta-method standard error (units are the rows, so the ratio's parts are correlated).
struct RatioMetric {
  std::string numerator;
  std::string denominator;
  std::string Name() const { return numerator + "/" + denominator; }
};
/// Parses "NUM/DEN"; throws kInvalidArgument with the expected form.
RatioMetric ParseRatioMetric(std::string_view text);

struct AnalysisOptions {
  std::string variant_column;        ///< column holding the variant of each row (unit)
  std::string control;               ///< the control variant's value, as text
  std::vector<std::string> metrics;  ///< metric columns: bool or 0/1 integers are binary
  std::vector<RatioMetric> ratios;
  double alpha = 0.05;
  Correction correction = Correction::kHolm;  ///< over every (metric, variant) comparison
  /// Upper winsorising percentile (e.g. 99: values above the pooled 99th percentile are set to
  /// it) for continuous metrics; 0 = off.
  double winsorize = 0.0;
  std::string cuped_column;  ///< pre-period covariate; empty = no CUPED
  bool sequential = false;   ///< add mSPRT always-valid p-values and confidence sequences
  double tau_sd = kDefaultTauSd;
  bool bayesian = false;  ///< add Beta-Binomial / Normal posteriors and comparisons
  BetaPrior prior;
  int bayes_draws = 100000;
  bool mann_whitney = true;  ///< also run Mann-Whitney U on continuous metrics
  std::string date_column;   ///< date/timestamp/int column: adds cumulative lift per day
  /// Expected traffic shares for the sample-ratio check, by variant name; empty = equal.
  std::vector<VariantWeight> expected_shares;
  double srm_threshold = 0.001;  ///< warn when the chi-square p-value is below this
};

enum class MetricKind { kBinary, kContinuous, kRatio };
std::string_view MetricKindName(MetricKind kind);

/// One variant's view of one metric.
struct VariantSummary {
  std::string name;
  int64_t n = 0;           ///< units with a non-null value
  double mean = 0.0;       ///< rate, mean or ratio
  double variance = 0.0;   ///< per-unit variance (p(1-p) for binary; ddof 1 for continuous)
  double std_error = 0.0;  ///< of the mean
  double ci_low = 0.0;  ///< 1 - alpha interval of the mean (Wald for binary and ratio, t otherwise)
  double ci_high = 0.0;
};

/// One point of the cumulative view: all data up to and including `day`.
struct TimelinePoint {
  int64_t day =
      0;  ///< days since epoch for date and timestamp (UTC day) columns; the value for int64
  int64_t n_treatment = 0;
  int64_t n_control = 0;
  double lift = 0.0;    ///< absolute, treatment - control
  double ci_low = 0.0;  ///< fixed-horizon interval
  double ci_high = 0.0;
  double sequential_p = 1.0;    ///< running always-valid p-value
  double sequential_low = 0.0;  ///< running confidence sequence
  double sequential_high = 0.0;
};

/// A variant against control for one metric.
struct Comparison {
  std::string variant;
  std::string test;     ///< "two-proportion z", "welch t", "delta-method z"
  TestResult absolute;  ///< estimate treatment - control, its interval, raw p-value
  TestResult relative;  ///< treatment / control - 1 by the delta method
  double p_adjusted = 1.0;
  bool significant = false;  ///< after correction, at alpha
  /// Minimum detectable effect: the smallest |treatment − control| this test finds with 80 %
  /// power at alpha (two-sided), from the comparison's standard error: (z₁₋α/₂ + z₀.₈) · SE.
  double mde_absolute = 0.0;
  double mde_relative = 0.0;  ///< mde_absolute / the control's mean
  std::optional<TestResult> mann_whitney;
  std::optional<MsprtLook> sequential;  ///< always-valid p-value and confidence sequence
  std::optional<BayesComparison> bayes;
  std::vector<TimelinePoint> timeline;
};

struct MetricResult {
  std::string name;
  MetricKind kind = MetricKind::kContinuous;
  std::optional<double> winsor_cap;  ///< the cap applied, when winsorised
  bool cuped = false;
  double cuped_theta = 0.0;
  /// 1 - Var(adjusted difference) / Var(unadjusted difference): the share of variance CUPED
  /// removed.
  double variance_reduction = 0.0;
  std::vector<VariantSummary> variants;  ///< control first (unadjusted values)
  std::vector<Posterior> posteriors;     ///< same order, when bayesian
  std::vector<Comparison> comparisons;   ///< each non-control variant
};

struct SrmCheck {
  std::vector<std::string> variants;
  std::vector<int64_t> observed;
  std::vector<double> expected_shares;
  ChiSquareResult chi_square;
  bool mismatch = false;  ///< p < threshold
  double threshold = 0.001;
};

struct ExperimentAnalysis {
  std::string variant_column;
  std::string control;
  std::vector<std::string> variants;  ///< control first, then the others sorted by name
  int64_t rows_without_variant = 0;
  SrmCheck srm;
  std::vector<MetricResult> metrics;
  /// The timelines' `day` is a calendar day (the --date column is a date or timestamp), not a plain
  /// number.
  bool timeline_is_calendar = false;
  std::vector<std::string> warnings;
  double alpha = 0.05;
  Correction correction = Correction::kHolm;
  double tau_sd = kDefaultTauSd;
  BetaPrior prior;
};

/// Analyses `table`. Errors name the offending column or value and the allowed ones: unknown
/// columns (with suggestions), a control value that does not occur (listing those that do), a
/// metric that is not numeric or bool, fewer than 2 variants.
ExperimentAnalysis AnalyzeExperiment(const Table& table, const AnalysisOptions& options,
                                     const Context& ctx);

/// The analysis as one JSON document: per metric and variant n, mean and interval; per
/// comparison the estimate, absolute and relative lift with intervals, raw and adjusted p-values,
/// and the optional Mann-Whitney, sequential, Bayesian (posterior parameters) and timeline parts;
/// the SRM check. Used by `prospect experiment analyze --json` and by the HTML report (forest
/// plot of lifts, cumulative lift over time, posterior densities from the Beta/Normal parameters).
nlohmann::json AnalysisToJson(const ExperimentAnalysis& analysis);

/// Store object kind of saved analyses; the report's Experiments section reads them.
inline constexpr const char* kExperimentObjectKind = "experiment";

/// Saves an analysis document (AnalysisToJson) as a new version of experiment `name`, noting the
/// table it was computed from. Returns the version.
int64_t SaveAnalysis(Store& store, const std::string& name, const std::string& table,
                     const nlohmann::json& analysis);

}  // namespace prospect::experiment
