#include "prospect/monitor/performance.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/quantile.hpp"
#include "prospect/evaluate/calibration.hpp"
#include "prospect/evaluate/metrics.hpp"
#include "prospect/experiment/stats.hpp"
#include "prospect/models/training.hpp"

namespace prospect::monitor {
namespace {

// Midranks (1-based, ties share their mean rank), as Sun & Xu's compute_midrank.
std::vector<double> MidRanks(std::span<const double> x) {
  std::vector<size_t> order(x.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return x[a] < x[b]; });
  std::vector<double> ranks(x.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && x[order[j]] == x[order[i]]) ++j;
    const double mid = 0.5 * static_cast<double>(i + j - 1) + 1;
    for (size_t k = i; k < j; ++k) ranks[order[k]] = mid;
    i = j;
  }
  return ranks;
}

// DeLong's structural components of one score: its AUC and the per-row placement values of the
// positives (v10) and the negatives (v01).
struct DeLongComponents {
  double auc = 0;
  std::vector<double> v10, v01;
};
DeLongComponents Components(std::span<const double> y, std::span<const double> score) {
  std::vector<double> pos, neg, all;
  for (size_t i = 0; i < y.size(); ++i) (y[i] > 0.5 ? pos : neg).push_back(score[i]);
  const double m = static_cast<double>(pos.size()), n = static_cast<double>(neg.size());
  all = pos;
  all.insert(all.end(), neg.begin(), neg.end());
  const auto tx = MidRanks(pos), ty = MidRanks(neg), tz = MidRanks(all);
  DeLongComponents c;
  double sum = 0;
  for (size_t i = 0; i < pos.size(); ++i) {
    c.v10.push_back((tz[i] - tx[i]) / n);
    sum += tz[i];
  }
  for (size_t j = 0; j < neg.size(); ++j) c.v01.push_back(1.0 - (tz[pos.size() + j] - ty[j]) / m);
  c.auc = (sum - m * (m + 1) / 2) / (m * n);
  return c;
}

double Covariance(const std::vector<double>& a, const std::vector<double>& b) {  // ddof 1
  const double n = static_cast<double>(a.size());
  if (a.size() < 2) return 0;
  const double ma = std::accumulate(a.begin(), a.end(), 0.0) / n;
  const double mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += (a[i] - ma) * (b[i] - mb);
  return s / (n - 1);
}

void CheckLabels(std::span<const double> y, std::span<const double> score, const char* what) {
  if (y.size() != score.size())
    Fail(ErrorCode::kInvalidData, "{}: {} labels but {} scores", what, y.size(), score.size());
  size_t positives = 0;
  for (const double v : y) positives += v > 0.5 ? 1 : 0;
  if (positives == 0 || positives == y.size())
    Fail(ErrorCode::kInvalidData, "{}: the labels hold one class only ({} rows)", what, y.size());
}

// The lift of the top `share` of rows by score: their positive rate over the overall rate.
double TopLift(std::span<const double> y, std::span<const double> score, double share) {
  std::vector<size_t> order(y.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return score[a] > score[b]; });
  const size_t top = std::max<size_t>(1, static_cast<size_t>(std::llround(share * y.size())));
  double hits = 0, all = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    all += y[order[i]];
    if (i < top) hits += y[order[i]];
  }
  return all > 0 ? (hits / static_cast<double>(top)) / (all / static_cast<double>(y.size())) : 0;
}

// The first day of the window holding `day`.
int64_t WindowStart(int64_t day, const std::string& window) {
  if (window == "day") return day;
  if (window == "week") return MondayOf(day);
  const CivilDate d = CivilFromDays(day);
  return DaysFromCivil(d.year, d.month, 1);
}

}  // namespace

nlohmann::json DeLongResult::ToJson() const {
  return {{"auc_a", auc_a},
          {"auc_b", auc_b},
          {"difference", difference},
          {"std_error", std_error},
          {"z", z},
          {"p_value", p_value},
          {"low", low},
          {"high", high}};
}

