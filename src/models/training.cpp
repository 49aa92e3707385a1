// Model training as steps (prepare, split and encode, tune, fit, register) and the model
// registry. The pipeline is fitted on the training part only; search trials are scored by
// stratified k-fold ROC-AUC on the training part; the held-out part is touched once, by the
// final model.
#include "prospect/models/training.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <unordered_set>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/rng.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/evaluate/metrics.hpp"
#include "prospect/evaluate/search.hpp"
#include "prospect/evaluate/split.hpp"

namespace prospect {
namespace {

// The positive class: as given, else the obvious one for two-valued targets.
std::string ResolvePositive(const Table& t, const std::string& target,
                            const std::optional<std::string>& positive) {
  const Column& c = t.column(target);
  std::set<std::string> values;
  for (size_t r = 0; r < c.size() && values.size() <= 50; ++r) {
    if (!c.IsNull(r)) values.insert(c.FormatValue(r));
  }
  std::vector<std::string> listed(values.begin(), values.end());
  if (listed.size() > 10) listed.resize(10), listed.push_back("…");
  if (positive) {
    if (!values.count(*positive)) {
      Fail(ErrorCode::kInvalidArgument, "--positive {}: target {} has no such value. Values: {}",
           QuoteForMessage(*positive), target, Join(listed, ", "));
    }
    return *positive;
  }
  if (values.size() == 2) {
    for (const char* p : {"1", "true", "yes", "y", "True", "Yes", "TRUE", "YES", "1.0"}) {
      if (values.count(p)) return p;
    }
  }
  Fail(ErrorCode::kInvalidArgument,
       "cannot tell the positive class of target {} (values: {}). Pass --positive VALUE", target,
       Join(listed, ", "));
}

// The target's values for regression (NaN where empty); the column must be numeric.
std::vector<double> NumericTarget(const Table& t, const std::string& target) {
  const Column& c = t.column(target);
  if (!IsNumeric(c.type())) {
    Fail(ErrorCode::kInvalidArgument, "regression needs a numeric target, but {} is {}", target,
         DataTypeName(c.type()));
  }
  std::vector<double> y(c.size());
  for (size_t r = 0; r < c.size(); ++r) y[r] = c.IsNull(r) ? NAN : c.NumericAt(r);
  return y;
}

// Auto task: regression when the target is numeric and holds a value other than 0 and 1.
bool LooksLikeRegression(const Table& t, const std::string& target) {
  const Column& c = t.column(target);
  if (!IsNumeric(c.type())) return false;
  for (size_t r = 0; r < c.size(); ++r) {
    if (!c.IsNull(r) && c.NumericAt(r) != 0 && c.NumericAt(r) != 1) return true;
  }
  return false;
}

std::vector<double> LabelsOf(const Table& t, const std::string& target,
                             const std::string& positive) {
  const Column& c = t.column(target);
  std::vector<double> y(c.size());
  for (size_t r = 0; r < c.size(); ++r)
    y[r] = c.IsNull(r) ? NAN : (c.FormatValue(r) == positive ? 1.0 : 0.0);
  return y;
}

std::vector<double> TakeValues(const std::vector<double>& v, const std::vector<size_t>& rows) {
  std::vector<double> out(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) out[i] = v[rows[i]];
  return out;
}

nlohmann::json MergeParams(nlohmann::json base, const nlohmann::json& extra) {
  for (const auto& [k, v] : extra.items()) base[k] = v;
  return base;
}

}  // namespace

// FNV-1a over the schema, the row count and every 997th row's cells: cheap and stable.
std::string TableFingerprint(const Table& t) {
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&](std::string_view s) {
    for (unsigned char ch : s) h = (h ^ ch) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;
  };
  for (const auto& f : t.schema().fields()) mix(f.name + ":" + std::string(DataTypeName(f.type)));
  mix(std::to_string(t.num_rows()));
  for (size_t r = 0; r < t.num_rows(); r += 997) {
    for (const auto& col : t.columns()) mix(col->FormatValue(r));
  }
  return fmt::format("{:016x}", h);
}

