// Driver analysis: which features separate promoters from detractors (see survey.hpp). The model
// is any registered classifier, trained through the same steps as `prospect train`; the drivers
// are its per-column explanations (ExplainRows) averaged over the responses.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <unordered_map>
#include <unordered_set>

#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/evaluate/metrics.hpp"
#include "prospect/models/classify/classifier.hpp"
#include "prospect/models/scoring.hpp"
#include "prospect/models/training.hpp"
#include "prospect/store/store.hpp"
#include "prospect/survey/survey.hpp"
#include "survey/survey_columns.hpp"

namespace prospect {
namespace {

using survey_internal::RequireColumn;

constexpr const char* kHighColumn = "__survey_high";
// Fewer promoters or detractors than this cannot say what separates them.
constexpr int64_t kMinPerBand = 10;
// |correlation| below this: no consistent direction.
constexpr double kMixedBelow = 0.1;

std::unique_ptr<Classifier> AsClassifier(std::unique_ptr<SupervisedModel> model) {
  auto* classifier = dynamic_cast<Classifier*>(model.get());
  PROSPECT_CHECK(classifier != nullptr);
  (void)model.release();
  return std::unique_ptr<Classifier>(classifier);
}

double Pearson(const std::vector<double>& x, const std::vector<double>& y) {
  const size_t n = x.size();
  if (n < 2) return std::numeric_limits<double>::quiet_NaN();
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(n);
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(n);
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < n; ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : 0.0;
}

// One driver's summary from its per-row contributions and the column's values.
SurveyDriver Describe(const std::string& name, const Column& column,
                      const std::vector<double>& contribution, const std::vector<double>& target) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  SurveyDriver d;
  d.feature = name;
  const size_t n = contribution.size();
  for (double c : contribution) d.mean_abs_shap += std::abs(c);
  d.mean_abs_shap /= static_cast<double>(std::max<size_t>(n, 1));
  d.high_mean = d.low_mean = d.correlation = kNaN;
  if (IsStringLike(column.type())) {
    std::map<std::string, std::pair<double, size_t>> per_level;  // sum, count
    for (size_t r = 0; r < n; ++r) {
      auto& level = per_level[column.IsNull(r) ? "(missing)" : std::string(column.StringAt(r))];
      level.first += contribution[r];
      ++level.second;
    }
    double best = -std::numeric_limits<double>::infinity(), worst = -best;
    for (const auto& [level, sum_count] : per_level) {
      const double mean = sum_count.first / static_cast<double>(sum_count.second);
      if (mean > best) best = mean, d.best_level = level;
      if (mean < worst) worst = mean, d.worst_level = level;
    }
    d.direction = "category";
    return d;
  }
  std::vector<double> values, contributions;
  double high_sum = 0, low_sum = 0;
  size_t high_n = 0, low_n = 0;
  for (size_t r = 0; r < n; ++r) {
    const double v = column.NumericAt(r);
    if (std::isnan(v)) continue;
    values.push_back(v);
    contributions.push_back(contribution[r]);
    (target[r] > 0.5 ? high_sum : low_sum) += v;
    ++(target[r] > 0.5 ? high_n : low_n);
  }
  if (high_n) d.high_mean = high_sum / static_cast<double>(high_n);
  if (low_n) d.low_mean = low_sum / static_cast<double>(low_n);
  d.correlation = Pearson(values, contributions);
  d.direction = !(std::abs(d.correlation) >= kMixedBelow) ? "mixed"
                : d.correlation > 0                       ? "higher"
                                                          : "lower";
  return d;
}

std::optional<std::string> TableKey(Store& store, const std::string& table) {
  const auto info = store.FindTable(table);
  return info ? info->key : std::nullopt;
}

}  // namespace

