// Gradient-boosted trees through XGBoost's C API (binary:logistic, hist). Every C call goes
// through XgbCheck, which throws with XGBGetLastError(); handles are owned by RAII wrappers.
// Early stopping watches log-loss (RMSE for the regressor) on the validation set when one is given.
// The "gbdt" regressor (reg:squarederror) shares the adapter and the parameters.
#include "models/gbdt/gbdt.hpp"

#include <xgboost/c_api.h>

#include <cmath>
#include <limits>
#include <mutex>

#include "models/gbdt/booster_check.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/params.hpp"
#include "prospect/evaluate/search.hpp"

namespace prospect {
namespace {

void XgbCheck(int rc, const char* what) {
  if (rc != 0) Fail(ErrorCode::kInternal, "xgboost {} failed: {}", what, XGBGetLastError());
}

// XGBoost logs through one global callback; route it into our logger as debug lines.
std::shared_ptr<spdlog::logger>& XgbLogger() {
  static std::shared_ptr<spdlog::logger> logger;
  return logger;
}
void RouteXgbLogs(const Context& ctx) {
  static std::once_flag once;
  static std::mutex mu;
  std::lock_guard lock(mu);
  XgbLogger() = ctx.logger_ptr();
  std::call_once(once, [] {
    XGBRegisterLogCallback([](const char* msg) {
      if (auto& l = XgbLogger()) l->debug("xgboost: {}", msg);
    });
  });
}

class DMatrix {
 public:
  DMatrix(const DenseMatrixView& x, std::span<const double> y, std::span<const double> w) {
    std::vector<float> data(x.values().begin(), x.values().end());
    XgbCheck(XGDMatrixCreateFromMat(data.data(), x.rows(), x.cols(),
                                    std::numeric_limits<float>::quiet_NaN(), &handle_),
             "DMatrix");
    if (!y.empty()) {
      std::vector<float> labels(y.begin(), y.end());
      XgbCheck(XGDMatrixSetFloatInfo(handle_, "label", labels.data(), labels.size()), "labels");
    }
    if (!w.empty()) {
      std::vector<float> weights(w.begin(), w.end());
      XgbCheck(XGDMatrixSetFloatInfo(handle_, "weight", weights.data(), weights.size()), "weights");
    }
  }
  ~DMatrix() { XGDMatrixFree(handle_); }
  DMatrix(const DMatrix&) = delete;
  DMatrix& operator=(const DMatrix&) = delete;
  DMatrixHandle get() const { return handle_; }

 private:
  DMatrixHandle handle_ = nullptr;
};

// Defaults chosen by the study in docs/user/model-defaults.md (bench/e2e/gbdt_defaults_study.py).
struct GbdtParams {
  int64_t n_estimators = 300;
  double learning_rate = 0.1;
  int64_t max_depth = 4;
  double min_child_weight = 5;
  double subsample = 1.0;
  double colsample_bytree = 1.0;
  double reg_lambda = 1.0;
  double reg_alpha = 0.0;
  double gamma = 0.0;
  double scale_pos_weight = 1.0;
  int64_t max_bin = 256;
  int64_t early_stopping_rounds = 30;

