// Model: what every trained model has, whatever its task: its registry name, its parameters, one
// feature-count check, and saving into the model-file container. SupervisedModel is the shared
// part of Classifier and Regressor: training input checks, feature names, explanations and the
// load of a file's feature names and blocks. Clusterer derives from Model directly.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/io/model_file.hpp"
#include "prospect/linalg/dense.hpp"
#include "prospect/models/registry.hpp"

namespace prospect {

/// What Fit sees: features, labels (0/1 for a classifier, a number for a regressor), optional
/// weights, names, and an optional validation set for early stopping.
struct Dataset {
  DenseMatrixView x;
  std::span<const double> y;
  std::span<const double> weights;  ///< empty = all 1
  std::vector<std::string> feature_names;
  DenseMatrixView valid_x;  ///< rows == 0: none
  std::span<const double> valid_y;
};

class Model {
 public:
  virtual ~Model() = default;

  /// Registry name: "gbdt", "kmeans", ...
  virtual std::string Type() const = 0;
  /// The parameters in effect, as JSON (every declared parameter, defaults included): enough
  /// to re-create the model from its registry entry.
  virtual nlohmann::json Params() const = 0;
  /// The fitted model as model-file bytes (type tag, params, blocks). Throws
  /// kFailedPrecondition before Fit.
  virtual std::string Save() const = 0;

 protected:
  /// The one feature-count check of every model kind: kInvalidData
  /// "<type>: the model was trained on D features but the data has E".
  void CheckFeatureCount(size_t trained, size_t given) const;
  /// The one "not trained" error of every model kind (predict, assign, explain or save before
  /// Fit): kFailedPrecondition "<type>: the model is not trained yet; call Fit first".
  void CheckTrained(bool trained) const;
  /// The one empty-input error of every Fit: kInvalidData "<type>: no training rows" or
  /// "<type>: no features".
  void CheckNotEmpty(size_t rows, size_t cols) const;
};

class SupervisedModel : public Model {
 public:
  /// Trains on `data`: the checks every model gets, then the model's own FitChecked; after a
  /// throw the model is untrained (fitted() false), whatever it was before. Throws
  /// kInvalidData for an empty set or non-finite features, and what the task adds (labels other
  /// than 0/1 or one class for a classifier, a non-finite target for a regressor);
  /// kInvalidArgument for row weights given to a model that cannot use them.
  void Fit(const Dataset& data, const Context& ctx);
  /// Per-row additive explanation: rows × (cols + 1), the last column the bias, in the model's
  /// output units (log-odds for classifiers, target units for regressors).
  virtual std::vector<double> Contributions(const DenseMatrixView& x, const Context& ctx) const = 0;
  /// Global importance per feature (gain for trees, |coefficient| for linear models), sum 1.
  virtual std::vector<double> Importance() const = 0;

  const std::vector<std::string>& feature_names() const { return feature_names_; }
  bool fitted() const { return !feature_names_.empty(); }

  /// Type tag (the registry's FileTag), params, feature names, then the model's own blocks.
  std::string Save() const override;

 protected:
  /// The model file's type tag for this model (Classifier: "NAME", Regressor: "regress/NAME").
  virtual std::string FileTag() const = 0;
  virtual void SaveBlocks(ModelWriter& writer) const = 0;
  /// Restores the model's own blocks, validating every value it reads (feature_names_ is set).
  virtual void LoadBlocks(const ModelReader& reader) = 0;

  /// The task's checks of the target, after Fit has checked the features (Classifier: 0/1 labels
  /// with both classes; Regressor: finite values).
  virtual void CheckTarget(const Dataset& data) const = 0;
  /// The model's own training, on input Fit has checked; feature_names_ is already set.
  virtual void FitChecked(const Dataset& data, const Context& ctx) = 0;
  /// False for a model that cannot weight rows (the SVMs): Fit then refuses row weights.
  virtual bool TakesRowWeights() const { return true; }
  /// Fitted, and the feature count it was trained on.
  void CheckPredictInput(const DenseMatrixView& x) const;

  /// Shared by Classifier::Load and Regressor::Load: the entry the file's type tag names, made
  /// with the file's params, then its feature names and blocks.
  template <typename Interface>
  static std::unique_ptr<Interface> LoadFrom(const Registry<Interface>& registry,
                                             std::string_view bytes) {
    const ModelReader reader(bytes);
    std::unique_ptr<Interface> model =
        registry.FindByFileTag(reader.type_tag()).Create(reader.params());
    model->LoadContents(reader);
    return model;
  }

  std::vector<std::string> feature_names_;

 private:
  /// What every task checks: rows and features present, finite features.
  void CheckFeatures(const Dataset& data) const;
  void LoadContents(const ModelReader& reader);
};

/// A model whose parameters are one params struct P (with a static ParamSchema<P> Schema() whose
/// owner is the registry name): Type(), Params() and the constructors every such model would
/// otherwise repeat. The JSON constructor is what the registry's factories call.
template <typename Base, typename P>
class ModelWithParams : public Base {
 public:
  ModelWithParams() = default;
  /// Throws kInvalidArgument / kOutOfRange for a value the schema does not allow.
  explicit ModelWithParams(P params) : params_(std::move(params)) { P::Schema().Validate(params_); }
  /// `overrides`: a JSON object of parameter values (null: none); unknown names are
  /// kInvalidArgument with suggestions.
  explicit ModelWithParams(const nlohmann::json& overrides) {
    if (!overrides.is_null()) P::Schema().SetFromJson(params_, overrides);
  }

  std::string Type() const final { return P::Schema().owner(); }
  nlohmann::json Params() const final { return P::Schema().ToJson(params_); }

 protected:
  P params_;
};

}  // namespace prospect