namespace {

// Feature columns: everything but the target, the id, exclusions and the time-split column;
// free-text/identifier-like strings (mostly unique) are left out with a warning.
std::vector<std::string> FeatureColumns(const Table& table, const TrainRequest& req,
                                        const std::string& time_column,
                                        std::vector<std::string>* warnings) {
  for (const auto& e : req.exclude) (void)table.column(e);
  if (!req.id_column.empty()) (void)table.column(req.id_column);
  std::vector<std::string> features;
  for (const auto& f : table.schema().fields()) {
    if (f.name == req.target || f.name == req.id_column || f.name == time_column ||
        std::find(req.exclude.begin(), req.exclude.end(), f.name) != req.exclude.end()) {
      continue;
    }
    if (f.type == DataType::kString) {
      std::unordered_set<std::string_view> distinct;
      const Column& c = table.column(f.name);
      for (size_t r = 0; r < c.size(); ++r) distinct.insert(c.StringAt(r));
      if (distinct.size() > 100 && distinct.size() * 2 > c.size()) {
        warnings->push_back(fmt::format(
            "column {} looks like an identifier or free text ({} distinct values) and was left out",
            f.name, distinct.size()));
        continue;
      }
    }
    features.push_back(f.name);
  }
  if (features.empty())
    Fail(ErrorCode::kInvalidArgument, "no feature columns left in {} after the exclusions",
         req.table);
  return features;
}

}  // namespace

std::vector<double> ModelPackage::RawScore(const Table& table, const Context& ctx) const {
  const DenseMatrix x = pipeline.Transform(table, ctx);
  return regressor ? regressor->Predict(x, ctx) : classifier->PredictProba(x, ctx);
}

std::vector<double> ModelPackage::Score(const Table& table, const Context& ctx) const {
  std::vector<double> p = RawScore(table, ctx);
  return calibrator ? calibrator->Apply(p) : p;
}

std::vector<size_t> HeldOutRows(const ModelPackage& model, const Table& table) {
  if (!table.HasColumn(model.target)) return {};
  const std::vector<double> labels = model.Labels(table);
  std::vector<size_t> keep;
  for (size_t r = 0; r < labels.size(); ++r) {
    if (!std::isnan(labels[r])) keep.push_back(r);
  }
  const Table kept = keep.size() == labels.size() ? table : table.Take(keep);
  if (TableFingerprint(kept) != model.meta.value("data_fingerprint", "")) return {};
  const SplitSpec split = SplitSpec::Parse(model.meta.value("split", "stratified"),
                                           model.meta.value("test_fraction", 0.2));
  const TrainTestSplit parts =
      split.Apply(kept, TakeValues(labels, keep), model.meta.value("seed", kDefaultSeed));
  std::vector<size_t> rows(parts.test.size());
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = keep[parts.test[i]];
  std::sort(rows.begin(), rows.end());
  return rows;
}

std::vector<double> ModelPackage::Labels(const Table& table) const {
  if (!table.HasColumn(target)) {
    Fail(ErrorCode::kInvalidData,
         "the table has no target column \"{}\" to evaluate model {} against", target, name);
  }
  if (task == "regression") return NumericTarget(table, target);
  return LabelsOf(table, target, positive);
}

