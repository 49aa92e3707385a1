// Support vector machines: "linear_svm" through liblinear (L2-regularised, squared-hinge or hinge
// loss, dual coordinate descent: Hsieh et al. 2008, as sklearn's LinearSVC) with a Platt sigmoid
// fitted on the training decision values, and "kernel_svm" through libsvm (C-SVC with an RBF,
// polynomial, sigmoid or linear kernel; Platt probabilities from libsvm's own internal 5-fold
// cross-validation, as sklearn's SVC(probability=True)). Prediction evaluates the kernel expansion
// directly on dense rows (in parallel), so a saved model needs no libsvm structures.
#include "prospect/models/classify/svm.hpp"

#include <linear.h>
#include <svm.h>

#include <algorithm>
#include <cmath>

#include "models/classify/families.hpp"
#include "models/classify/liblinear_problem.hpp"
#include "models/linear_terms.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/params.hpp"
#include "prospect/evaluate/calibration.hpp"

namespace prospect {
namespace {

struct LinearSvmParams {
  double c = 1.0;
  std::string loss = "squared_hinge";
  std::string class_weight = "none";
  double tol = 1e-4;

  static const ParamSchema<LinearSvmParams>& Schema() {
    static const ParamSchema<LinearSvmParams> schema(
        "linear_svm",
        {{"c", &LinearSvmParams::c, "inverse regularisation strength", 1e-8, 1e8},
         {"loss",
          &LinearSvmParams::loss,
          "squared_hinge (L2-loss) or hinge (L1-loss)",
          {"squared_hinge", "hinge"}},
         {"class_weight", &LinearSvmParams::class_weight, "none or balanced", {"none", "balanced"}},
         {"tol", &LinearSvmParams::tol, "solver tolerance", 1e-12, 1}});
    return schema;
  }
};

class LinearSvmClassifier final : public ModelWithParams<Classifier, LinearSvmParams> {
 public:
  using ModelWithParams::ModelWithParams;

  void FitChecked(const Dataset& data, const Context& ctx) override {
    double weights[2] = {1, 1};
    if (params_.class_weight == "balanced") BalancedWeights(data.y, weights);
    ctx.ThrowIfCancelled();
    terms_ = TrainLiblinear("linear_svm", data.x, data.y,
                            params_.loss == "hinge" ? L2R_L1LOSS_SVC_DUAL : L2R_L2LOSS_SVC_DUAL,
                            params_.c, params_.tol, weights, ctx.seed());
    // Platt sigmoid on the training decision values (liblinear has no probability model for SVMs).
    platt_.Fit(terms_.Margins(data.x), data.y);
  }

  std::vector<double> DecisionFunction(const DenseMatrixView& x) const {
    CheckPredictInput(x);
    return terms_.Margins(x);
  }

  std::vector<double> PredictProba(const DenseMatrixView& x, const Context&) const override {
    CheckPredictInput(x);
    return platt_.Predict(terms_.Margins(x));
  }

  // log-odds = −(a·f + b) with f = w·x + c: exactly additive per feature.
  std::vector<double> Contributions(const DenseMatrixView& x, const Context&) const override {
    CheckPredictInput(x);
    return terms_.Contributions(x, -platt_.a(), -platt_.b());
  }

  std::vector<double> Importance() const override { return terms_.Importance(); }

  void SaveBlocks(ModelWriter& writer) const override {
    writer.AddArray<double>("coef", terms_.coef);
    const double scalars[3] = {terms_.intercept, platt_.a(), platt_.b()};
    writer.AddArray<double>("scalars", std::span<const double>(scalars, 3));
  }

 protected:
  void LoadBlocks(const ModelReader& reader) override {
    terms_.coef = reader.FiniteArray("coef");
    const auto s = reader.FiniteArray("scalars");
    if (s.size() != 3 || terms_.coef.size() != feature_names_.size()) {
      Fail(ErrorCode::kInvalidData,
           "model file: linear_svm coefficients do not match its {} features",
           feature_names_.size());
    }
    terms_.intercept = s[0];
    platt_ = PlattCalibrator::FromJson({{"method", "platt"}, {"a", s[1]}, {"b", s[2]}});
  }

 private:
  bool TakesRowWeights() const override { return false; }  // liblinear weighs classes only

