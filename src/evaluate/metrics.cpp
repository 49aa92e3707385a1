// Binary-classification metrics. Each curve follows scikit-learn 1.2's arithmetic step by step
// (sorting, cumulative sums, the order of divisions) so results agree to rounding.
#include "prospect/evaluate/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "evaluate/checks.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/quantile.hpp"

namespace prospect {
namespace evaluate_internal {

void CheckLabelsAndScores(std::string_view what, std::span<const double> y_true,
                          std::span<const double> y_score, std::span<const double> weights,
                          bool probabilities) {
  if (y_true.size() != y_score.size()) {
    Fail(ErrorCode::kInvalidData, "{}: y_true and y_score have different lengths ({} vs {})", what,
         y_true.size(), y_score.size());
  }
  if (y_true.empty())
    Fail(ErrorCode::kInvalidData, "{}: no rows to evaluate (y_true is empty)", what);
  if (!weights.empty() && weights.size() != y_true.size()) {
    Fail(ErrorCode::kInvalidData, "{}: {} weights for {} rows; give one weight per row or none",
         what, weights.size(), y_true.size());
  }
  for (size_t i = 0; i < y_true.size(); ++i) {
    if (y_true[i] != 0.0 && y_true[i] != 1.0) {
      Fail(ErrorCode::kInvalidData,
           "{}: y_true must hold 0 or 1, but row {} has {}; encode the positive class as 1", what,
           i, y_true[i]);
    }
    if (!std::isfinite(y_score[i])) {
      Fail(ErrorCode::kInvalidData, "{}: scores must be finite, but row {} has {}", what, i,
           y_score[i]);
    }
    if (probabilities && (y_score[i] < 0.0 || y_score[i] > 1.0)) {
      Fail(ErrorCode::kInvalidData,
           "{}: probabilities must lie in [0, 1], but row {} has {}; pass the predicted "
           "probability of the "
           "positive class, not a raw score",
           what, i, y_score[i]);
    }
  }
  CheckWeights(what, weights);
}

void CheckWeights(std::string_view what, std::span<const double> weights) {
  if (weights.empty()) return;
  double total = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (!std::isfinite(weights[i]) || weights[i] < 0) {
      Fail(ErrorCode::kInvalidData,
           "{}: weights must be finite and non-negative, but row {} has {}", what, i, weights[i]);
    }
    total += weights[i];
  }
  if (!(total > 0)) {
    Fail(ErrorCode::kInvalidData, "{}: all weights are 0; give at least one row a positive weight",
         what);
  }
}

ClfCurve BinaryClfCurve(std::span<const double> y_true, std::span<const double> y_score,
                        std::span<const double> weights) {
  // sklearn drops zero-weight rows, sorts ascending with a stable mergesort and reverses, so tied
  // rows appear in reverse input order; the same order keeps the weighted cumulative sums equal.
  std::vector<size_t> order;
  order.reserve(y_true.size());
  for (size_t i = 0; i < y_true.size(); ++i) {
    if (weights.empty() || weights[i] != 0.0) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return y_score[a] < y_score[b]; });
  std::reverse(order.begin(), order.end());
  ClfCurve curve;
  double tp = 0, fp = 0;
  for (size_t k = 0; k < order.size(); ++k) {
    const size_t i = order[k];
    const double w = weights.empty() ? 1.0 : weights[i];
    tp += y_true[i] * w;
    fp += (1.0 - y_true[i]) * w;
    if (k + 1 == order.size() || y_score[order[k + 1]] != y_score[i]) {
      curve.tps.push_back(tp);
      // Unweighted sklearn uses 1 + index − tps; equal to the running count in exact integers.
      curve.fps.push_back(weights.empty() ? static_cast<double>(k + 1) - tp : fp);
      curve.thresholds.push_back(y_score[i]);
    }
  }
  return curve;
}

}  // namespace evaluate_internal

using evaluate_internal::BinaryClfCurve;
using evaluate_internal::CheckLabelsAndScores;

