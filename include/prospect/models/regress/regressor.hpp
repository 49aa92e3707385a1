// Regressor: the one interface for models of a numeric target (spend, order value): linear
// (ridge, Eigen), CART regression tree, random forest, gradient boosting (XGBoost), with their
// registry and saving/loading through the model-file container.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "prospect/common/context.hpp"
#include "prospect/io/model_file.hpp"
#include "prospect/models/classify/classifier.hpp"  // FeatureMatrix, TrainingSet

namespace prospect {

/// Fit sees a TrainingSet whose y holds the numeric target (any finite value).
class Regressor {
 public:
  virtual ~Regressor() = default;

  /// Registry name: "linear", "tree", "forest", "gbdt".
  virtual std::string Type() const = 0;
  /// The parameters in effect, as JSON (every declared parameter, defaults included).
  virtual nlohmann::json Params() const = 0;

  /// Trains on `data`. Throws kInvalidData for an empty set or non-finite features or targets.
  virtual void Fit(const TrainingSet& data, const Context& ctx) = 0;
  /// The predicted target per row. Throws kFailedPrecondition before Fit, kInvalidData on a
  /// column-count mismatch (the message gives both counts).
  virtual std::vector<double> Predict(const FeatureMatrix& x, const Context& ctx) const = 0;
  /// Per-row additive explanation in target units: rows × (cols + 1), the last column the bias
  /// (coefficient × value for linear, path contributions for trees, TreeSHAP for gbdt).
  virtual std::vector<double> Contributions(const FeatureMatrix& x, const Context& ctx) const = 0;
  /// Global importance per feature (impurity decrease / gain for trees, |coefficient| for
  /// linear), sum 1.
  virtual std::vector<double> Importance() const = 0;

  const std::vector<std::string>& feature_names() const { return feature_names_; }
  bool fitted() const { return !feature_names_.empty(); }

  /// Writes the model's own blocks; SaveRegressor adds type, params and feature names.
  virtual void SaveBlocks(ModelWriter& writer) const = 0;
  /// Restores feature names, then the model's own blocks.
  void Load(const ModelReader& reader);

 protected:
  virtual void LoadBlocks(const ModelReader& reader) = 0;
  /// Validates training input and records the feature names.
  void CheckFitInput(const TrainingSet& data);
  void CheckPredictInput(const FeatureMatrix& x) const;
  std::vector<std::string> feature_names_;
};

struct RegressorEntry {
  std::string name;
  std::string description;
  /// Creates an unfitted model from parameters (JSON object; unknown keys are errors).
  std::function<std::unique_ptr<Regressor>(const nlohmann::json& params)> create;
  /// Default search space for --search, in SearchSpace::FromJson form (evaluate/search.hpp).
  nlohmann::json search_space;
};

/// Every regressor, in the order `--help` lists them (filled in models/regress/register.cpp).
const std::vector<RegressorEntry>& RegressorRegistry();
/// Throws kInvalidArgument listing the valid names (with a did-you-mean).
const RegressorEntry& FindRegressor(const std::string& name);
std::unique_ptr<Regressor> MakeRegressor(const std::string& name, const nlohmann::json& params = nlohmann::json::object());

/// Model file bytes (type tag "regress/NAME", params, blocks) and back. Loading validates everything.
std::string SaveRegressor(const Regressor& model);
std::unique_ptr<Regressor> LoadRegressor(std::string_view bytes);

}  // namespace prospect
