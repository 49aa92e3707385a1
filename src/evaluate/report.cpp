// MetricsReport: computes every metric of held-out predictions and serialises them for the CLI
// and the report's charts.
#include "prospect/evaluate/report.hpp"

#include <cmath>

#include "prospect/common/error.hpp"

namespace prospect {

std::vector<size_t> ThinCurveIndices(size_t n, size_t max_points) {
  if (max_points < 2)
    Fail(ErrorCode::kInvalidArgument, "curve thinning needs at least 2 points, got {}", max_points);
  std::vector<size_t> out;
  if (n <= max_points) {
    for (size_t i = 0; i < n; ++i) out.push_back(i);
    return out;
  }
  // Rounded even spacing over [0, n − 1]; strictly increasing because n − 1 >= max_points − 1.
  for (size_t k = 0; k < max_points; ++k) {
    out.push_back(
        static_cast<size_t>(std::llround(static_cast<double>(k) * static_cast<double>(n - 1) /
                                         static_cast<double>(max_points - 1))));
  }
  return out;
}

namespace {

template <typename T>
std::vector<T> Pick(const std::vector<T>& v, const std::vector<size_t>& idx) {
  std::vector<T> out;
  out.reserve(idx.size());
  for (size_t i : idx) out.push_back(v[i]);
  return out;
}

}  // namespace

MetricsReport MetricsReport::Compute(std::span<const double> y_true, std::span<const double> y_prob,
                                     std::span<const double> weights,
                                     const MetricsReportOptions& options) {
  MetricsReport r;
  r.options = options;
  // ROC-AUC first: its one-class error is the clearest message when the held-out set is degenerate.
  r.roc_auc = RocAuc(y_true, y_prob, weights);
  r.log_loss = LogLoss(y_true, y_prob, weights);
  r.brier = BrierScore(y_true, y_prob, weights);
  r.rows = y_true.size();
  for (size_t i = 0; i < y_true.size(); ++i) {
    const double w = weights.empty() ? 1.0 : weights[i];
    r.weight += w;
    r.positives += w * y_true[i];
  }
  r.confusion = ComputeConfusionMatrix(y_true, y_prob, options.threshold, weights);
  const ConfusionMatrix& cm = r.confusion;
  r.accuracy = (cm.tp + cm.tn) / (cm.tp + cm.tn + cm.fp + cm.fn);
  r.precision = cm.tp + cm.fp > 0 ? cm.tp / (cm.tp + cm.fp) : 0.0;
  r.recall = cm.tp + cm.fn > 0 ? cm.tp / (cm.tp + cm.fn) : 0.0;
  r.f1 = cm.tp > 0 ? 2 * cm.tp / (2 * cm.tp + cm.fp + cm.fn) : 0.0;
  r.average_precision = AveragePrecision(y_true, y_prob, weights);
  r.max_f1 = MaxF1Threshold(y_true, y_prob, weights);
  if (options.value_per_conversion && options.cost_per_contact) {
    r.max_profit = MaxProfitThreshold(y_true, y_prob, *options.value_per_conversion,
                                      *options.cost_per_contact, weights);
  }
  const RocCurve roc = ComputeRocCurve(y_true, y_prob, weights, true);
  const auto roc_idx = ThinCurveIndices(roc.fpr.size(), options.max_curve_points);
  r.roc = {Pick(roc.fpr, roc_idx), Pick(roc.tpr, roc_idx), Pick(roc.thresholds, roc_idx)};
  const PrCurve pr = ComputePrCurve(y_true, y_prob, weights);
  const auto pr_idx = ThinCurveIndices(pr.precision.size(), options.max_curve_points);
  // The last PR point (precision 1, recall 0) has no threshold; keep the threshold list one
  // shorter.
  std::vector<size_t> thr_idx(pr_idx.begin(), pr_idx.end() - 1);
  r.pr = {Pick(pr.precision, pr_idx), Pick(pr.recall, pr_idx), Pick(pr.thresholds, thr_idx)};
  r.lift = ComputeLiftTable(y_true, y_prob, options.lift_bins, weights);
  r.calibration = ComputeCalibrationCurve(y_true, y_prob, options.calibration_bins,
                                          options.calibration_strategy);
  return r;
}

nlohmann::json MetricsReport::ToJson() const {
  nlohmann::json j;
  j["rows"] = rows;
  j["weight"] = weight;
  j["positives"] = positives;
  j["metrics"] = {{"accuracy", accuracy}, {"precision", precision},
                  {"recall", recall},     {"f1", f1},
                  {"roc_auc", roc_auc},   {"pr_auc", average_precision},
                  {"log_loss", log_loss}, {"brier", brier}};
  j["threshold"] = options.threshold;
  j["confusion_matrix"] = confusion.ToJson();
  j["thresholds"] = {{"max_f1", max_f1.ToJson()}, {"max_profit", nullptr}};
  if (max_profit) {
    j["thresholds"]["max_profit"] = max_profit->ToJson();
    j["thresholds"]["max_profit"]["value_per_conversion"] = *options.value_per_conversion;
    j["thresholds"]["max_profit"]["cost_per_contact"] = *options.cost_per_contact;
  }
  j["curves"] = {
      {"roc", {{"fpr", roc.fpr}, {"tpr", roc.tpr}, {"thresholds", roc.thresholds}}},
      {"pr", {{"precision", pr.precision}, {"recall", pr.recall}, {"thresholds", pr.thresholds}}},
      {"calibration", calibration.ToJson()}};
  j["curves"]["calibration"]["strategy"] =
      options.calibration_strategy == BinStrategy::kUniform ? "uniform" : "quantile";
  j["lift"] = LiftTableToJson(lift);
  return j;
}

}  // namespace prospect