nlohmann::json SurveyDriver::ToJson() const {
  nlohmann::json out = {{"feature", feature},
                        {"mean_abs_shap", mean_abs_shap},
                        {"share", share},
                        {"direction", direction}};
  if (direction == "category") {
    out["best_level"] = best_level;
    out["worst_level"] = worst_level;
  } else {
    out["correlation"] = correlation;
    out["high_mean"] = high_mean;
    out["low_mean"] = low_mean;
  }
  return out;
}

nlohmann::json DriverReport::ToJson() const {
  const auto& bands = BandNames(scale);
  nlohmann::json list = nlohmann::json::array();
  for (const SurveyDriver& d : drivers) list.push_back(d.ToJson());
  return {{"scale", SurveyScaleName(scale)},
          {"table", table},
          {"features", features},
          {"model", model},
          {"score_column", score_column},
          {"id_column", id_column},
          {"features_id", features_id},
          {"responses", responses},
          {bands[2], high},
          {bands[0], low},
          {bands[1] + "_dropped", middle_dropped},
          {"unmatched", unmatched},
          {"skipped", skipped},
          {"holdout_auc", holdout_auc},
          {"holdout_rows", holdout_rows},
          {"drivers", list},
          {"warnings", warnings}};
}

DriverReport AnalyzeDrivers(Store& store, const DriverRequest& request, const Context& ctx) {
  (void)ClassifierRegistry().Find(request.model);
  const Table responses = store.LoadTable(request.table, ctx);
  const Table features = store.LoadTable(request.features, ctx);
  DriverRequest r = request;
  r.id_column = survey_internal::IdColumn(responses, request.table, request.id_column,
                                          TableKey(store, request.table));
  r.features_id = survey_internal::JoinKey(features, request.features, request.features_id,
                                           TableKey(store, request.features), r.id_column);
  return AnalyzeDrivers(responses, features, r, ctx);
}