namespace {

double WeightAt(std::span<const double> weights, size_t i) {
  return weights.empty() ? 1.0 : weights[i];
}

void RequireBothClasses(std::string_view what, const evaluate_internal::ClfCurve& curve) {
  const double positives = curve.tps.empty() ? 0 : curve.tps.back();
  const double negatives = curve.fps.empty() ? 0 : curve.fps.back();
  if (positives <= 0 || negatives <= 0) {
    Fail(ErrorCode::kInvalidData,
         "{} is undefined: y_true holds only one class (every weighted row is {}); evaluate on a "
         "held-out set "
         "with both positives and negatives, e.g. a larger or stratified test split",
         what, positives > 0 ? 1 : 0);
  }
}

}  // namespace

nlohmann::json ConfusionMatrix::ToJson() const {
  return {{"tn", tn}, {"fp", fp}, {"fn", fn}, {"tp", tp}, {"matrix", {{tn, fp}, {fn, tp}}}};
}

ConfusionMatrix ComputeConfusionMatrix(std::span<const double> y_true,
                                       std::span<const double> y_score, double threshold,
                                       std::span<const double> weights) {
  CheckLabelsAndScores("confusion matrix", y_true, y_score, weights, false);
  if (std::isnan(threshold))
    Fail(ErrorCode::kInvalidArgument, "confusion matrix: the threshold is NaN");
  ConfusionMatrix cm;
  for (size_t i = 0; i < y_true.size(); ++i) {
    const double w = WeightAt(weights, i);
    const bool predicted = y_score[i] >= threshold;
    if (y_true[i] == 1.0) {
      (predicted ? cm.tp : cm.fn) += w;
    } else {
      (predicted ? cm.fp : cm.tn) += w;
    }
  }
  return cm;
}

double Accuracy(std::span<const double> y_true, std::span<const double> y_score, double threshold,
                std::span<const double> weights) {
  const ConfusionMatrix cm = ComputeConfusionMatrix(y_true, y_score, threshold, weights);
  return (cm.tp + cm.tn) / (cm.tp + cm.tn + cm.fp + cm.fn);
}

double Precision(std::span<const double> y_true, std::span<const double> y_score, double threshold,
                 std::span<const double> weights) {
  const ConfusionMatrix cm = ComputeConfusionMatrix(y_true, y_score, threshold, weights);
  return cm.tp + cm.fp > 0 ? cm.tp / (cm.tp + cm.fp) : 0.0;
}

double Recall(std::span<const double> y_true, std::span<const double> y_score, double threshold,
              std::span<const double> weights) {
  const ConfusionMatrix cm = ComputeConfusionMatrix(y_true, y_score, threshold, weights);
  return cm.tp + cm.fn > 0 ? cm.tp / (cm.tp + cm.fn) : 0.0;
}

double F1Score(std::span<const double> y_true, std::span<const double> y_score, double threshold,
               std::span<const double> weights) {
  const ConfusionMatrix cm = ComputeConfusionMatrix(y_true, y_score, threshold, weights);
  return cm.tp > 0 ? 2 * cm.tp / (2 * cm.tp + cm.fp + cm.fn) : 0.0;
}

namespace {

// ROC curve with the caller's name in messages, so RocAuc's one-class error says "ROC-AUC".
RocCurve RocCurveFor(std::string_view what, std::span<const double> y_true,
                     std::span<const double> y_score, std::span<const double> weights,
                     bool drop_intermediate) {
  CheckLabelsAndScores(what, y_true, y_score, weights, false);
  const auto c = BinaryClfCurve(y_true, y_score, weights);
  RequireBothClasses(what, c);
  std::vector<size_t> keep;
  const size_t m = c.fps.size();
  for (size_t i = 0; i < m; ++i) {
    bool corner = true;
    if (drop_intermediate && m > 2 && i > 0 && i + 1 < m) {
      // np.diff(x, 2) computed the same way, so "nonzero" decides identically.
      const double d2f = (c.fps[i + 1] - c.fps[i]) - (c.fps[i] - c.fps[i - 1]);
      const double d2t = (c.tps[i + 1] - c.tps[i]) - (c.tps[i] - c.tps[i - 1]);
      corner = d2f != 0.0 || d2t != 0.0;
    }
    if (corner) keep.push_back(i);
  }
  RocCurve roc;
  const double fp_total = c.fps.back(), tp_total = c.tps.back();
  roc.fpr.push_back(0.0);
  roc.tpr.push_back(0.0);
  roc.thresholds.push_back(c.thresholds[keep.front()] + 1.0);
  for (size_t i : keep) {
    roc.fpr.push_back(c.fps[i] / fp_total);
    roc.tpr.push_back(c.tps[i] / tp_total);
    roc.thresholds.push_back(c.thresholds[i]);
  }
  return roc;
}

}  // namespace

