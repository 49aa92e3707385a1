// A model's performance once it is in use: DeLong's test for ROC-AUCs on the same rows, the
// ROC-AUC expected from calibrated probabilities before labels arrive (confidence-based
// performance estimation, which NannyML calls CBPE), realised and estimated metrics per time
// window, and the champion/challenger comparison that `prospect retrain` decides by.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/store/store.hpp"

namespace prospect::monitor {

/// DeLong, DeLong & Clarke-Pearson (1988) for two scores of the same rows (labels 0/1), computed
/// with Sun & Xu's (2014) midrank algorithm. The interval is for auc_b - auc_a.
struct DeLongResult {
  double auc_a = 0, auc_b = 0;
  double difference = 0;  ///< auc_b - auc_a
  double std_error = 0;   ///< of the difference
  double z = 0;
  double p_value = 1;  ///< two-sided
  double low = 0, high = 0;
  nlohmann::json ToJson() const;
};
/// kInvalidData when y holds one class only or the lengths differ.
DeLongResult DeLongTest(std::span<const double> y, std::span<const double> score_a,
                        std::span<const double> score_b, double level = 0.95);

/// One ROC-AUC with DeLong's standard error and a normal interval clipped to [0, 1].
struct AucInterval {
  double auc = 0, std_error = 0, low = 0, high = 0;
};
AucInterval RocAucInterval(std::span<const double> y, std::span<const double> score,
                           double level = 0.95);

/// CBPE's ROC-AUC: the area under the ROC curve of the expected confusion matrix when each row
/// is positive with its (calibrated) probability, rows ranked by that probability.
/// kInvalidData for a probability outside [0, 1] or fewer than two rows.
double ExpectedRocAuc(std::span<const double> probabilities);

/// When a challenger replaces the champion.
struct ChallengerRule {
  double margin = 0.01;    ///< ROC-AUC gain the challenger must show
  double alpha = 0.05;     ///< and DeLong's p-value must be below this
  double top_share = 0.1;  ///< the operating threshold: each model's top 10 % of rows
  static ChallengerRule FromJson(const nlohmann::json& section);  ///< [monitor.retrain]
};

struct ChallengerComparison {
  size_t rows = 0;
  DeLongResult auc;  ///< a = champion, b = challenger
  double champion_log_loss = 0, challenger_log_loss = 0;
  double champion_lift = 0, challenger_lift = 0;  ///< at the top `top_share` of rows
  ChallengerRule rule;
  bool promote = false;
  std::string reason;
  nlohmann::json ToJson() const;
};
/// Compares two models' probabilities on the same labelled rows.
ChallengerComparison CompareChallenger(std::span<const double> y, std::span<const double> champion,
                                       std::span<const double> challenger,
                                       const ChallengerRule& rule);

struct PerformanceRequest {
  std::string model;
  int64_t version = 0;           ///< 0 = the production version, else the latest
  std::string table;             ///< rows to score; labels in the model's target column where known
  std::string time_column;       ///< "" = the whole table is one window
  std::string window = "month";  ///< day, week or month
};

struct PerformanceWindow {
  std::string start;  ///< the window's first day (YYYY-MM-DD), or "all"
  int64_t rows = 0;
  int64_t labelled = 0;
  double estimated_roc_auc = 0;        ///< from calibrated probabilities: known before labels
  std::optional<AucInterval> roc_auc;  ///< realised, when both classes are labelled
  std::optional<double> log_loss;
  std::optional<double> positive_rate;
  double score_mean = 0, score_p10 = 0, score_p50 = 0, score_p90 = 0;  ///< the model's scores
};

struct PerformanceReport {
  std::string model;
  int64_t version = 0;
  std::string table;
  double holdout_roc_auc = 0;  ///< what training measured on held-out rows
  std::string calibration;     ///< how estimates were calibrated
  std::vector<PerformanceWindow> windows;
  nlohmann::json ToJson() const;
};

/// Scores `request.table` with the model and reports each time window.
PerformanceReport MeasurePerformance(Store& store, const PerformanceRequest& request,
                                     const Context& ctx);
/// Stores `report` as the latest object "performance_report" named after its model (the report
/// draws it) and audits.
void SavePerformanceReport(Store& store, const PerformanceReport& report);

}  // namespace prospect::monitor