// A feature that alone predicts the target almost perfectly is usually the target in disguise (a
// column computed from it, or recorded after it): "orders in 365 days" for a frequency target
// gave R² 0.996. Checked on the training part, encoded feature by encoded feature; at most
// 20,000 rows are looked at, spread evenly.
void WarnAboutLeakage(const DenseMatrixView& x, const std::vector<double>& y,
                      const std::vector<std::string>& names, bool classification,
                      const std::string& target, std::vector<std::string>* warnings) {
  const size_t n = x.rows(), d = x.cols();
  if (n < 20) return;
  const size_t step = std::max<size_t>(1, n / 20000);
  std::vector<double> ys, column;
  for (size_t r = 0; r < n; r += step) ys.push_back(y[r]);
  for (size_t j = 0; j < d; ++j) {
    column.clear();
    for (size_t r = 0; r < n; r += step) column.push_back(x(r, j));
    double strength = 0;
    std::string measure;
    if (classification) {
      const double auc = RocAuc(ys, column);
      strength = std::max(auc, 1 - auc);
      measure = fmt::format("ROC-AUC {:.4f}", strength);
      if (!(strength >= 0.99)) continue;
    } else {
      double mx = 0, my = 0;
      for (size_t i = 0; i < ys.size(); ++i) mx += column[i], my += ys[i];
      mx /= static_cast<double>(ys.size());
      my /= static_cast<double>(ys.size());
      double sxy = 0, sxx = 0, syy = 0;
      for (size_t i = 0; i < ys.size(); ++i) {
        sxy += (column[i] - mx) * (ys[i] - my);
        sxx += (column[i] - mx) * (column[i] - mx);
        syy += (ys[i] - my) * (ys[i] - my);
      }
      if (!(sxx > 0 && syy > 0)) continue;
      strength = sxy * sxy / (sxx * syy);
      measure = fmt::format("R² {:.4f}", strength);
      if (!(strength >= 0.98)) continue;
    }
    warnings->push_back(
        fmt::format("possible leakage: feature {} alone predicts {} almost perfectly ({} on the "
                    "training part); if it is "
                    "computed from the target or recorded after it, leave it out (exclude it)",
                    names[j], target, measure));
  }
}

std::string_view TrainTaskName(TrainTask task) {
  return task == TrainTask::kRegression ? "regression" : "classification";
}

SplitSpec SplitSpec::Parse(std::string_view text, double test_fraction) {
  if (!(test_fraction > 0 && test_fraction < 1)) {
    Fail(ErrorCode::kInvalidArgument, "test_fraction {}: expected a number between 0 and 1",
         test_fraction);
  }
  SplitSpec spec;
  spec.test_fraction = test_fraction;
  if (text.starts_with("time:") && text.size() > 5) {
    spec.kind = Kind::kTime;
    spec.time_column = std::string(text.substr(5));
  } else if (text == "random") {
    spec.kind = Kind::kRandom;
  } else if (text != "stratified") {
    Fail(ErrorCode::kInvalidArgument, "split {}: use stratified, random or time:COLUMN",
         QuoteForMessage(text));
  }
  return spec;
}

std::string SplitSpec::ToString() const {
  switch (kind) {
    case Kind::kStratified: return "stratified";
    case Kind::kRandom: return "random";
    case Kind::kTime: return "time:" + time_column;
  }
  return "";
}

TrainTestSplit SplitSpec::Apply(const Table& table, std::span<const double> target,
                                uint64_t seed) const {
  switch (kind) {
    case Kind::kStratified: return StratifiedSplit(target, test_fraction, seed);
    case Kind::kRandom: return RandomSplit(table.num_rows(), test_fraction, seed);
    case Kind::kTime: break;
  }
  const Column& keys = table.column(time_column);
  std::vector<double> values(keys.size());
  for (size_t r = 0; r < keys.size(); ++r) values[r] = keys.NumericAt(r);
  return TimeSplit(values, test_fraction);
}

PreparedTable PrepareTraining(const Table& table, const TrainRequest& req, TrainTask task,
                              const SplitSpec& split) {
  (void)table.column(req.target);
  PreparedTable out;
  std::vector<double> target;
  if (task == TrainTask::kClassification) {
    out.positive = ResolvePositive(table, req.target, req.positive);
    target = LabelsOf(table, req.target, out.positive);
  } else {
    target = NumericTarget(table, req.target);
  }
  std::vector<size_t> keep;
  for (size_t r = 0; r < target.size(); ++r) {
    if (!std::isnan(target[r])) keep.push_back(r);
  }
  if (task == TrainTask::kRegression && keep.size() < 2) {
    Fail(ErrorCode::kInvalidData, "target {} has {} non-empty values; regression needs at least 2",
         req.target, keep.size());
  }
  if (keep.size() < target.size()) {
    out.warnings.push_back(fmt::format("{} rows with an empty {} were left out",
                                       target.size() - keep.size(), req.target));
    out.table = table.Take(keep);
    out.target = TakeValues(target, keep);
  } else {
    out.table = table;
    out.target = std::move(target);
  }
  if (split.kind == SplitSpec::Kind::kTime) (void)out.table.column(split.time_column);
  out.features = FeatureColumns(out.table, req, split.time_column, &out.warnings);
  return out;
}