RocCurve ComputeRocCurve(std::span<const double> y_true, std::span<const double> y_score,
                         std::span<const double> weights, bool drop_intermediate) {
  return RocCurveFor("ROC curve", y_true, y_score, weights, drop_intermediate);
}

double RocAuc(std::span<const double> y_true, std::span<const double> y_score,
              std::span<const double> weights) {
  const RocCurve roc = RocCurveFor("ROC-AUC", y_true, y_score, weights, true);
  double area = 0;  // np.trapz over the curve sklearn's roc_auc_score uses
  for (size_t i = 1; i < roc.fpr.size(); ++i) {
    area += (roc.fpr[i] - roc.fpr[i - 1]) * (roc.tpr[i] + roc.tpr[i - 1]) / 2.0;
  }
  return area;
}

PrCurve ComputePrCurve(std::span<const double> y_true, std::span<const double> y_score,
                       std::span<const double> weights) {
  CheckLabelsAndScores("precision-recall curve", y_true, y_score, weights, false);
  const auto c = BinaryClfCurve(y_true, y_score, weights);
  if (!(c.tps.back() > 0)) {
    Fail(ErrorCode::kInvalidData,
         "precision-recall curve and average precision are undefined: y_true has no positive rows; "
         "evaluate on a "
         "held-out set that contains positives");
  }
  PrCurve pr;
  const size_t m = c.tps.size();
  for (size_t k = m; k-- > 0;) {
    const double ps = c.tps[k] + c.fps[k];
    pr.precision.push_back(ps != 0 ? c.tps[k] / ps : 0.0);
    pr.recall.push_back(c.tps[k] / c.tps.back());
    pr.thresholds.push_back(c.thresholds[k]);
  }
  pr.precision.push_back(1.0);
  pr.recall.push_back(0.0);
  return pr;
}

double AveragePrecision(std::span<const double> y_true, std::span<const double> y_score,
                        std::span<const double> weights) {
  const PrCurve pr = ComputePrCurve(y_true, y_score, weights);
  double sum = 0;
  for (size_t i = 0; i + 1 < pr.recall.size(); ++i)
    sum += (pr.recall[i + 1] - pr.recall[i]) * pr.precision[i];
  return -sum;
}

double LogLoss(std::span<const double> y_true, std::span<const double> y_prob,
               std::span<const double> weights, double eps) {
  CheckLabelsAndScores("log-loss", y_true, y_prob, weights, true);
  if (!(eps >= 0 && eps < 0.5))
    Fail(ErrorCode::kInvalidArgument, "log-loss: eps must lie in [0, 0.5), got {}", eps);
  double loss_sum = 0, weight_sum = 0;
  for (size_t i = 0; i < y_true.size(); ++i) {
    // sklearn clips, forms [1 − p, p] and renormalises the pair before taking the log.
    const double p = std::clamp(y_prob[i], eps, 1.0 - eps);
    const double q = 1.0 - p;
    const double sum = q + p;
    const double chosen = (y_true[i] == 1.0 ? p : q) / sum;
    const double w = WeightAt(weights, i);
    loss_sum += -std::log(chosen) * w;
    weight_sum += w;
  }
  return loss_sum / weight_sum;
}