  static const ParamSchema<GbdtParams>& Schema() {
    static const ParamSchema<GbdtParams> schema(
        "gbdt",
        {{"n_estimators", &GbdtParams::n_estimators,
          "boosting rounds (upper bound with early stopping)", 1, 100000},
         {"learning_rate", &GbdtParams::learning_rate, "shrinkage per round", 1e-6, 1},
         {"max_depth", &GbdtParams::max_depth, "tree depth", 1, 32},
         {"min_child_weight", &GbdtParams::min_child_weight, "smallest hessian sum in a leaf", 0,
          1e9},
         {"subsample", &GbdtParams::subsample, "row share per tree", 0.01, 1},
         {"colsample_bytree", &GbdtParams::colsample_bytree, "feature share per tree", 0.01, 1},
         {"reg_lambda", &GbdtParams::reg_lambda, "L2 penalty on leaf weights", 0, 1e9},
         {"reg_alpha", &GbdtParams::reg_alpha, "L1 penalty on leaf weights", 0, 1e9},
         {"gamma", &GbdtParams::gamma, "smallest loss reduction to split", 0, 1e9},
         {"scale_pos_weight", &GbdtParams::scale_pos_weight, "weight of positives (imbalance)",
          1e-6, 1e6},
         {"max_bin", &GbdtParams::max_bin, "histogram bins per feature", 2, 65536},
         {"early_stopping_rounds", &GbdtParams::early_stopping_rounds,
          "stop after this many rounds without validation improvement (0 = off)", 0, 100000}});
    return schema;
  }
};

class Booster {
 public:
  Booster() = default;
  explicit Booster(const std::vector<DMatrixHandle>& cache) {
    XgbCheck(XGBoosterCreate(cache.data(), cache.size(), &handle_), "create");
  }
  ~Booster() { Reset(nullptr); }
  Booster(Booster&& o) noexcept : handle_(o.handle_) { o.handle_ = nullptr; }
  Booster& operator=(Booster&& o) noexcept {
    if (this != &o) {
      Reset(o.handle_);
      o.handle_ = nullptr;
    }
    return *this;
  }
  BoosterHandle get() const { return handle_; }
  void Reset(BoosterHandle h) {
    if (handle_) XGBoosterFree(handle_);
    handle_ = h;
  }
  void Set(const char* name, const std::string& value) {
    XgbCheck(XGBoosterSetParam(handle_, name, value.c_str()), name);
  }

 private:
  BoosterHandle handle_ = nullptr;
};

// Boosting loop shared by the classifier and the regressor: trains `booster` on `train`, stopping
// early on the last eval metric of `valid` if given; returns the number of rounds kept.
int64_t BoostRounds(Booster& booster, const DMatrix& train, const DMatrix* valid,
                    const GbdtParams& params, const Context& ctx) {
  const bool early = valid && params.early_stopping_rounds > 0;
  double best_loss = std::numeric_limits<double>::infinity();
  int64_t best_round = params.n_estimators - 1;
  for (int64_t round = 0; round < params.n_estimators; ++round) {
    ctx.ThrowIfCancelled();
    XgbCheck(XGBoosterUpdateOneIter(booster.get(), static_cast<int>(round), train.get()), "update");
    ctx.Progress("boosting", static_cast<uint64_t>(round + 1),
                 static_cast<uint64_t>(params.n_estimators));
    if (!early) continue;
    DMatrixHandle eval[] = {valid->get()};
    const char* names[] = {"valid"};
    const char* text = nullptr;
    XgbCheck(XGBoosterEvalOneIter(booster.get(), static_cast<int>(round), eval, names, 1, &text),
             "eval");
    const std::string s(text);
    const size_t colon = s.rfind(':');
    const double loss = colon == std::string::npos ? NAN : std::stod(s.substr(colon + 1));
    if (loss < best_loss - 1e-12) {
      best_loss = loss;
      best_round = round;
    } else if (round - best_round >= params.early_stopping_rounds) {
      break;
    }
  }
  BoosterHandle sliced = nullptr;
  int rounds = 0;
  XgbCheck(XGBoosterBoostedRounds(booster.get(), &rounds), "rounds");
  if (best_round + 1 < rounds) {
    XgbCheck(XGBoosterSlice(booster.get(), 0, static_cast<int>(best_round + 1), 1, &sliced),
             "slice");
    booster.Reset(sliced);
  }
  return best_round + 1;
}

void SetBoosterParams(Booster& b, const GbdtParams& params, const Context& ctx, bool regression) {
  b.Set("objective", regression ? "reg:squarederror" : "binary:logistic");
  b.Set("eval_metric", regression ? "rmse" : "logloss");
  b.Set("tree_method", "hist");
  b.Set("verbosity", "0");
  b.Set("nthread", std::to_string(ctx.threads()));
  b.Set("seed", std::to_string(ctx.seed()));
  b.Set("eta", fmt::format("{}", params.learning_rate));
  b.Set("max_depth", std::to_string(params.max_depth));
  b.Set("min_child_weight", fmt::format("{}", params.min_child_weight));
  b.Set("subsample", fmt::format("{}", params.subsample));
  b.Set("colsample_bytree", fmt::format("{}", params.colsample_bytree));
  b.Set("lambda", fmt::format("{}", params.reg_lambda));
  b.Set("alpha", fmt::format("{}", params.reg_alpha));
  b.Set("gamma", fmt::format("{}", params.gamma));
  if (!regression) b.Set("scale_pos_weight", fmt::format("{}", params.scale_pos_weight));
  b.Set("max_bin", std::to_string(params.max_bin));
}

// type 0: predictions, 2: SHAP contributions (rows × (cols + 1), bias last).
std::vector<double> BoosterPredict(const Booster& booster, const DenseMatrixView& x,
                                   const Context& ctx, int type) {
  if (x.rows() == 0) return {};
  XgbCheck(XGBoosterSetParam(booster.get(), "nthread", std::to_string(ctx.threads()).c_str()),
           "nthread");
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* result = nullptr;
  if (type == 0) {
    // Predictions straight from our row-major doubles (XGBoost's in-place prediction), without
    // building a DMatrix (that copy was about a third of prediction time). NaN is missing, as in
    // DMatrix.
    const std::string values =
        fmt::format(R"({{"data": [{}, true], "shape": [{}, {}], "typestr": "<f8", "version": 3}})",
                    reinterpret_cast<uintptr_t>(x.values().data()), x.rows(), x.cols());
    const char* config =
        R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false, "missing": NaN, "cache_id": 0})";
    XgbCheck(XGBoosterPredictFromDense(booster.get(), values.c_str(), config, nullptr, &shape, &dim,
                                       &result),
             "predict");
  } else {
    DMatrix m(x, {}, {});
    const std::string config = fmt::format(
        R"({{"type": {}, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false}})",
        type);
    XgbCheck(
        XGBoosterPredictFromDMatrix(booster.get(), m.get(), config.c_str(), &shape, &dim, &result),
        "predict");
  }
  bst_ulong total = 1;
  for (bst_ulong i = 0; i < dim; ++i) total *= shape[i];
  return std::vector<double>(result, result + total);
}