  LinearTerms terms_;
  PlattCalibrator platt_;
};

struct KernelSvmParams {
  double c = 1.0;
  std::string kernel = "rbf";
  double gamma = 0;  ///< 0 = "scale": 1 / (d · Var(X)), sklearn's default
  int64_t degree = 3;
  double coef0 = 0;
  std::string class_weight = "none";
  double tol = 1e-3;
  double cache_mb = 200;
  bool probability = true;

  static const ParamSchema<KernelSvmParams>& Schema() {
    static const ParamSchema<KernelSvmParams> schema(
        "kernel_svm",
        {{"c", &KernelSvmParams::c, "inverse regularisation strength", 1e-8, 1e8},
         {"kernel",
          &KernelSvmParams::kernel,
          "kernel function",
          {"rbf", "poly", "sigmoid", "linear"}},
         {"gamma", &KernelSvmParams::gamma,
          "kernel coefficient for rbf/poly/sigmoid (0 = 1 / (features · variance))", 0, 1e8},
         {"degree", &KernelSvmParams::degree, "degree of the poly kernel", 1, 10},
         {"coef0", &KernelSvmParams::coef0, "constant term of the poly/sigmoid kernel", -1e8, 1e8},
         {"class_weight", &KernelSvmParams::class_weight, "none or balanced", {"none", "balanced"}},
         {"tol", &KernelSvmParams::tol, "solver tolerance", 1e-12, 1},
         {"cache_mb", &KernelSvmParams::cache_mb, "kernel cache size in MB", 1, 1e6},
         {"probability", &KernelSvmParams::probability,
          "Platt probabilities from libsvm's internal 5-fold CV (false: a sigmoid fitted on "
          "training decision values, 5x faster)"}});
    return schema;
  }
};

class KernelSvmClassifier final : public ModelWithParams<Classifier, KernelSvmParams> {
 public:
  using ModelWithParams::ModelWithParams;

  void FitChecked(const Dataset& data, const Context& ctx) override {
    QuietSvmAndLinearLibraries();
    const size_t n = data.x.rows(), d = data.x.cols();
    gamma_ = params_.gamma;
    if (gamma_ == 0) {  // sklearn's gamma="scale": variance over all entries
      double mean = 0, sq = 0;
      for (double v : data.x.values()) mean += v;
      mean /= static_cast<double>(data.x.values().size());
      for (double v : data.x.values()) sq += (v - mean) * (v - mean);
      const double var = sq / static_cast<double>(data.x.values().size());
      gamma_ = var > 0 ? 1.0 / (static_cast<double>(d) * var) : 1.0;
    }
    std::vector<svm_node> nodes;
    nodes.reserve(n * (d + 1));
    std::vector<size_t> starts(n);
    for (size_t r = 0; r < n; ++r) {
      starts[r] = nodes.size();
      const double* row = data.x.Row(r);
      for (size_t j = 0; j < d; ++j) {
        if (row[j] != 0) nodes.push_back({static_cast<int>(j + 1), row[j]});
      }
      nodes.push_back({-1, 0.0});
    }
    std::vector<svm_node*> rows(n);
    for (size_t r = 0; r < n; ++r) rows[r] = nodes.data() + starts[r];
    std::vector<double> y(data.y.begin(), data.y.end());
    svm_problem prob{};
    prob.l = static_cast<int>(n);
    prob.y = y.data();
    prob.x = rows.data();
    svm_parameter param{};
    param.svm_type = C_SVC;
    param.kernel_type = params_.kernel == "rbf"       ? RBF
                        : params_.kernel == "poly"    ? POLY
                        : params_.kernel == "sigmoid" ? SIGMOID
                                                      : LINEAR;
    param.degree = static_cast<int>(params_.degree);
    param.gamma = gamma_;
    param.coef0 = params_.coef0;
    param.cache_size = params_.cache_mb;
    param.eps = params_.tol;
    param.C = params_.c;
    param.shrinking = 1;
    param.probability = params_.probability ? 1 : 0;
    int labels[2] = {0, 1};
    double weights[2] = {1, 1};
    if (params_.class_weight == "balanced") {
      BalancedWeights(data.y, weights);
      param.nr_weight = 2;
      param.weight_label = labels;
      param.weight = weights;
    }
    if (const char* err = svm_check_parameter(&prob, &param))
      Fail(ErrorCode::kInvalidArgument, "kernel_svm: {}", err);
    ctx.ThrowIfCancelled();
    svm_model* m = WithSeededRand(ctx.seed(), [&] { return svm_train(&prob, &param); });
    if (!m) Fail(ErrorCode::kInternal, "kernel_svm: libsvm returned no model");
    // Copy the expansion out, oriented so that a positive value means the positive class.
    const double sign = m->label[0] == 1 ? 1.0 : -1.0;
    const size_t l = static_cast<size_t>(m->l);
    sv_.assign(l * d, 0.0);
    sv_coef_.resize(l);
    for (size_t i = 0; i < l; ++i) {
      for (const svm_node* p = m->SV[i]; p->index != -1; ++p)
        sv_[i * d + static_cast<size_t>(p->index - 1)] = p->value;
      sv_coef_[i] = sign * m->sv_coef[0][i];
    }
    rho_ = sign * m->rho[0];
    const bool has_prob = params_.probability && m->probA && m->probB;
    // libsvm: P(label[0]) = 1 / (1 + exp(A·dec + B)); with f = sign·dec that is P(+) below.
    double a = has_prob ? m->probA[0] : 0, b = has_prob ? m->probB[0] : 0;
    if (has_prob && sign < 0) b = -b;
    svm_free_and_destroy_model(&m);
    baseline_.assign(d, 0.0);
    for (size_t r = 0; r < n; ++r) {
      for (size_t j = 0; j < d; ++j) baseline_[j] += data.x.Row(r)[j] / static_cast<double>(n);
    }
    if (!has_prob) {
      PlattCalibrator platt;
      platt.Fit(Decision(data.x, ctx), data.y);
      a = platt.a();
      b = platt.b();
    }
    prob_a_ = a;
    prob_b_ = b;
  }

