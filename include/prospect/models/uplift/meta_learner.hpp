// Uplift meta-learners: the effect of each treatment against control per customer, learned with
// any registered model as the base (a classifier for a 0/1 outcome such as a visit, a regressor
// for a number such as spend). Several treatments are one model: each is learned against the
// same control group.
//
//   s  (S-learner): one outcome model on the features plus one 0/1 column per treatment;
//      τ_k(x) = μ(x, treatment k) − μ(x, control).
//   t  (T-learner): one outcome model per group; τ_k(x) = μ_k(x) − μ_0(x).
//   x  (X-learner, Künzel et al. 2019): the T-learner's μ_0, μ_k impute each customer's effect
//      (treated: y − μ_0(x); control: μ_k(x) − y); a regressor on each side learns it (τ_k1 on
//      the treated, τ_k0 on the controls), and τ_k(x) = e_k(x)·τ_k0(x) + (1 − e_k(x))·τ_k1(x).
//   dr (DR-learner, Kennedy 2023): a regressor on the doubly robust pseudo-outcome
//      φ = μ_k(x) − μ_0(x) + [k](y − μ_k(x)) / e_k(x) − [0](y − μ_0(x)) / (1 − e_k(x)),
//      over the customers of treatment k and control (no cross-fitting yet).
// e_k(x) is the propensity of treatment k among the customers of k and control: known (each
// group's share, a randomised campaign) or estimated (a logistic model of k against control on
// the features, clipped to [0.01, 0.99]). μ is a probability for a 0/1 outcome (the classifier's
// PredictProba), a prediction otherwise; the second stage of x and dr is always a regressor: the
// base's name when the regressor registry has it, else "linear".
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/common/params.hpp"
#include "prospect/linalg/dense.hpp"
#include "prospect/models/model.hpp"

namespace prospect {

struct UpliftData {
  DenseMatrixView x;
  std::span<const double> y;       ///< the outcome: 0/1, or any finite number
  std::span<const int32_t> group;  ///< 0: control; k = 1..treatments: treatment k
  size_t treatments = 1;
  std::vector<std::string> feature_names;  ///< empty: x0, x1, ...
};

struct MetaLearnerParams {
  std::string learner = "t";                              ///< s | t | x | dr
  std::string base = "gbdt";                              ///< a registered classifier or regressor
  nlohmann::json base_params = nlohmann::json::object();  ///< overrides of the base's defaults
  std::string propensity = "share";                       ///< share | estimate

  static const ParamSchema<MetaLearnerParams>& Schema();
};

class UpliftMetaLearner {
 public:
  /// kInvalidArgument for an unknown learner, base model or propensity.
  explicit UpliftMetaLearner(const nlohmann::json& params = nlohmann::json::object());
  ~UpliftMetaLearner();
  UpliftMetaLearner(UpliftMetaLearner&&) noexcept;
  UpliftMetaLearner& operator=(UpliftMetaLearner&&) noexcept;

  /// Learns every treatment's effect. The outcome is read as 0/1 when every y is 0 or 1 (then the
  /// base must be a classifier), else as a number (a regressor). kInvalidData naming the group
  /// for a treatment or control group without customers, a group outside 0..treatments, sizes
  /// that do not agree; kInvalidArgument for a 0/1 outcome with a base that is only a regressor
  /// or a numeric one with a base that is only a classifier. After a throw the learner is
  /// untrained, whatever it was before.
  void Fit(const UpliftData& data, const Context& ctx);
  /// rows × treatments, row-major: the estimated effect of treatment k (column k − 1) against
  /// control, in outcome units (a probability difference for a 0/1 outcome).
  std::vector<double> Predict(const DenseMatrixView& x, const Context& ctx) const;

  /// The fitted learner as model-file bytes (type tag "uplift/meta"): its parameters, what it
  /// learned and each stage's own model file. kFailedPrecondition before Fit.
  std::string Save() const;
  /// Reads what Save wrote; kInvalidData for a file of another kind or inconsistent contents.
  static UpliftMetaLearner Load(std::string_view bytes);

  const MetaLearnerParams& params() const { return params_; }
  bool fitted() const { return !models_.empty(); }
  bool binary_outcome() const { return binary_; }
  size_t treatments() const { return treatments_; }
  /// Each treatment's propensity used in training (share, or the mean estimate): treatments().
  const std::vector<double>& mean_propensity() const { return mean_propensity_; }

 private:
  struct Stage;  // one fitted model and how to read it
  void FitStages(const UpliftData& data, const Context& ctx);
  std::vector<double> OutcomeOf(const Stage& stage, const DenseMatrixView& x,
                                const Context& ctx) const;
  std::vector<double> PropensityOf(size_t k, const DenseMatrixView& x, const Context& ctx) const;

  MetaLearnerParams params_;
  bool binary_ = false;
  size_t treatments_ = 0;
  size_t features_ = 0;
  std::vector<double> mean_propensity_;
  std::vector<std::unique_ptr<Stage>> models_;      ///< by learner: see meta_learner.cpp
  std::vector<std::unique_ptr<Stage>> propensity_;  ///< per treatment, with propensity=estimate
};

}  // namespace prospect