EncodedSplit EncodeSplit(const PreparedTable& data, TrainTestSplit rows, bool scale_features,
                         const Context& ctx) {
  EncodedSplit out;
  out.rows = std::move(rows);
  const Table train_table = data.table.Take(out.rows.train),
              test_table = data.table.Take(out.rows.test);
  out.y_train = TakeValues(data.target, out.rows.train);
  out.y_test = TakeValues(data.target, out.rows.test);
  PipelineParams pp;
  if (!scale_features) pp.scale = "none";
  out.pipeline = FeaturePipeline(pp);
  out.x_train = out.pipeline.FitTransform(train_table, data.features, &out.y_train, ctx);
  out.x_test = out.pipeline.Transform(test_table, ctx);
  return out;
}

EncodedSplit SplitAndEncode(const PreparedTable& data, const SplitSpec& split, bool scale_features,
                            const Context& ctx) {
  return EncodeSplit(data, split.Apply(data.table, data.target, ctx.seed()), scale_features, ctx);
}

TrainTask ChooseTask(const Table& table, const TrainRequest& req) {
  if (req.task == "classification") return TrainTask::kClassification;
  if (req.task == "regression") return TrainTask::kRegression;
  if (req.task != "auto") {
    Fail(ErrorCode::kInvalidArgument, "task {}: use auto, classification or regression",
         QuoteForMessage(req.task));
  }
  (void)table.column(req.target);
  return !req.positive && LooksLikeRegression(table, req.target) ? TrainTask::kRegression
                                                                 : TrainTask::kClassification;
}

namespace {

std::unique_ptr<SupervisedModel> CreateModel(TrainTask task, const std::string& model,
                                             const nlohmann::json& params) {
  if (task == TrainTask::kRegression) return RegressorRegistry().Create(model, params);
  return ClassifierRegistry().Create(model, params);
}

const ModelTraits& TraitsOf(TrainTask task, const std::string& model) {
  if (task == TrainTask::kRegression) return RegressorRegistry().Find(model).traits;
  return ClassifierRegistry().Find(model).traits;
}

// The metrics search and cross-validation rank models by, per task; the first is the default.
// Classification scores are probabilities of the positive class, regression ones predictions.
constexpr TuningMetric kClassificationMetrics[] = {
    {"roc_auc", true,
     [](std::span<const double> y, std::span<const double> p) { return RocAuc(y, p); }},
    {"pr_auc", true,
     [](std::span<const double> y, std::span<const double> p) { return AveragePrecision(y, p); }},
    {"log_loss", false,
     [](std::span<const double> y, std::span<const double> p) { return LogLoss(y, p); }},
    {"brier", false,
     [](std::span<const double> y, std::span<const double> p) { return BrierScore(y, p); }},
};
constexpr TuningMetric kRegressionMetrics[] = {
    {"rmse", false,
     [](std::span<const double> y, std::span<const double> p) {
       return RegressionMetrics::Compute(y, p).rmse;
     }},
    {"mae", false,
     [](std::span<const double> y, std::span<const double> p) {
       return RegressionMetrics::Compute(y, p).mae;
     }},
    {"r2", true,
     [](std::span<const double> y, std::span<const double> p) {
       return RegressionMetrics::Compute(y, p).r2;
     }},
};

// The mean of `metric` over k folds of the training part (stratified for a classifier, shuffled
// for a regressor), each fold scored by a model fitted on the other folds; `fold_scores` gets
// each fold's score.
double CrossValScore(TrainTask task, const std::string& type, const nlohmann::json& params,
                     const EncodedSplit& data, int64_t k, const TuningMetric& metric,
                     const Context& ctx, std::vector<double>* fold_scores = nullptr) {
  const std::vector<double>& y = data.y_train;
  const auto folds = task == TrainTask::kClassification
                         ? StratifiedKFold(y, static_cast<size_t>(k), ctx.seed())
                         : KFold(y.size(), static_cast<size_t>(k), ctx.seed());
  double sum = 0;
  for (const auto& fold : folds) {
    ctx.ThrowIfCancelled();
    const DenseMatrix x_fit = TakeRows(data.x_train, fold.train);
    const DenseMatrix x_score = TakeRows(data.x_train, fold.test);
    const auto y_fit = TakeValues(y, fold.train), y_score = TakeValues(y, fold.test);
    auto model = CreateModel(task, type, params);
    Dataset set;
    set.x = x_fit;
    set.y = y_fit;
    set.feature_names = data.pipeline.feature_names();
    const Context quiet(ctx.threads(), ctx.seed(), ctx.logger_ptr());
    model->Fit(set, quiet);
    const std::vector<double> prediction =
        task == TrainTask::kClassification
            ? static_cast<const Classifier&>(*model).PredictProba(x_score, quiet)
            : static_cast<const Regressor&>(*model).Predict(x_score, quiet);
    const double score = metric.score(y_score, prediction);
    if (fold_scores) fold_scores->push_back(score);
    sum += score;
  }
  return sum / static_cast<double>(folds.size());
}

}  // namespace

