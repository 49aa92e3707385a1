// Factories of the classifier families, one per file, gathered by register.cpp.
#pragma once

#include <memory>

#include "prospect/models/classify/classifier.hpp"

namespace prospect {

std::unique_ptr<Classifier> MakeLogistic(const nlohmann::json& params);
std::unique_ptr<Classifier> MakeTree(const nlohmann::json& params);
std::unique_ptr<Classifier> MakeForest(const nlohmann::json& params);
std::unique_ptr<Classifier> MakeLinearSvm(const nlohmann::json& params);
std::unique_ptr<Classifier> MakeKernelSvm(const nlohmann::json& params);

}  // namespace prospect