double BrierScore(std::span<const double> y_true, std::span<const double> y_prob,
                  std::span<const double> weights) {
  CheckLabelsAndScores("Brier score", y_true, y_prob, weights, true);
  double sum = 0, weight_sum = 0;
  for (size_t i = 0; i < y_true.size(); ++i) {
    const double d = y_true[i] - y_prob[i];
    sum += d * d * WeightAt(weights, i);
    weight_sum += WeightAt(weights, i);
  }
  return sum / weight_sum;
}

nlohmann::json CalibrationCurve::ToJson() const {
  return {{"prob_true", prob_true}, {"prob_pred", prob_pred}, {"counts", counts}};
}

CalibrationCurve ComputeCalibrationCurve(std::span<const double> y_true,
                                         std::span<const double> y_prob, size_t n_bins,
                                         BinStrategy strategy) {
  if (n_bins < 1)
    Fail(ErrorCode::kInvalidArgument, "calibration curve: n_bins must be at least 1, got 0");
  CheckLabelsAndScores("calibration curve", y_true, y_prob, {}, true);
  // Edges as numpy.linspace(0, 1, n_bins + 1): i * step with the last forced to exactly 1.
  const double step = 1.0 / static_cast<double>(n_bins);
  std::vector<double> edges(n_bins + 1);
  std::vector<double> sorted;
  if (strategy == BinStrategy::kQuantile) {
    sorted.assign(y_prob.begin(), y_prob.end());
    std::sort(sorted.begin(), sorted.end());
  }
  for (size_t i = 0; i <= n_bins; ++i) {
    const double q = i == n_bins ? 1.0 : static_cast<double>(i) * step;
    // sklearn takes np.percentile(p, q * 100): the same level, rounded as it rounds it.
    edges[i] = strategy == BinStrategy::kUniform
                   ? q
                   : QuantileSorted(sorted, std::min(1.0, q * 100.0 / 100.0));
  }
  std::vector<double> sums(n_bins + 1, 0.0), trues(n_bins + 1, 0.0), totals(n_bins + 1, 0.0);
  for (size_t i = 0; i < y_prob.size(); ++i) {
    // np.searchsorted(edges[1:-1], p, side="left"): the number of inner edges strictly below p.
    const auto bin = static_cast<size_t>(
        std::lower_bound(edges.begin() + 1, edges.end() - 1, y_prob[i]) - (edges.begin() + 1));
    sums[bin] += y_prob[i];
    trues[bin] += y_true[i];
    totals[bin] += 1;
  }
  CalibrationCurve curve;
  for (size_t b = 0; b < totals.size(); ++b) {
    if (totals[b] == 0) continue;
    curve.prob_true.push_back(trues[b] / totals[b]);
    curve.prob_pred.push_back(sums[b] / totals[b]);
    curve.counts.push_back(totals[b]);
  }
  return curve;
}

std::vector<LiftBin> ComputeLiftTable(std::span<const double> y_true,
                                      std::span<const double> y_score, size_t n_bins,
                                      std::span<const double> weights) {
  if (n_bins < 1) Fail(ErrorCode::kInvalidArgument, "lift table: n_bins must be at least 1, got 0");
  CheckLabelsAndScores("lift table", y_true, y_score, weights, false);
  const size_t n = y_true.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return y_score[a] > y_score[b]; });
  double total_positives = 0, total_weight = 0;
  for (size_t i = 0; i < n; ++i) {
    total_positives += WeightAt(weights, i) * y_true[i];
    total_weight += WeightAt(weights, i);
  }
  const double rate = total_positives / total_weight;
  std::vector<LiftBin> table(n_bins);
  const size_t base = n / n_bins, extra = n % n_bins;
  size_t start = 0;
  double cum_positives = 0, cum_weight = 0;
  for (size_t b = 0; b < n_bins; ++b) {
    LiftBin& bin = table[b];
    bin.count = base + (b < extra ? 1 : 0);
    for (size_t k = start; k < start + bin.count; ++k) {
      const size_t i = order[k];
      bin.weight += WeightAt(weights, i);
      bin.positives += WeightAt(weights, i) * y_true[i];
      bin.max_score = k == start ? y_score[i] : std::max(bin.max_score, y_score[i]);
      bin.min_score = k == start ? y_score[i] : std::min(bin.min_score, y_score[i]);
    }
    start += bin.count;
    cum_positives += bin.positives;
    cum_weight += bin.weight;
    bin.response_rate = bin.weight > 0 ? bin.positives / bin.weight : 0.0;
    bin.lift = bin.weight > 0 && rate > 0 ? bin.response_rate / rate : 0.0;
    bin.cumulative_gain = total_positives > 0 ? cum_positives / total_positives : 0.0;
    bin.cumulative_lift = cum_weight > 0 && rate > 0 ? (cum_positives / cum_weight) / rate : 0.0;
  }
  return table;
}