const TuningMetric& FindTuningMetric(TrainTask task, std::string_view name) {
  const std::span<const TuningMetric> metrics =
      task == TrainTask::kClassification ? std::span<const TuningMetric>(kClassificationMetrics)
                                         : std::span<const TuningMetric>(kRegressionMetrics);
  if (name.empty()) return metrics.front();
  std::vector<std::string> valid;
  for (const TuningMetric& m : metrics) {
    if (m.name == name) return m;
    valid.emplace_back(m.name);
  }
  Fail(ErrorCode::kInvalidArgument, "metric \"{}\" is not a {} metric. {}Valid metrics: {}.", name,
       TrainTaskName(task), DidYouMean(name, valid), Join(valid, ", "));
}

Tuning TuneModel(TrainTask task, const TrainRequest& req, const EncodedSplit& data,
                 const Context& ctx) {
  const TuningMetric& metric = FindTuningMetric(task, req.metric);
  Tuning out;
  out.params = req.params;
  if (!req.search.empty()) {
    SearchSpace space = SearchSpace::FromJson(
        task == TrainTask::kRegression ? RegressorRegistry().Find(req.model).search_space
                                       : ClassifierRegistry().Find(req.model).search_space);
    auto searcher = MakeSearcher(req.search, space, ctx.seed());
    const int64_t k = req.cv > 0 ? req.cv : 3;
    for (int64_t t = 0; t < req.trials && !searcher->Exhausted(); ++t) {
      const nlohmann::json assignment = searcher->Suggest();
      double score = NAN;
      try {
        score = CrossValScore(task, req.model, MergeParams(req.params, assignment), data, k, metric,
                              ctx);
      } catch (const Error& e) {
        ctx.logger().warn("train: trial {} failed: {}", assignment.dump(), e.what());
      }
      // The searcher minimises: a failed trial is the worst loss there is.
      searcher->Observe(assignment, std::isnan(score)         ? INFINITY
                                    : metric.higher_is_better ? -score
                                                              : score);
      ctx.logger().info("search {}/{}: cv {} {:.4f} with {}", t + 1, req.trials, metric.name, score,
                        assignment.dump());
      ctx.Progress("search", static_cast<uint64_t>(t + 1), static_cast<uint64_t>(req.trials));
    }
    const Trial* best = searcher->best();
    if (!best) Fail(ErrorCode::kInternal, "every search trial failed; see the warnings");
    out.params = MergeParams(req.params, best->params);
    out.search = {{"method", req.search},
                  {"trials", searcher->trials().size()},
                  {"cv_folds", k},
                  {"metric", metric.name},
                  {"best_cv_score", metric.higher_is_better ? -best->loss : best->loss},
                  {"best_params", best->params}};
  }
  if (req.cv > 0) {
    std::vector<double> scores;
    const double mean =
        CrossValScore(task, req.model, out.params, data, req.cv, metric, ctx, &scores);
    double ss = 0;
    for (double v : scores) ss += (v - mean) * (v - mean);
    out.cv = {{"folds", req.cv},
              {"metric", metric.name},
              {"mean", mean},
              {"std", std::sqrt(ss / static_cast<double>(scores.size()))},
              {"scores", scores}};
  }
  return out;
}

