// Factories of the classifier families, one per file, gathered by register.cpp.
#pragma once

#include <memory>

#include "prospect/models/classify/classifier.hpp"

namespace prospect {

ModelFactory<Classifier> LogisticFactory();
ModelFactory<Classifier> TreeFactory();
ModelFactory<Classifier> ForestFactory();
ModelFactory<Classifier> LinearSvmFactory();
ModelFactory<Classifier> KernelSvmFactory();

}  // namespace prospect