  std::vector<double> Decision(const DenseMatrixView& x, const Context& ctx) const {
    std::vector<double> out(x.rows());
#pragma omp parallel for num_threads(ctx.threads()) schedule(static)
    for (size_t r = 0; r < x.rows(); ++r) out[r] = DecisionRow(x.Row(r));
    return out;
  }

  std::vector<double> DecisionFunction(const DenseMatrixView& x, const Context& ctx) const {
    CheckPredictInput(x);
    return Decision(x, ctx);
  }

  std::vector<double> PredictProba(const DenseMatrixView& x, const Context& ctx) const override {
    CheckPredictInput(x);
    std::vector<double> out = Decision(x, ctx);
    for (double& v : out) v = Sigmoid(v);
    return out;
  }

  // Exact additive path attribution: starting from the training mean, features are switched to
  // the row's values one at a time (in column order) and each is credited with the change in
  // log-odds; the bias is the log-odds at the mean. Sums to the row's log-odds.
  std::vector<double> Contributions(const DenseMatrixView& x, const Context& ctx) const override {
    CheckPredictInput(x);
    const size_t d = x.cols();
    std::vector<double> out(x.rows() * (d + 1));
    const double base = LogOdds(DecisionRow(baseline_.data()));
#pragma omp parallel for num_threads(ctx.threads()) schedule(dynamic)
    for (size_t r = 0; r < x.rows(); ++r) {
      std::vector<double> point = baseline_;
      double prev = base;
      for (size_t j = 0; j < d; ++j) {
        point[j] = x.Row(r)[j];
        const double now = LogOdds(DecisionRow(point.data()));
        out[r * (d + 1) + j] = now - prev;
        prev = now;
      }
      out[r * (d + 1) + d] = base;
    }
    return out;
  }

  // Mean |contribution| over (up to 200 evenly spaced) support vectors, normalised to sum 1.
  std::vector<double> Importance() const override {
    const size_t d = feature_names_.size(), l = sv_coef_.size();
    std::vector<double> imp(d, 0.0);
    if (l == 0) return imp;
    const size_t step = std::max<size_t>(1, l / 200);
    std::vector<double> rows;
    size_t count = 0;
    for (size_t i = 0; i < l; i += step, ++count)
      rows.insert(rows.end(), sv_.begin() + static_cast<std::ptrdiff_t>(i * d),
                  sv_.begin() + static_cast<std::ptrdiff_t>((i + 1) * d));
    const auto c = Contributions({rows, count, d}, Context(1));
    for (size_t r = 0; r < count; ++r) {
      for (size_t j = 0; j < d; ++j) imp[j] += std::abs(c[r * (d + 1) + j]);
    }
    double total = 0;
    for (double v : imp) total += v;
    if (total > 0) {
      for (double& v : imp) v /= total;
    }
    return imp;
  }

