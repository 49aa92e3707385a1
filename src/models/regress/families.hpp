// Factories of the regressor families, gathered by register.cpp.
#pragma once

#include <memory>

#include "prospect/models/regress/regressor.hpp"

namespace prospect {

std::unique_ptr<Regressor> MakeLinearRegressor(const nlohmann::json& params);
std::unique_ptr<Regressor> MakeTreeRegressor(const nlohmann::json& params);
std::unique_ptr<Regressor> MakeForestRegressor(const nlohmann::json& params);

}  // namespace prospect
