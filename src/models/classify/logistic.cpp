// Logistic regression through liblinear (Fan et al. 2008): L2 (primal trust-region Newton) or
// L1 (coordinate descent) penalty, optional balanced class weights. The intercept is liblinear's
// bias feature (value 1, regularised like the weights, as sklearn's liblinear solver).
#include <linear.h>

#include <cmath>

#include "models/classify/families.hpp"
#include "models/classify/liblinear_problem.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/params.hpp"

namespace prospect {
namespace {

struct LogisticParams {
  std::string penalty = "l2";
  double c = 1.0;
  std::string class_weight = "none";
  double tol = 1e-4;

  static const ParamSchema<LogisticParams>& Schema() {
    static const ParamSchema<LogisticParams> schema(
        "logistic", {{"penalty", &LogisticParams::penalty, "l1 or l2 regularisation", 0, 0, {"l1", "l2"}},
                     {"c", &LogisticParams::c, "inverse regularisation strength", 1e-8, 1e8},
                     {"class_weight", &LogisticParams::class_weight, "none or balanced", 0, 0, {"none", "balanced"}},
                     {"tol", &LogisticParams::tol, "solver tolerance", 1e-12, 1}});
    return schema;
  }
};

class LogisticClassifier final : public Classifier {
 public:
  explicit LogisticClassifier(const nlohmann::json& params) { LogisticParams::Schema().SetFromJson(params_, params); }
  std::string Type() const override { return "logistic"; }
  nlohmann::json Params() const override { return LogisticParams::Schema().ToJson(params_); }

  void Fit(const TrainingSet& data, const Context& ctx) override {
    CheckFitInput(data);
    QuietSvmAndLinearLibraries();
    const size_t d = data.x.cols;
    LiblinearProblem prob(data.x, data.y);
    parameter param{};
    param.solver_type = params_.penalty == "l1" ? L1R_LR : L2R_LR;
    param.eps = params_.tol;
    param.C = params_.c;
    int labels[2] = {0, 1};
    double weights[2] = {1, 1};
    if (params_.class_weight == "balanced" || !data.weights.empty()) {
      // liblinear has per-class weights only; per-row weights are not supported.
      if (!data.weights.empty()) Fail(ErrorCode::kInvalidArgument, "logistic: per-row weights are not supported; use class_weight=balanced");
      BalancedWeights(data.y, weights);
      param.nr_weight = 2;
      param.weight_label = labels;
      param.weight = weights;
    }
    if (const char* err = check_parameter(prob.get(), &param)) Fail(ErrorCode::kInvalidArgument, "logistic: {}", err);
    ctx.ThrowIfCancelled();
    model* m = train(prob.get(), &param);
    if (!m) Fail(ErrorCode::kInternal, "logistic: liblinear returned no model");
    // liblinear's weights are for its first label; store them for the positive class.
    const double sign = m->label[0] == 1 ? 1.0 : -1.0;
    coef_.assign(d, 0.0);
    for (size_t j = 0; j < d; ++j) coef_[j] = sign * m->w[j];
    intercept_ = sign * m->w[d];
    free_and_destroy_model(&m);
  }

  std::vector<double> PredictProba(const FeatureMatrix& x, const Context&) const override {
    CheckPredictInput(x);
    std::vector<double> out(x.rows);
    for (size_t r = 0; r < x.rows; ++r) out[r] = 1.0 / (1.0 + std::exp(-Margin(x.Row(r), x.cols)));
    return out;
  }

  std::vector<double> Contributions(const FeatureMatrix& x, const Context&) const override {
    CheckPredictInput(x);
    std::vector<double> out(x.rows * (x.cols + 1));
    for (size_t r = 0; r < x.rows; ++r) {
      for (size_t j = 0; j < x.cols; ++j) out[r * (x.cols + 1) + j] = coef_[j] * x.Row(r)[j];
      out[r * (x.cols + 1) + x.cols] = intercept_;
    }
    return out;
  }

  std::vector<double> Importance() const override {
    // |coefficient| on standardised features (the pipeline scales them) normalised to sum 1.
    std::vector<double> out(coef_.size());
    double total = 0;
    for (size_t j = 0; j < coef_.size(); ++j) total += out[j] = std::abs(coef_[j]);
    if (total > 0) {
      for (double& v : out) v /= total;
    }
    return out;
  }

  const std::vector<double>& coefficients() const { return coef_; }
  double intercept() const { return intercept_; }

  void SaveBlocks(ModelWriter& writer) const override {
    writer.AddArray<double>("coef", coef_);
    writer.AddArray<double>("intercept", std::span<const double>(&intercept_, 1));
  }

 protected:
  void LoadBlocks(const ModelReader& reader) override {
    coef_ = reader.Array<double>("coef");
    const auto b = reader.Array<double>("intercept");
    if (b.size() != 1 || coef_.size() != feature_names_.size()) {
      Fail(ErrorCode::kInvalidData, "model file: logistic coefficients do not match its {} features", feature_names_.size());
    }
    intercept_ = b[0];
  }

 private:
  double Margin(const double* row, size_t d) const {
    double z = intercept_;
    for (size_t j = 0; j < d; ++j) z += coef_[j] * row[j];
    return z;
  }

  LogisticParams params_;
  std::vector<double> coef_;
  double intercept_ = 0;
};

}  // namespace

std::unique_ptr<Classifier> MakeLogistic(const nlohmann::json& params) {
  return std::make_unique<LogisticClassifier>(params);
}

}  // namespace prospect
