// Uplift meta-learners (see meta_learner.hpp). models_ holds, per learner:
//   s:  [outcome model on x + one column per treatment]
//   t:  [μ_0, μ_1, ..., μ_K]
//   x:  [τ_10, τ_11, τ_20, τ_21, ...] (the T-learner's μ are needed only while fitting)
//   dr: [τ_1, ..., τ_K]
#include "prospect/models/uplift/meta_learner.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

#include "prospect/common/error.hpp"
#include "prospect/io/model_file.hpp"
#include "prospect/models/classify/classifier.hpp"
#include "prospect/models/regress/regressor.hpp"

namespace prospect {

const ParamSchema<MetaLearnerParams>& MetaLearnerParams::Schema() {
  static const ParamSchema<MetaLearnerParams> schema(
      "uplift",
      {
          {"learner",
           &MetaLearnerParams::learner,
           "how the effect is learned: one model with treatment columns (s), one per group (t), "
           "imputed effects (x) or a doubly robust pseudo-outcome (dr)",
           {"s", "t", "x", "dr"}},
          {"base", &MetaLearnerParams::base,
           "the registered classifier (0/1 outcome) or regressor (numeric outcome) to learn with"},
          {"propensity",
           &MetaLearnerParams::propensity,
           "each treatment's chance against control: its share of the rows (a randomised "
           "campaign) or a logistic model's estimate",
           {"share", "estimate"}},
      });
  return schema;
}

struct UpliftMetaLearner::Stage {
  std::unique_ptr<SupervisedModel> model;
  bool probability = false;  // a classifier read by PredictProba
};

namespace {

constexpr double kPropensityFloor = 0.01;

Dataset DatasetOf(const DenseMatrix& x, std::span<const double> y, std::vector<std::string> names) {
  Dataset d;
  d.x = x.view();
  d.y = y;
  d.feature_names = std::move(names);
  return d;
}

bool IsBinary(std::span<const double> y) {
  return std::all_of(y.begin(), y.end(), [](double v) { return v == 0 || v == 1; });
}

// Rows of `x` (with `extra` columns appended, each row's from `extra_of`) as a dense matrix.
DenseMatrix Rows(const DenseMatrixView& x, std::span<const size_t> rows, size_t extra = 0,
                 const std::function<double(size_t row, size_t column)>& extra_of = {}) {
  DenseMatrix out(rows.size(), x.cols() + extra);
  for (size_t r = 0; r < rows.size(); ++r) {
    std::copy_n(x.Row(rows[r]), x.cols(), out.Row(r));
    for (size_t e = 0; e < extra; ++e) out.Row(r)[x.cols() + e] = extra_of(rows[r], e);
  }
  return out;
}

std::vector<std::string> Names(const UpliftData& data, size_t extra) {
  std::vector<std::string> names = data.feature_names;
  if (names.empty()) {
    for (size_t c = 0; c < data.x.cols(); ++c) names.push_back(fmt::format("x{}", c));
  }
  for (size_t k = 1; k <= extra; ++k) names.push_back(fmt::format("treatment_{}", k));
  return names;
}

}  // namespace

UpliftMetaLearner::UpliftMetaLearner(const nlohmann::json& params) {
  nlohmann::json rest = params;
  if (rest.contains("base_params")) {
    params_.base_params = rest["base_params"];
    rest.erase("base_params");
    if (!params_.base_params.is_object())
      Fail(ErrorCode::kInvalidArgument, "uplift: base_params must be an object of parameters");
  }
  MetaLearnerParams::Schema().SetFromJson(params_, rest);
  const bool classifier = ClassifierRegistry().Contains(params_.base);
  const bool regressor = RegressorRegistry().Contains(params_.base);
  if (!classifier && !regressor) {
    ClassifierRegistry().Find(params_.base);  // fails, naming the valid ones
  }
}

UpliftMetaLearner::~UpliftMetaLearner() = default;
UpliftMetaLearner::UpliftMetaLearner(UpliftMetaLearner&&) noexcept = default;
UpliftMetaLearner& UpliftMetaLearner::operator=(UpliftMetaLearner&&) noexcept = default;

void UpliftMetaLearner::Fit(const UpliftData& data, const Context& ctx) {
  models_.clear();
  propensity_.clear();
  try {
    FitStages(data, ctx);
  } catch (...) {
    models_.clear();  // a failed fit leaves the learner untrained, never half trained
    propensity_.clear();
    throw;
  }
}

void UpliftMetaLearner::FitStages(const UpliftData& data, const Context& ctx) {
  const size_t n = data.x.rows();
  if (data.y.size() != n || data.group.size() != n) {
    Fail(ErrorCode::kInvalidData, "uplift: {} rows of features, {} outcomes and {} groups", n,
         data.y.size(), data.group.size());
  }
  if (data.treatments == 0) Fail(ErrorCode::kInvalidArgument, "uplift: no treatment to learn");
  const size_t groups = data.treatments + 1;
  std::vector<std::vector<size_t>> rows_of(groups);
  for (size_t i = 0; i < n; ++i) {
    const int32_t g = data.group[i];
    if (g < 0 || static_cast<size_t>(g) >= groups) {
      Fail(ErrorCode::kInvalidData, "uplift: row {} is in group {}; expected 0 (control) to {}",
           i + 1, g, data.treatments);
    }
    rows_of[static_cast<size_t>(g)].push_back(i);
  }
  for (size_t g = 0; g < groups; ++g) {
    if (rows_of[g].empty()) {
      Fail(ErrorCode::kInvalidData, "uplift: {} has no customers",
           g == 0 ? std::string("the control group") : fmt::format("treatment {}", g));
    }
  }
  binary_ = IsBinary(data.y);
  const bool as_classifier = binary_;
  if (as_classifier && !ClassifierRegistry().Contains(params_.base)) {
    Fail(ErrorCode::kInvalidArgument,
         "uplift: the outcome is 0/1 but {} is only a regression model; choose a classifier",
         params_.base);
  }
  if (!as_classifier && !RegressorRegistry().Contains(params_.base)) {
    Fail(ErrorCode::kInvalidArgument,
         "uplift: the outcome is a number but {} is only a classifier; choose a regression model",
         params_.base);
  }
  treatments_ = data.treatments;
  features_ = data.x.cols();

  auto outcome_model = [&](const DenseMatrix& x, std::span<const double> y,
                           std::vector<std::string> names) {
    auto stage = std::make_unique<Stage>();
    stage->probability = as_classifier;
    if (as_classifier) {
      stage->model = ClassifierRegistry().Create(params_.base, params_.base_params);
    } else {
      stage->model = RegressorRegistry().Create(params_.base, params_.base_params);
    }
    stage->model->Fit(DatasetOf(x, y, std::move(names)), ctx);
    return stage;
  };
  auto effect_model = [&](const DenseMatrix& x, std::span<const double> y) {
    auto stage = std::make_unique<Stage>();
    const bool same = RegressorRegistry().Contains(params_.base);
    stage->model = RegressorRegistry().Create(
        same ? params_.base : "linear", same ? params_.base_params : nlohmann::json::object());
    stage->model->Fit(DatasetOf(x, y, Names(data, 0)), ctx);
    return stage;
  };
  auto outcomes_of = [&](std::span<const size_t> rows) {
    std::vector<double> y;
    for (const size_t i : rows) y.push_back(data.y[i]);
    return y;
  };

  // Propensity of treatment k among the customers of k and control.
  mean_propensity_.assign(treatments_, 0.0);
  for (size_t k = 1; k <= treatments_; ++k) {
    const double share = static_cast<double>(rows_of[k].size()) /
                         static_cast<double>(rows_of[k].size() + rows_of[0].size());
    mean_propensity_[k - 1] = share;
    if (params_.propensity != "estimate") continue;
    std::vector<size_t> rows = rows_of[0];
    rows.insert(rows.end(), rows_of[k].begin(), rows_of[k].end());
    std::vector<double> label(rows_of[0].size(), 0.0);
    label.resize(rows.size(), 1.0);
    auto stage = std::make_unique<Stage>();
    stage->probability = true;
    stage->model = ClassifierRegistry().Create("logistic");
    stage->model->Fit(DatasetOf(Rows(data.x, rows), label, Names(data, 0)), ctx);
    propensity_.push_back(std::move(stage));
    const std::vector<double> e = PropensityOf(k, data.x, ctx);
    double sum = 0;
    for (const size_t i : rows) sum += e[i];
    mean_propensity_[k - 1] = sum / static_cast<double>(rows.size());
  }

  if (params_.learner == "s") {
    std::vector<size_t> all(n);
    for (size_t i = 0; i < n; ++i) all[i] = i;
    const DenseMatrix x = Rows(data.x, all, treatments_, [&](size_t row, size_t e) {
      return data.group[row] == static_cast<int32_t>(e + 1) ? 1.0 : 0.0;
    });
    models_.push_back(outcome_model(x, data.y, Names(data, treatments_)));
    return;
  }
  // μ_g for every group: the T-learner itself, and the first stage of x and dr.
  std::vector<std::unique_ptr<Stage>> mu;
  for (size_t g = 0; g < groups; ++g)
    mu.push_back(outcome_model(Rows(data.x, rows_of[g]), outcomes_of(rows_of[g]), Names(data, 0)));
  if (params_.learner == "t") {
    models_ = std::move(mu);
    return;
  }
  const std::vector<double> mu0 = OutcomeOf(*mu[0], data.x, ctx);
  for (size_t k = 1; k <= treatments_; ++k) {
    const std::vector<double> muk = OutcomeOf(*mu[k], data.x, ctx);
    if (params_.learner == "x") {
      std::vector<double> d0, d1;  // imputed effects of the controls and of the treated
      for (const size_t i : rows_of[0]) d0.push_back(muk[i] - data.y[i]);
      for (const size_t i : rows_of[k]) d1.push_back(data.y[i] - mu0[i]);
      models_.push_back(effect_model(Rows(data.x, rows_of[0]), d0));
      models_.push_back(effect_model(Rows(data.x, rows_of[k]), d1));
      continue;
    }
    // dr: the pseudo-outcome over the customers of k and control.
    const std::vector<double> e = PropensityOf(k, data.x, ctx);
    std::vector<size_t> rows = rows_of[0];
    rows.insert(rows.end(), rows_of[k].begin(), rows_of[k].end());
    std::vector<double> phi;
    for (const size_t i : rows) {
      const bool treated = data.group[i] != 0;
      const double residual =
          treated ? (data.y[i] - muk[i]) / e[i] : -(data.y[i] - mu0[i]) / (1 - e[i]);
      phi.push_back(muk[i] - mu0[i] + residual);
    }
    models_.push_back(effect_model(Rows(data.x, rows), phi));
  }
}

std::vector<double> UpliftMetaLearner::OutcomeOf(const Stage& stage, const DenseMatrixView& x,
                                                 const Context& ctx) const {
  if (stage.probability) return static_cast<const Classifier&>(*stage.model).PredictProba(x, ctx);
  return static_cast<const Regressor&>(*stage.model).Predict(x, ctx);
}

std::vector<double> UpliftMetaLearner::PropensityOf(size_t k, const DenseMatrixView& x,
                                                    const Context& ctx) const {
  if (propensity_.empty()) return std::vector<double>(x.rows(), mean_propensity_[k - 1]);
  std::vector<double> e = OutcomeOf(*propensity_[k - 1], x, ctx);
  for (double& v : e) v = std::clamp(v, kPropensityFloor, 1 - kPropensityFloor);
  return e;
}

std::vector<double> UpliftMetaLearner::Predict(const DenseMatrixView& x, const Context& ctx) const {
  if (!fitted())
    Fail(ErrorCode::kFailedPrecondition, "uplift: the model is not trained yet; call Fit first");
  if (x.cols() != features_) {
    Fail(ErrorCode::kInvalidData,
         "uplift: the model was trained on {} features but the data has {}", features_, x.cols());
  }
  const size_t n = x.rows();
  std::vector<double> out(n * treatments_, 0.0);
  auto put = [&](size_t k, std::span<const double> effect) {
    for (size_t i = 0; i < n; ++i) out[i * treatments_ + (k - 1)] = effect[i];
  };
  if (params_.learner == "s") {
    std::vector<size_t> all(n);
    for (size_t i = 0; i < n; ++i) all[i] = i;
    const std::vector<double> control = OutcomeOf(
        *models_[0], Rows(x, all, treatments_, [](size_t, size_t) { return 0.0; }).view(), ctx);
    for (size_t k = 1; k <= treatments_; ++k) {
      std::vector<double> treated = OutcomeOf(
          *models_[0],
          Rows(x, all, treatments_, [k](size_t, size_t e) { return e + 1 == k ? 1.0 : 0.0; })
              .view(),
          ctx);
      for (size_t i = 0; i < n; ++i) treated[i] -= control[i];
      put(k, treated);
    }
  } else if (params_.learner == "t") {
    const std::vector<double> mu0 = OutcomeOf(*models_[0], x, ctx);
    for (size_t k = 1; k <= treatments_; ++k) {
      std::vector<double> muk = OutcomeOf(*models_[k], x, ctx);
      for (size_t i = 0; i < n; ++i) muk[i] -= mu0[i];
      put(k, muk);
    }
  } else if (params_.learner == "x") {
    for (size_t k = 1; k <= treatments_; ++k) {
      const std::vector<double> tau0 = OutcomeOf(*models_[2 * (k - 1)], x, ctx);
      const std::vector<double> tau1 = OutcomeOf(*models_[2 * (k - 1) + 1], x, ctx);
      const std::vector<double> e = PropensityOf(k, x, ctx);
      std::vector<double> tau(n);
      for (size_t i = 0; i < n; ++i) tau[i] = e[i] * tau0[i] + (1 - e[i]) * tau1[i];
      put(k, tau);
    }
  } else {
    for (size_t k = 1; k <= treatments_; ++k) put(k, OutcomeOf(*models_[k - 1], x, ctx));
  }
  return out;
}

namespace {

constexpr std::string_view kUpliftFileTag = "uplift/meta";
constexpr int kUpliftFormatVersion = 1;

}  // namespace

std::string UpliftMetaLearner::Save() const {
  if (!fitted())
    Fail(ErrorCode::kFailedPrecondition, "uplift: the model is not trained yet; call Fit first");
  nlohmann::json params = MetaLearnerParams::Schema().ToJson(params_);
  params["base_params"] = params_.base_params;
  ModelWriter writer(std::string(kUpliftFileTag), params);
  nlohmann::json stages = nlohmann::json::array(), propensity = nlohmann::json::array();
  for (const auto& m : models_) stages.push_back(m->probability);
  for (const auto& m : propensity_) propensity.push_back(m->probability);
  writer.AddBlock("uplift_meta", nlohmann::json({{"format", kUpliftFormatVersion},
                                                 {"binary_outcome", binary_},
                                                 {"treatments", treatments_},
                                                 {"features", features_},
                                                 {"mean_propensity", mean_propensity_},
                                                 {"stages", stages},
                                                 {"propensity_stages", propensity}})
                                     .dump());
  for (size_t i = 0; i < models_.size(); ++i)
    writer.AddBlock(fmt::format("stage_{}", i), models_[i]->model->Save());
  for (size_t i = 0; i < propensity_.size(); ++i)
    writer.AddBlock(fmt::format("propensity_{}", i), propensity_[i]->model->Save());
  return writer.Finish();
}

UpliftMetaLearner UpliftMetaLearner::Load(std::string_view bytes) {
  const ModelReader reader(bytes);
  reader.ExpectType(kUpliftFileTag);
  UpliftMetaLearner out(reader.params());
  try {
    const nlohmann::json meta = nlohmann::json::parse(reader.Block("uplift_meta"));
    if (meta.at("format").get<int>() > kUpliftFormatVersion) {
      Fail(ErrorCode::kFailedPrecondition,
           "uplift model file format {} is newer than this prospect reads ({})",
           meta.at("format").get<int>(), kUpliftFormatVersion);
    }
    out.binary_ = meta.at("binary_outcome").get<bool>();
    out.treatments_ = meta.at("treatments").get<size_t>();
    out.features_ = meta.at("features").get<size_t>();
    out.mean_propensity_ = meta.at("mean_propensity").get<std::vector<double>>();
    auto load = [&](const std::string& block, bool probability) {
      auto stage = std::make_unique<Stage>();
      stage->probability = probability;
      if (probability) {
        stage->model = Classifier::Load(reader.Block(block));
      } else {
        stage->model = Regressor::Load(reader.Block(block));
      }
      return stage;
    };
    const auto stages = meta.at("stages").get<std::vector<bool>>();
    for (size_t i = 0; i < stages.size(); ++i)
      out.models_.push_back(load(fmt::format("stage_{}", i), stages[i]));
    const auto propensity = meta.at("propensity_stages").get<std::vector<bool>>();
    for (size_t i = 0; i < propensity.size(); ++i)
      out.propensity_.push_back(load(fmt::format("propensity_{}", i), propensity[i]));
  } catch (const nlohmann::json::exception& e) {
    Fail(ErrorCode::kInvalidData, "uplift model file: {}", e.what());
  }
  // What the learner's Predict will index must be there.
  const size_t t = out.treatments_;
  const std::string& learner = out.params_.learner;
  const size_t expected = learner == "s" ? 1 : learner == "t" ? t + 1 : learner == "x" ? 2 * t : t;
  if (t == 0 || out.models_.size() != expected || out.mean_propensity_.size() != t ||
      (!out.propensity_.empty() && out.propensity_.size() != t)) {
    Fail(ErrorCode::kInvalidData,
         "uplift model file: {} learner with {} treatments holds {} models and {} propensities",
         learner, t, out.models_.size(), out.mean_propensity_.size());
  }
  return out;
}

}  // namespace prospect