namespace {

// What a request must hold for its task, checked before the table is read: a known model with
// valid parameters, and only the options the task has.
void CheckRequest(TrainTask task, const TrainRequest& req) {
  (void)CreateModel(task, req.model, req.params);
  if (req.cv == 1 || req.cv < 0)
    Fail(ErrorCode::kInvalidArgument, "cv {}: use 0 (none) or at least 2 folds", req.cv);
  (void)FindTuningMetric(task, req.metric);
  if (!req.metric.empty() && req.search.empty() && req.cv == 0) {
    Fail(ErrorCode::kInvalidArgument,
         "metric {} ranks search trials and cross-validation folds; give search or cv with it",
         req.metric);
  }
  if (task == TrainTask::kClassification) return;
  if (req.positive)
    Fail(ErrorCode::kInvalidArgument,
         "positive is for classification; drop it or set task to classification");
}

}  // namespace

std::unique_ptr<SupervisedModel> FitFinalModel(TrainTask task, const std::string& model_name,
                                               const nlohmann::json& params,
                                               const EncodedSplit& data, const Context& ctx) {
  auto model = CreateModel(task, model_name, params);
  Dataset set;
  set.feature_names = data.pipeline.feature_names();
  DenseMatrix fit_x, valid_x;
  std::vector<double> fit_y, valid_y;
  if (TraitsOf(task, model_name).supports_early_stopping && data.rows.train.size() >= 20 &&
      model->Params().value("early_stopping_rounds", int64_t{0}) > 0) {
    const uint64_t seed = DeriveSeed(ctx.seed(), 17);
    const TrainTestSplit inner = task == TrainTask::kClassification
                                     ? StratifiedSplit(data.y_train, 0.1, seed)
                                     : RandomSplit(data.y_train.size(), 0.1, seed);
    fit_x = TakeRows(data.x_train, inner.train);
    fit_y = TakeValues(data.y_train, inner.train);
    valid_x = TakeRows(data.x_train, inner.test);
    valid_y = TakeValues(data.y_train, inner.test);
    set.x = fit_x;
    set.y = fit_y;
    set.valid_x = valid_x;
    set.valid_y = valid_y;
  } else {
    set.x = data.x_train;
    set.y = data.y_train;
  }
  model->Fit(set, ctx);
  return model;
}

int64_t RegisterModelVersion(Store& store, const std::string& name, const nlohmann::json& meta,
                             const Model& model) {
  Store::CheckObjectName("model", name);
  const int64_t version = store.PutObject("model", name, meta, model.Save());
  store.Audit("train", fmt::format("model={} version={}", name, version));
  return version;
}