DeLongResult DeLongTest(std::span<const double> y, std::span<const double> score_a,
                        std::span<const double> score_b, double level) {
  CheckLabels(y, score_a, "DeLong's test");
  CheckLabels(y, score_b, "DeLong's test");
  const DeLongComponents a = Components(y, score_a), b = Components(y, score_b);
  const double m = static_cast<double>(a.v10.size()), n = static_cast<double>(a.v01.size());
  // Var(b - a) = S_aa + S_bb - 2 S_ab with S = cov(v10) / m + cov(v01) / n.
  const double var =
      (Covariance(a.v10, a.v10) + Covariance(b.v10, b.v10) - 2 * Covariance(a.v10, b.v10)) / m +
      (Covariance(a.v01, a.v01) + Covariance(b.v01, b.v01) - 2 * Covariance(a.v01, b.v01)) / n;
  DeLongResult r;
  r.auc_a = a.auc;
  r.auc_b = b.auc;
  r.difference = b.auc - a.auc;
  r.std_error = std::sqrt(std::max(var, 0.0));
  const experiment::TestResult test =
      experiment::ZTestFromEstimate(r.difference, r.std_error, 1 - level);
  r.z = test.statistic;
  r.p_value = test.p_value;
  r.low = test.ci_low;
  r.high = test.ci_high;
  return r;
}

AucInterval RocAucInterval(std::span<const double> y, std::span<const double> score, double level) {
  CheckLabels(y, score, "the ROC-AUC interval");
  const DeLongComponents c = Components(y, score);
  const double var = Covariance(c.v10, c.v10) / static_cast<double>(c.v10.size()) +
                     Covariance(c.v01, c.v01) / static_cast<double>(c.v01.size());
  AucInterval out;
  out.auc = c.auc;
  out.std_error = std::sqrt(std::max(var, 0.0));
  const double q = experiment::NormalQuantile(0.5 + level / 2);
  out.low = std::max(0.0, c.auc - q * out.std_error);
  out.high = std::min(1.0, c.auc + q * out.std_error);
  return out;
}

double ExpectedRocAuc(std::span<const double> probabilities) {
  if (probabilities.size() < 2)
    Fail(ErrorCode::kInvalidData, "expected ROC-AUC needs two rows or more, got {}",
         probabilities.size());
  std::vector<double> p(probabilities.begin(), probabilities.end());
  for (const double v : p) {
    if (!(v >= 0 && v <= 1))
      Fail(ErrorCode::kInvalidData, "expected ROC-AUC: probability {} is outside [0, 1]", v);
  }
  std::sort(p.begin(), p.end(), std::greater<>());
  // Walk thresholds from the highest probability down: every row at or above the threshold is
  // predicted positive, and is expected to be a true positive with its probability.
  double total_pos = 0, total_neg = 0;
  for (const double v : p) {
    total_pos += v;
    total_neg += 1 - v;
  }
  if (total_pos <= 0 || total_neg <= 0) return 0.5;
  double tp = 0, fp = 0, prev_tpr = 0, prev_fpr = 0, area = 0;
  for (size_t i = 0; i < p.size();) {
    size_t j = i;
    while (j < p.size() && p[j] == p[i]) {
      tp += p[j];
      fp += 1 - p[j];
      ++j;
    }
    const double tpr = tp / total_pos, fpr = fp / total_neg;
    area += (fpr - prev_fpr) * (tpr + prev_tpr) / 2;
    prev_tpr = tpr;
    prev_fpr = fpr;
    i = j;
  }
  return area;
}

ChallengerRule ChallengerRule::FromJson(const nlohmann::json& section) {
  ChallengerRule rule;
  const auto read = [&](const char* key, double* out, double lo, double hi) {
    if (!section.contains(key)) return;
    const auto& v = section[key];
    if (!v.is_number() || !(v.get<double>() >= lo && v.get<double>() <= hi))
      Fail(ErrorCode::kInvalidData, "prospect.toml [monitor.retrain] {}: {} is not in [{}, {}]",
           key, v.dump(), lo, hi);
    *out = v.get<double>();
  };
  read("margin", &rule.margin, -1, 1);
  read("alpha", &rule.alpha, 0, 1);
  read("top_share", &rule.top_share, 1e-6, 1);
  return rule;
}