std::vector<double> TotalGain(const Booster& booster, size_t num_features) {
  const char* config = R"({"importance_type": "total_gain"})";
  bst_ulong n = 0, dim = 0;
  const char** names = nullptr;
  const bst_ulong* shape = nullptr;
  const float* scores = nullptr;
  XgbCheck(XGBoosterFeatureScore(booster.get(), config, &n, &names, &dim, &shape, &scores),
           "feature score");
  std::vector<double> out(num_features, 0.0);
  double total = 0;
  for (bst_ulong i = 0; i < n; ++i) {
    const std::string name = names[i];  // "f12"
    if (name.size() < 2 || name[0] != 'f') continue;
    const size_t f = std::stoul(name.substr(1));
    if (f < out.size()) {
      out[f] = scores[i];
      total += scores[i];
    }
  }
  if (total > 0) {
    for (double& v : out) v /= total;
  }
  return out;
}

// The booster and its parameters: everything the classifier and the regressor share.
class GbdtCore {
 public:
  explicit GbdtCore(const nlohmann::json& params) {
    GbdtParams::Schema().SetFromJson(params_, params);
  }
  const GbdtParams& params() const { return params_; }
  nlohmann::json ParamsJson() const { return GbdtParams::Schema().ToJson(params_); }

  void Fit(const Dataset& data, const Context& ctx, bool regression) {
    RouteXgbLogs(ctx);
    DMatrix train(data.x, data.y, data.weights);
    std::unique_ptr<DMatrix> valid;
    std::vector<DMatrixHandle> cache = {train.get()};
    if (data.valid_x.rows() > 0) {
      valid = std::make_unique<DMatrix>(data.valid_x, data.valid_y, std::span<const double>());
      cache.push_back(valid->get());
    }
    Booster booster(cache);
    SetBoosterParams(booster, params_, ctx, regression);
    const int64_t rounds = BoostRounds(booster, train, valid.get(), params_, ctx);
    booster_ = std::move(booster);
    ctx.logger().debug("gbdt: {} rounds kept", rounds);
  }
  /// type 0: predictions, 2: SHAP values (TreeSHAP), rows × (cols + 1), bias last.
  std::vector<double> Predict(const DenseMatrixView& x, const Context& ctx, int type) const {
    return BoosterPredict(booster_, x, ctx, type);
  }
  std::vector<double> Importance(size_t num_features) const {
    return TotalGain(booster_, num_features);
  }
  void Save(ModelWriter& writer) const {
    bst_ulong len = 0;
    const char* buf = nullptr;
    XgbCheck(XGBoosterSaveModelToBuffer(booster_.get(), R"({"format": "ubj"})", &len, &buf),
             "save");
    writer.AddBlock("booster", std::string(buf, len));
  }
  void Load(const ModelReader& reader) {
    const std::string_view bytes = reader.Block("booster");
    CheckBooster(bytes);
    Booster booster(std::vector<DMatrixHandle>{});
    XgbCheck(XGBoosterLoadModelFromBuffer(booster.get(), bytes.data(), bytes.size()), "load");
    booster_ = std::move(booster);
  }