TrainResult TrainModel(Store& store, const TrainRequest& req, const Context& ctx) {
  if (!req.name.empty())
    Store::CheckObjectName("model", req.name);  // before any work, not after the fit
  // An explicit task is known, and its request checked, before the table is read.
  std::optional<TrainTask> task;
  if (req.task != "auto") task = ChooseTask(Table(), req);
  SplitSpec split = SplitSpec::Parse(req.split, req.test_fraction);
  if (task) CheckRequest(*task, req);
  const Table table = store.LoadTable(req.table, ctx);
  if (!task) {
    task = ChooseTask(table, req);
    if (*task == TrainTask::kRegression) {
      ctx.logger().info(
          "train: target {} is numeric with values other than 0/1: regression (pass --task to "
          "choose)",
          req.target);
    }
    CheckRequest(*task, req);
  }
  // A numeric target has no classes to stratify by.
  if (*task == TrainTask::kRegression && split.kind == SplitSpec::Kind::kStratified)
    split.kind = SplitSpec::Kind::kRandom;

  PreparedTable prepared = PrepareTraining(table, req, *task, split);
  const EncodedSplit data =
      SplitAndEncode(prepared, split, TraitsOf(*task, req.model).wants_scaled_features, ctx);
  ctx.logger().info("train{}: {} rows ({} train, {} test), {} input columns",
                    *task == TrainTask::kRegression ? " (regression)" : "",
                    prepared.table.num_rows(), data.rows.train.size(), data.rows.test.size(),
                    prepared.features.size());
  const auto& names = data.pipeline.feature_names();
  WarnAboutLeakage(data.x_train, data.y_train, names, *task == TrainTask::kClassification,
                   req.target, &prepared.warnings);
  const Tuning tuning = TuneModel(*task, req, data, ctx);
  const auto model = FitFinalModel(*task, req.model, tuning.params, data, ctx);

  TrainResult result;
  nlohmann::json metrics;
  if (*task == TrainTask::kClassification) {
    result.holdout = MetricsReport::Compute(
        data.y_test, static_cast<const Classifier&>(*model).PredictProba(data.x_test, ctx));
    metrics = {{"roc_auc", result.holdout.roc_auc},
               {"average_precision", result.holdout.average_precision},
               {"log_loss", result.holdout.log_loss},
               {"brier", result.holdout.brier},
               {"accuracy", result.holdout.accuracy}};
  } else {
    result.regression = RegressionMetrics::Compute(
        data.y_test, static_cast<const Regressor&>(*model).Predict(data.x_test, ctx));
    metrics = {{"rmse", result.regression->rmse},
               {"mae", result.regression->mae},
               {"r2", result.regression->r2}};
  }
  const std::string name =
      req.name.empty() ? fmt::format("{}_{}_{}", req.table, req.target, req.model) : req.name;
  const nlohmann::json meta = {
      {"type", req.model},
      {"task", TrainTaskName(*task)},
      {"table", req.table},
      {"target", req.target},
      {"positive", prepared.positive},
      {"id_column", req.id_column},
      {"input_columns", prepared.features},
      {"feature_names", names},
      {"params", model->Params()},
      {"pipeline", data.pipeline.ToJson()},
      {"split", split.ToString()},
      {"test_fraction", req.test_fraction},
      {"seed", ctx.seed()},
      {"rows", {{"train", data.rows.train.size()}, {"test", data.rows.test.size()}}},
      {"data_fingerprint", TableFingerprint(prepared.table)},
      {"metrics", metrics},
      {"cv", tuning.cv},
      {"search", tuning.search},
      {"warnings", prepared.warnings},
      {"request", TrainRequestToJson(req)}};
  result.version = RegisterModelVersion(store, name, meta, *model);
  result.name = name;
  result.summary = meta;
  result.summary.erase("pipeline");
  result.summary["name"] = name;
  result.summary["version"] = result.version;
  return result;
}
nlohmann::json TrainRequestToJson(const TrainRequest& r) {
  return {{"table", r.table},
          {"target", r.target},
          {"positive", r.positive ? nlohmann::json(*r.positive) : nlohmann::json()},
          {"id_column", r.id_column},
          {"exclude", r.exclude},
          {"model", r.model},
          {"task", r.task},
          {"params", r.params},
          {"split", r.split},
          {"test_fraction", r.test_fraction},
          {"cv", r.cv},
          {"search", r.search},
          {"trials", r.trials},
          {"metric", r.metric}};
}