nlohmann::json LiftTableToJson(const std::vector<LiftBin>& table) {
  nlohmann::json rows = nlohmann::json::array();
  for (size_t b = 0; b < table.size(); ++b) {
    const LiftBin& bin = table[b];
    nlohmann::json row = {{"bin", b + 1},
                          {"count", bin.count},
                          {"weight", bin.weight},
                          {"positives", bin.positives},
                          {"response_rate", bin.response_rate},
                          {"lift", bin.lift},
                          {"cumulative_gain", bin.cumulative_gain},
                          {"cumulative_lift", bin.cumulative_lift}};
    if (bin.count > 0) {
      row["min_score"] = bin.min_score;
      row["max_score"] = bin.max_score;
    } else {
      row["min_score"] = nullptr;
      row["max_score"] = nullptr;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

nlohmann::json ThresholdChoice::ToJson() const {
  return {{"threshold", threshold}, {"metric", metric}, {"contacts", contacts}};
}

namespace {

// Walks distinct thresholds from the highest down with running weighted counts (O(n log n)),
// keeping the first strictly better metric so ties resolve to the highest threshold.
template <typename MetricFn>
ThresholdChoice BestThreshold(std::span<const double> y_true, std::span<const double> y_score,
                              std::span<const double> weights, double tolerance, MetricFn metric) {
  std::vector<size_t> order(y_true.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return y_score[a] > y_score[b]; });
  double total_positives = 0;
  for (size_t i = 0; i < y_true.size(); ++i) total_positives += WeightAt(weights, i) * y_true[i];
  double tp = 0, fp = 0;
  ThresholdChoice best;
  bool have = false;
  for (size_t k = 0; k < order.size(); ++k) {
    const size_t i = order[k];
    const double w = WeightAt(weights, i);
    tp += w * y_true[i];
    fp += w * (1 - y_true[i]);
    if (k + 1 < order.size() && y_score[order[k + 1]] == y_score[i]) continue;
    const double value = metric(tp, fp, total_positives);
    if (!have || value > best.metric + tolerance) {
      best = {y_score[i], value, tp + fp};
      have = true;
    }
  }
  return best;
}

}  // namespace

ThresholdChoice MaxF1Threshold(std::span<const double> y_true, std::span<const double> y_score,
                               std::span<const double> weights) {
  CheckLabelsAndScores("max-F1 threshold", y_true, y_score, weights, false);
  return BestThreshold(y_true, y_score, weights, 1e-12, [](double tp, double fp, double positives) {
    return tp > 0 ? 2 * tp / (tp + fp + positives) : 0.0;
  });
}

ThresholdChoice MaxProfitThreshold(std::span<const double> y_true, std::span<const double> y_score,
                                   double value_per_conversion, double cost_per_contact,
                                   std::span<const double> weights) {
  CheckLabelsAndScores("max-profit threshold", y_true, y_score, weights, false);
  if (!std::isfinite(value_per_conversion) || !std::isfinite(cost_per_contact)) {
    Fail(ErrorCode::kInvalidArgument,
         "max-profit threshold: value per conversion and cost per contact must be finite numbers "
         "(got {} and {})",
         value_per_conversion, cost_per_contact);
  }
  return BestThreshold(y_true, y_score, weights, 1e-9, [&](double tp, double fp, double) {
    return tp * value_per_conversion - (tp + fp) * cost_per_contact;
  });
}

}  // namespace prospect
