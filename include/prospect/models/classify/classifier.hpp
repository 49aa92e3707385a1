// Classifier: the one interface for binary models (logistic, tree, forest, gbdt, linear and
// kernel SVM) and their registry.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "prospect/models/model.hpp"
#include "prospect/models/registry.hpp"

namespace prospect {

class Classifier : public SupervisedModel {
 public:
  /// P(positive) per row. Throws kFailedPrecondition before Fit, kInvalidData on a column-count
  /// mismatch (the message gives both counts).
  virtual std::vector<double> PredictProba(const DenseMatrixView& x, const Context& ctx) const = 0;

  /// Re-creates a saved classifier of any registered type, validating every payload before a
  /// third-party parser sees it. Throws kInvalidData for a corrupted file or one of another kind,
  /// kFailedPrecondition for a newer format version.
  static std::unique_ptr<Classifier> Load(std::string_view bytes);

 protected:
  std::string FileTag() const override;
  /// Labels 0/1 with both classes present.
  void CheckTarget(const Dataset& data) const final;
};

/// Every classifier, in the order `--help` lists them (filled in models/classify/register.cpp).
/// Unknown names: kInvalidArgument "Unknown model "xgbost". Did you mean "gbdt"? Valid models: …".
const Registry<Classifier>& ClassifierRegistry();

}  // namespace prospect