 private:
  GbdtParams params_;
  Booster booster_;
};

// What the gbdt classifier and regressor share: everything but the objective and the name of
// the prediction method.
template <typename Interface, bool kRegression>
class GbdtModel : public Interface {
 public:
  explicit GbdtModel(const nlohmann::json& params) : core_(params) {}
  std::string Type() const override { return "gbdt"; }
  nlohmann::json Params() const override { return core_.ParamsJson(); }
  void FitChecked(const Dataset& data, const Context& ctx) override {
    core_.Fit(data, ctx, kRegression);
  }
  std::vector<double> Contributions(const DenseMatrixView& x, const Context& ctx) const override {
    this->CheckPredictInput(x);
    return core_.Predict(x, ctx, 2);
  }
  std::vector<double> Importance() const override {
    return core_.Importance(this->feature_names_.size());
  }

 protected:
  void SaveBlocks(ModelWriter& writer) const override { core_.Save(writer); }
  void LoadBlocks(const ModelReader& reader) override { core_.Load(reader); }
  /// Predictions (probabilities or values), checked.
  std::vector<double> Output(const DenseMatrixView& x, const Context& ctx) const {
    this->CheckPredictInput(x);
    return core_.Predict(x, ctx, 0);
  }

  GbdtCore core_;
};

class GbdtRegressor final : public GbdtModel<Regressor, true> {
 public:
  explicit GbdtRegressor(const nlohmann::json& params) : GbdtModel(params) {
    if (core_.params().scale_pos_weight != 1.0) {
      Fail(ErrorCode::kInvalidArgument,
           "gbdt regression: scale_pos_weight ({}) weights the positive class of a binary target, "
           "and a numeric "
           "target has none. Possible fix: leave it out, or train a classifier (--task "
           "classification).",
           core_.params().scale_pos_weight);
    }
  }
  std::vector<double> Predict(const DenseMatrixView& x, const Context& ctx) const override {
    return Output(x, ctx);
  }
};

class GbdtClassifier final : public GbdtModel<Classifier, false> {
 public:
  explicit GbdtClassifier(const nlohmann::json& params) : GbdtModel(params) {}
  std::vector<double> PredictProba(const DenseMatrixView& x, const Context& ctx) const override {
    return Output(x, ctx);
  }
};

}  // namespace

ModelFactory<Classifier> GbdtClassifierFactory() {
  return FactoryOf<Classifier, GbdtClassifier, GbdtParams>();
}
ModelFactory<Regressor> GbdtRegressorFactory() {
  return FactoryOf<Regressor, GbdtRegressor, GbdtParams>();
}

nlohmann::json GbdtSearchSpace() {
  return SearchSpace()
      .AddFloat("learning_rate", 0.01, 0.3, true)
      .AddInt("max_depth", 2, 10)
      .AddFloat("min_child_weight", 0.5, 50, true)
      .AddFloat("subsample", 0.5, 1.0)
      .AddFloat("colsample_bytree", 0.4, 1.0)
      .AddFloat("reg_lambda", 0.01, 20, true)
      .ToJson();
}

}  // namespace prospect
