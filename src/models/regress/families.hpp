// Factories of the regressor families, gathered by register.cpp.
#pragma once

#include <memory>

#include "prospect/models/regress/regressor.hpp"

namespace prospect {

ModelFactory<Regressor> LinearRegressorFactory();
ModelFactory<Regressor> TreeRegressorFactory();
ModelFactory<Regressor> ForestRegressorFactory();

}  // namespace prospect
