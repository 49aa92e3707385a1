// Classifier: the one interface for binary models (logistic, tree, forest, gbdt, linear and
// kernel SVM), their registry, and saving/loading through the model-file container.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "prospect/common/context.hpp"
#include "prospect/io/model_file.hpp"

namespace prospect {

/// Dense features: rows × cols, row-major float64 (a FeaturePipeline's output). Non-owning.
struct FeatureMatrix {
  std::span<const double> values;
  size_t rows = 0;
  size_t cols = 0;
  const double* Row(size_t r) const { return values.data() + r * cols; }
};

/// What Fit sees: features, 0/1 labels, optional weights, names, and an optional validation set
/// for early stopping.
struct TrainingSet {
  FeatureMatrix x;
  std::span<const double> y;
  std::span<const double> weights;  ///< empty = all 1
  std::vector<std::string> feature_names;
  FeatureMatrix valid_x;             ///< rows == 0: none
  std::span<const double> valid_y;
};

class Classifier {
 public:
  virtual ~Classifier() = default;

  /// Registry name: "logistic", "tree", "forest", "gbdt", "linear_svm", "kernel_svm".
  virtual std::string Type() const = 0;
  /// The parameters in effect, as JSON (every declared parameter, defaults included).
  virtual nlohmann::json Params() const = 0;

  /// Trains on `data`. Throws kInvalidData for an empty set, one class, non-finite features.
  virtual void Fit(const TrainingSet& data, const Context& ctx) = 0;
  /// P(positive) per row. Throws kFailedPrecondition before Fit, kInvalidData on a column-count
  /// mismatch (the message gives both counts).
  virtual std::vector<double> PredictProba(const FeatureMatrix& x, const Context& ctx) const = 0;
  /// Per-row additive explanation: rows × (cols + 1), the last column the bias, in log-odds
  /// (TreeSHAP for tree ensembles, coefficient × value for linear models).
  virtual std::vector<double> Contributions(const FeatureMatrix& x, const Context& ctx) const = 0;
  /// Global importance per feature (gain for trees, |coefficient| for linear models), sum 1.
  virtual std::vector<double> Importance() const = 0;

  const std::vector<std::string>& feature_names() const { return feature_names_; }
  bool fitted() const { return !feature_names_.empty(); }

  /// Writes the model's own blocks; SaveClassifier adds type, params and feature names.
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

struct ClassifierEntry {
  std::string name;
  std::string description;
  /// Creates an unfitted model from parameters (JSON object; unknown keys are errors).
  std::function<std::unique_ptr<Classifier>(const nlohmann::json& params)> create;
  /// Default search space for --search, in SearchSpace::FromJson form (evaluate/search.hpp).
  nlohmann::json search_space;
};

/// Every classifier, in the order `--help` lists them (filled in models/classify/register.cpp).
const std::vector<ClassifierEntry>& ClassifierRegistry();
/// Throws kInvalidArgument listing the valid names (with a did-you-mean).
const ClassifierEntry& FindClassifier(const std::string& name);
std::unique_ptr<Classifier> MakeClassifier(const std::string& name, const nlohmann::json& params = nlohmann::json::object());

/// Model file bytes (type, params, blocks) and back. Loading validates everything.
std::string SaveClassifier(const Classifier& model);
std::unique_ptr<Classifier> LoadClassifier(std::string_view bytes);

}  // namespace prospect
