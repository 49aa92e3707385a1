// Regressor: the one interface for models of a numeric target (spend, order value): linear
// (ridge, Eigen), CART regression tree, random forest, gradient boosting (XGBoost), and their
// registry.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "prospect/models/model.hpp"
#include "prospect/models/registry.hpp"

namespace prospect {

/// Fit sees a Dataset whose y holds the numeric target (any finite value).
class Regressor : public SupervisedModel {
 public:
  /// The predicted target per row. Throws kFailedPrecondition before Fit, kInvalidData on a
  /// column-count mismatch (the message gives both counts).
  virtual std::vector<double> Predict(const DenseMatrixView& x, const Context& ctx) const = 0;

  /// Re-creates a saved regressor (type tag "regress/NAME") of any registered type, validating
  /// every payload before a third-party parser sees it. Throws kInvalidData for a corrupted file
  /// or one of another kind, kFailedPrecondition for a newer format version.
  static std::unique_ptr<Regressor> Load(std::string_view bytes);

 protected:
  std::string FileTag() const override;
  /// Every target finite.
  void CheckTarget(const Dataset& data) const final;
};

/// Every regressor, in the order `--help` lists them (filled in models/regress/register.cpp).
const Registry<Regressor>& RegressorRegistry();

}  // namespace prospect