nlohmann::json ChallengerComparison::ToJson() const {
  return {{"rows", rows},
          {"roc_auc", auc.ToJson()},
          {"champion_log_loss", champion_log_loss},
          {"challenger_log_loss", challenger_log_loss},
          {"top_share", rule.top_share},
          {"champion_lift", champion_lift},
          {"challenger_lift", challenger_lift},
          {"margin", rule.margin},
          {"alpha", rule.alpha},
          {"promote", promote},
          {"reason", reason}};
}

ChallengerComparison CompareChallenger(std::span<const double> y, std::span<const double> champion,
                                       std::span<const double> challenger,
                                       const ChallengerRule& rule) {
  ChallengerComparison c;
  c.rows = y.size();
  c.rule = rule;
  c.auc = DeLongTest(y, champion, challenger);
  c.champion_log_loss = LogLoss(y, champion);
  c.challenger_log_loss = LogLoss(y, challenger);
  c.champion_lift = TopLift(y, champion, rule.top_share);
  c.challenger_lift = TopLift(y, challenger, rule.top_share);
  if (c.auc.difference < rule.margin) {
    c.reason = fmt::format("the challenger's ROC-AUC gain {:+.4f} is below the margin {}",
                           c.auc.difference, rule.margin);
  } else if (!(c.auc.p_value < rule.alpha)) {
    c.reason = fmt::format(
        "the challenger's ROC-AUC gain {:+.4f} is not significant (DeLong p = {:.3g}, needs < {})",
        c.auc.difference, c.auc.p_value, rule.alpha);
  } else {
    c.promote = true;
    c.reason = fmt::format("the challenger's ROC-AUC is higher by {:.4f} (DeLong p = {:.3g})",
                           c.auc.difference, c.auc.p_value);
  }
  return c;
}

nlohmann::json PerformanceReport::ToJson() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& w : windows) {
    nlohmann::json j = {{"start", w.start},
                        {"rows", w.rows},
                        {"labelled", w.labelled},
                        {"estimated_roc_auc", w.estimated_roc_auc}};
    j["roc_auc"] = w.roc_auc ? nlohmann::json(w.roc_auc->auc) : nlohmann::json();
    j["roc_auc_low"] = w.roc_auc ? nlohmann::json(w.roc_auc->low) : nlohmann::json();
    j["roc_auc_high"] = w.roc_auc ? nlohmann::json(w.roc_auc->high) : nlohmann::json();
    j["estimate_error"] =
        w.roc_auc ? nlohmann::json(w.estimated_roc_auc - w.roc_auc->auc) : nlohmann::json();
    j["log_loss"] = w.log_loss ? nlohmann::json(*w.log_loss) : nlohmann::json();
    j["positive_rate"] = w.positive_rate ? nlohmann::json(*w.positive_rate) : nlohmann::json();
    j["score_mean"] = w.score_mean;
    j["score_p10"] = w.score_p10;
    j["score_p50"] = w.score_p50;
    j["score_p90"] = w.score_p90;
    out.push_back(j);
  }
  return {{"model", model},
          {"version", version},
          {"table", table},
          {"holdout_roc_auc", holdout_roc_auc},
          {"calibration", calibration},
          {"windows", out}};
}