TrainRequest RecordedTrainRequest(const ModelPackage& model) {
  TrainRequest r;
  const nlohmann::json& meta = model.meta;
  try {
    if (meta.contains("request")) {
      const nlohmann::json& q = meta["request"];
      r.table = q.at("table");
      r.target = q.at("target");
      if (!q.at("positive").is_null()) r.positive = q["positive"].get<std::string>();
      r.id_column = q.at("id_column");
      r.exclude = q.at("exclude").get<std::vector<std::string>>();
      r.model = q.at("model");
      r.task = q.at("task");
      r.params = q.at("params");
      r.split = q.at("split");
      r.test_fraction = q.at("test_fraction");
      r.cv = q.at("cv");
      r.search = q.at("search");
      r.trials = q.at("trials");
      r.metric = q.at("metric");
    } else {
      // Older versions: the same table and target, the final parameters, no search; which
      // columns the user excluded was not recorded.
      r.table = model.table;
      r.target = model.target;
      if (!model.positive.empty()) r.positive = model.positive;
      r.id_column = model.id_column;
      r.model = meta.at("type");
      r.task = model.task;
      r.params = meta.value("params", nlohmann::json::object());
      r.split = meta.value("split", "stratified");
      r.test_fraction = meta.value("test_fraction", 0.2);
    }
  } catch (const nlohmann::json::exception& e) {
    Fail(ErrorCode::kInvalidData, "model {} v{}: its recorded training request is malformed: {}",
         model.name, model.version, e.what());
  }
  r.name = model.name;
  return r;
}

ModelPackage LoadModel(Store& store, const std::string& name, int64_t version) {
  auto object = store.GetObjectOrFail("model", name, version, "model", "Models", "prospect train");
  ModelPackage pkg;
  pkg.name = name;
  pkg.version = object.version;
  pkg.meta = object.meta;
  try {
    pkg.target = pkg.meta.at("target").get<std::string>();
    pkg.positive = pkg.meta.at("positive").get<std::string>();
    pkg.id_column = pkg.meta.at("id_column").get<std::string>();
    pkg.table = pkg.meta.at("table").get<std::string>();
    pkg.pipeline = FeaturePipeline::FromJson(pkg.meta.at("pipeline"));
  } catch (const nlohmann::json::exception& e) {
    Fail(ErrorCode::kInvalidData, "model {} v{}: its registry entry is malformed: {}", name,
         pkg.version, e.what());
  }
  pkg.task = pkg.meta.value("task", "classification");
  if (pkg.task == "regression") {
    pkg.regressor = Regressor::Load(object.body);
    if (pkg.regressor->feature_names() != pkg.pipeline.feature_names()) {
      Fail(ErrorCode::kInvalidData,
           "model {} v{}: the model's {} features do not match its pipeline's {}", name,
           pkg.version, pkg.regressor->feature_names().size(), pkg.pipeline.num_features());
    }
    return pkg;
  }
  if (pkg.meta.contains("calibration") && !pkg.meta["calibration"].is_null()) {
    try {
      pkg.calibrator = ProbabilityCalibrator::FromJson(pkg.meta["calibration"]);
    } catch (const Error& e) {
      Fail(ErrorCode::kInvalidData, "model {} v{}: its calibration is malformed: {}", name,
           pkg.version, e.what());
    }
  }
  pkg.classifier = Classifier::Load(object.body);
  if (pkg.classifier->feature_names() != pkg.pipeline.feature_names()) {
    Fail(ErrorCode::kInvalidData,
         "model {} v{}: the model's {} features do not match its pipeline's {}", name, pkg.version,
         pkg.classifier->feature_names().size(), pkg.pipeline.num_features());
  }
  return pkg;
}

nlohmann::json ListModels(Store& store) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& o : store.ListObjects("model")) {
    const int64_t production = ProductionVersion(store, o.name);
    out.push_back(
        {{"name", o.name},
         {"version", o.version},
         {"type", o.meta.value("type", "")},
         {"table", o.meta.value("table", "")},
         {"target", o.meta.value("target", "")},
         {"metrics", o.meta.value("metrics", nlohmann::json::object())},
         {"created_at", o.created_at},
         {"production_version", production ? nlohmann::json(production) : nlohmann::json()}});
  }
  return out;
}

int64_t ProductionVersion(Store& store, const std::string& name) {
  const auto stage = store.GetObject("model_stage", name);
  return stage ? stage->meta.value("production", int64_t{0}) : 0;
}

void PromoteModel(Store& store, const std::string& name, int64_t version) {
  if (!store.GetObject("model", name, version))
    (void)LoadModel(store, name, version);  // throws the right error
  store.PutObject("model_stage", name, {{"production", version}}, "");
  store.Audit("promote", fmt::format("model={} version={}", name, version));
}

}  // namespace prospect
