// Loading a model (classifier, regressor, clusterer) from bytes that may be corrupted: payloads
// are validated before a third-party parser sees them. Every load from the registry goes here.
#pragma once

#include <memory>
#include <string_view>

#include "prospect/models/classify/classifier.hpp"
#include "prospect/models/cluster/clusterer.hpp"
#include "prospect/models/regress/regressor.hpp"

namespace prospect {

/// LoadClassifier, after checking that an XGBoost booster block ("gbdt") is well-formed UBJSON
/// (CheckUbjson): XGBoost 1.7 reads past its buffer on some corrupted boosters. Throws
/// Error(kInvalidData) for a corrupted file, kFailedPrecondition for a newer format version.
std::unique_ptr<Classifier> LoadClassifierChecked(std::string_view bytes);
/// LoadRegressor and Clusterer::Load after the same checks: a gbdt regressor's booster, and raw
/// double payloads (linear coefficients; k-means centres; GMM weights, means and covariances)
/// must be finite.
std::unique_ptr<Regressor> LoadRegressorChecked(std::string_view bytes);
std::unique_ptr<Clusterer> LoadClustererChecked(std::string_view bytes);

}  // namespace prospect
