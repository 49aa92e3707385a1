// Gradient-boosted trees (XGBoost), one adapter for both tasks: the "gbdt" classifier
// (binary:logistic) and the "gbdt" regressor (reg:squarederror) share the parameters, the
// boosting loop with early stopping and the model payload. Registered by classify/register.cpp
// and regress/register.cpp, so neither task's folder includes the other.
#pragma once

#include <memory>

#include "prospect/models/classify/classifier.hpp"
#include "prospect/models/regress/regressor.hpp"

namespace prospect {

ModelFactory<Classifier> GbdtClassifierFactory();
ModelFactory<Regressor> GbdtRegressorFactory();
/// The search space both tasks tune gbdt over (SearchSpace::FromJson form).
nlohmann::json GbdtSearchSpace();

}  // namespace prospect