DriverReport AnalyzeDrivers(const Table& responses, const Table& features,
                            const DriverRequest& request, const Context& ctx) {
  (void)ClassifierRegistry().Find(request.model);
  DriverReport out;
  out.scale = request.scale;
  out.table = request.table;
  out.features = request.features;
  out.model = request.model;
  out.score_column =
      survey_internal::ScoreColumn(responses, request.table, request.score_column, request.scale);
  out.id_column = request.id_column.empty() ? "customer_id" : request.id_column;
  RequireColumn(responses, request.table, out.id_column);
  out.features_id = survey_internal::JoinKey(features, request.features, request.features_id,
                                             std::nullopt, out.id_column);
  for (const std::string& e : request.experiences) {
    RequireColumn(responses, request.table, e);
    if (e == out.id_column || e == out.score_column) {
      Fail(ErrorCode::kInvalidArgument, "experience column {} is the {} column of table {}", e,
           e == out.id_column ? "id" : "score", request.table);
    }
  }
  for (const std::string& e : request.exclude) {
    if (std::find(request.experiences.begin(), request.experiences.end(), e) ==
        request.experiences.end())
      RequireColumn(features, request.features, e);
  }
  const std::vector<int64_t> scores =
      ReadScores(responses, request.table, out.score_column, request.scale);

  // The promoters and detractors with a features row; passives (neutral) dropped.
  const Column& fid = features.column(out.features_id);
  std::unordered_set<std::string> known;
  for (size_t r = 0; r < fid.size(); ++r) {
    if (!fid.IsNull(r)) known.insert(fid.FormatValue(r));
  }
  const Column& ids = responses.column(out.id_column);
  std::vector<size_t> rows;
  ColumnVector<int64_t> high;
  for (size_t r = 0; r < scores.size(); ++r) {
    if (scores[r] < 0) {
      ++out.skipped;
      continue;
    }
    ++out.responses;
    const SurveyBand band = BandOf(request.scale, scores[r]);
    if (band == SurveyBand::kMiddle) {
      ++out.middle_dropped;
    } else if (ids.IsNull(r) || !known.contains(ids.FormatValue(r))) {
      ++out.unmatched;
    } else {
      rows.push_back(r);
      high.push_back(band == SurveyBand::kHigh ? 1 : 0);
      ++(band == SurveyBand::kHigh ? out.high : out.low);
    }
  }
  const auto& bands = BandNames(request.scale);
  if (out.high < kMinPerBand || out.low < kMinPerBand) {
    Fail(ErrorCode::kFailedPrecondition,
         "a driver analysis needs at least {} {} and {} {} with a row in table {}; table {} has "
         "{} and {}{}",
         kMinPerBand, bands[2], kMinPerBand, bands[0], request.features, request.table, out.high,
         out.low,
         out.unmatched > 0
             ? fmt::format(" ({} more have no row in {})", out.unmatched, request.features)
             : "");
  }
  if (out.unmatched > 0) {
    out.warnings.push_back(fmt::format("{} {} and {} without a row in {} were left out",
                                       out.unmatched, bands[2], bands[0], request.features));
  }

  std::vector<std::string> left_columns = {out.id_column};
  left_columns.insert(left_columns.end(), request.experiences.begin(), request.experiences.end());
  const Table left = responses.Select(left_columns)
                         .Take(rows)
                         .WithColumn(kHighColumn, Column::FromInts(DataType::kInt64, high));
  const Table joined = LookupJoin(left, out.id_column, features, out.features_id);

  TrainRequest tr;
  tr.table = request.features;
  tr.target = kHighColumn;
  tr.positive = "1";
  tr.id_column = out.id_column;
  tr.exclude = request.exclude;
  tr.model = request.model;
  const PreparedTable prepared =
      PrepareTraining(joined, tr, TrainTask::kClassification, SplitSpec{});
  out.warnings.insert(out.warnings.end(), prepared.warnings.begin(), prepared.warnings.end());
  const SplitSpec split;  // stratified, a fifth held out
  const EncodedSplit data = SplitAndEncode(
      prepared, split, ClassifierRegistry().Find(request.model).traits.wants_scaled_features, ctx);
  ModelPackage model;
  model.name = "survey drivers";
  model.target = kHighColumn;
  model.positive = "1";
  model.id_column = out.id_column;
  model.pipeline = data.pipeline;
  model.classifier = AsClassifier(
      FitFinalModel(TrainTask::kClassification, request.model, request.params, data, ctx));
  out.holdout_rows = data.y_test.size();
  out.holdout_auc = RocAuc(data.y_test, model.classifier->PredictProba(data.x_test, ctx));
  ctx.logger().info("survey drivers: {} {} and {} {}, held-out ROC-AUC {:.3f}", out.high, bands[2],
                    out.low, bands[0], out.holdout_auc);

  // Every column's contribution to every analysed response (zero where ExplainRows lists none).
  const std::vector<std::string>& inputs = model.pipeline.input_columns();
  std::unordered_map<std::string, size_t> input_of;
  for (size_t c = 0; c < inputs.size(); ++c) input_of[inputs[c]] = c;
  const auto reasons = ExplainRows(model, prepared.table, inputs.size(), ctx);
  std::vector<std::vector<double>> contribution(inputs.size(),
                                                std::vector<double>(reasons.size(), 0.0));
  for (size_t r = 0; r < reasons.size(); ++r) {
    for (const Reason& reason : reasons[r])
      contribution[input_of.at(reason.column)][r] = reason.contribution;
  }
  double total = 0;
  for (size_t c = 0; c < inputs.size(); ++c) {
    out.drivers.push_back(
        Describe(inputs[c], prepared.table.column(inputs[c]), contribution[c], prepared.target));
    total += out.drivers.back().mean_abs_shap;
  }
  for (SurveyDriver& d : out.drivers) d.share = total > 0 ? d.mean_abs_shap / total : 0;
  std::stable_sort(out.drivers.begin(), out.drivers.end(),
                   [](const SurveyDriver& a, const SurveyDriver& b) {
                     return a.mean_abs_shap > b.mean_abs_shap;
                   });
  return out;
}

}  // namespace prospect