PerformanceReport MeasurePerformance(Store& store, const PerformanceRequest& request,
                                     const Context& ctx) {
  if (request.window != "day" && request.window != "week" && request.window != "month")
    Fail(ErrorCode::kInvalidArgument, "window {:?}: expected day, week or month", request.window);
  int64_t version = request.version;
  if (version == 0) version = ProductionVersion(store, request.model);
  const ModelPackage model = LoadModel(store, request.model, version);
  if (model.task != "classification")
    Fail(ErrorCode::kInvalidArgument,
         "model {} is a regression; performance monitoring estimates a classifier's ROC-AUC",
         request.model);
  PerformanceReport report;
  report.model = model.name;
  report.version = model.version;
  report.table = request.table;
  report.holdout_roc_auc =
      model.meta.value("metrics", nlohmann::json::object()).value("roc_auc", NAN);

  // Calibrate on the rows the model held out at training (labelled, unseen): CBPE needs
  // probabilities that mean what they say.
  const Table training = store.LoadTable(model.table, ctx);
  const std::vector<size_t> held = HeldOutRows(model, training);
  IsotonicCalibrator calibrator;
  if (held.size() >= 20) {
    const Table h = training.Take(held);
    calibrator.Fit(model.Score(h, ctx), model.Labels(h));
    report.calibration = fmt::format("isotonic, on the {} rows held out at training", held.size());
  } else {
    report.calibration =
        "none: the training table changed since training, so its held-out rows are unknown; the "
        "model's probabilities are taken as they are";
  }

  const Table table = store.LoadTable(request.table, ctx);
  const std::vector<double> scores = model.Score(table, ctx);
  const std::vector<double> probabilities =
      calibrator.fitted() ? calibrator.Predict(scores) : scores;
  std::vector<double> labels(table.num_rows(), NAN);
  if (table.HasColumn(model.target)) labels = model.Labels(table);

  std::map<int64_t, std::vector<size_t>> windows;
  if (request.time_column.empty()) {
    auto& all = windows[0];
    all.resize(table.num_rows());
    std::iota(all.begin(), all.end(), 0);
  } else {
    const Column& time = table.column(request.time_column);
    if (time.type() != DataType::kDate && time.type() != DataType::kTimestamp)
      Fail(ErrorCode::kInvalidArgument, "time column {} is {}, not a date or timestamp",
           request.time_column, DataTypeName(time.type()));
    for (size_t r = 0; r < table.num_rows(); ++r) {
      if (time.IsNull(r)) continue;
      const int64_t v = time.ints()[r];
      const int64_t day = time.type() == DataType::kDate ? v : DayOfTimestamp(v);
      windows[WindowStart(day, request.window)].push_back(r);
    }
  }
  for (const auto& [start, rows] : windows) {
    PerformanceWindow w;
    w.start = request.time_column.empty() ? "all" : FormatDate(start);
    w.rows = static_cast<int64_t>(rows.size());
    std::vector<double> p, y, py, window_scores;
    for (const size_t r : rows) {
      p.push_back(probabilities[r]);
      window_scores.push_back(scores[r]);
      if (std::isnan(labels[r])) continue;
      y.push_back(labels[r]);
      py.push_back(scores[r]);
    }
    w.labelled = static_cast<int64_t>(y.size());
    if (!window_scores.empty()) {
      w.score_mean = std::accumulate(window_scores.begin(), window_scores.end(), 0.0) /
                     static_cast<double>(window_scores.size());
      std::sort(window_scores.begin(), window_scores.end());
      w.score_p10 = QuantileSorted(window_scores, 0.1);
      w.score_p50 = QuantileSorted(window_scores, 0.5);
      w.score_p90 = QuantileSorted(window_scores, 0.9);
    }
    if (p.size() >= 2) w.estimated_roc_auc = ExpectedRocAuc(p);
    if (!y.empty()) {
      w.positive_rate = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(y.size());
      w.log_loss = LogLoss(y, py);
      if (*w.positive_rate > 0 && *w.positive_rate < 1) w.roc_auc = RocAucInterval(y, py);
    }
    report.windows.push_back(std::move(w));
  }
  return report;
}

void SavePerformanceReport(Store& store, const PerformanceReport& report) {
  store.PutObject("performance_report", report.model, report.ToJson(), "");
  store.Audit("monitor.performance",
              fmt::format("model={} version={} table={} windows={}", report.model, report.version,
                          report.table, report.windows.size()));
}

}  // namespace prospect::monitor