  size_t num_support_vectors() const { return sv_coef_.size(); }

  void SaveBlocks(ModelWriter& writer) const override {
    writer.AddArray<double>("sv", sv_);
    writer.AddArray<double>("sv_coef", sv_coef_);
    writer.AddArray<double>("baseline", baseline_);
    const double scalars[4] = {rho_, gamma_, prob_a_, prob_b_};
    writer.AddArray<double>("scalars", std::span<const double>(scalars, 4));
  }

 protected:
  void LoadBlocks(const ModelReader& reader) override {
    const size_t d = feature_names_.size();
    sv_ = reader.FiniteArray("sv");
    sv_coef_ = reader.FiniteArray("sv_coef");
    baseline_ = reader.FiniteArray("baseline");
    const auto s = reader.FiniteArray("scalars");
    // Sizes come from the blocks themselves; check sv = n_sv × d without multiplying.
    if (s.size() != 4 || baseline_.size() != d || sv_coef_.empty() || sv_.size() % d != 0 ||
        sv_.size() / d != sv_coef_.size()) {
      Fail(ErrorCode::kInvalidData,
           "model file: kernel_svm support vectors do not match its {} features", d);
    }
    // A fitted gamma is positive (given, or sklearn's "scale"); a negative one makes the RBF
    // kernel exp(+x), which overflows and turns decision values into inf − inf = NaN.
    if (!(s[1] > 0)) {
      Fail(ErrorCode::kInvalidData,
           "model file: kernel_svm gamma is {}; a fitted gamma is positive", s[1]);
    }
    rho_ = s[0];
    gamma_ = s[1];
    prob_a_ = s[2];
    prob_b_ = s[3];
  }

 private:
  bool TakesRowWeights() const override { return false; }  // libsvm weighs classes only

  double Kernel(const double* a, const double* b, size_t d) const {
    if (params_.kernel == "rbf") {
      double sq = 0;
      for (size_t j = 0; j < d; ++j) sq += (a[j] - b[j]) * (a[j] - b[j]);
      return std::exp(-gamma_ * sq);
    }
    double dot = 0;
    for (size_t j = 0; j < d; ++j) dot += a[j] * b[j];
    if (params_.kernel == "linear") return dot;
    if (params_.kernel == "poly")
      return std::pow(gamma_ * dot + params_.coef0, static_cast<double>(params_.degree));
    return std::tanh(gamma_ * dot + params_.coef0);
  }

  double DecisionRow(const double* row) const {
    const size_t d = feature_names_.size();
    double f = -rho_;
    for (size_t i = 0; i < sv_coef_.size(); ++i)
      f += sv_coef_[i] * Kernel(sv_.data() + i * d, row, d);
    return f;
  }

  // libsvm's sigmoid_predict, clipped to [1e-7, 1 − 1e-7] as svm_predict_probability does.
  double Sigmoid(double f) const {
    const double z = prob_a_ * f + prob_b_;
    const double p = z >= 0 ? std::exp(-z) / (1.0 + std::exp(-z)) : 1.0 / (1.0 + std::exp(z));
    return std::clamp(p, 1e-7, 1 - 1e-7);
  }
  double LogOdds(double f) const { return -(prob_a_ * f + prob_b_); }

  std::vector<double> sv_;        // n_sv × d, row-major
  std::vector<double> sv_coef_;   // y_i α_i, oriented to the positive class
  std::vector<double> baseline_;  // training mean, the reference point of Contributions
  double rho_ = 0, gamma_ = 0, prob_a_ = 0, prob_b_ = 0;
};

}  // namespace

ModelFactory<Classifier> LinearSvmFactory() {
  return FactoryOf<Classifier, LinearSvmClassifier, LinearSvmParams>();
}
ModelFactory<Classifier> KernelSvmFactory() {
  return FactoryOf<Classifier, KernelSvmClassifier, KernelSvmParams>();
}

std::vector<double> SvmDecisionFunction(const Classifier& model, const DenseMatrixView& x,
                                        const Context& ctx) {
  if (const auto* l = dynamic_cast<const LinearSvmClassifier*>(&model))
    return l->DecisionFunction(x);
  if (const auto* k = dynamic_cast<const KernelSvmClassifier*>(&model))
    return k->DecisionFunction(x, ctx);
  Fail(ErrorCode::kInvalidArgument,
       "decision values are defined for linear_svm and kernel_svm, not {}", model.Type());
}

}  // namespace prospect
