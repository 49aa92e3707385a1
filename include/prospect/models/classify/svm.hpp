// Support vector machines as classifiers: "linear_svm" (liblinear, Fan et al. 2008) and
// "kernel_svm" (libsvm, Chang & Lin 2011). Both turn decision values into probabilities with a
// Platt (1999) sigmoid. This header gives the raw decision values, for parity with sklearn's
// LinearSVC.decision_function / SVC.decision_function.
#pragma once

#include <vector>

#include "prospect/models/classify/classifier.hpp"

namespace prospect {

/// Signed distance to the separating surface per row (positive = positive class), before the
/// Platt sigmoid. `model` must be a fitted "linear_svm" or "kernel_svm" (else kInvalidArgument).
std::vector<double> SvmDecisionFunction(const Classifier& model, const DenseMatrixView& x,
                                        const Context& ctx);

}  // namespace prospect
