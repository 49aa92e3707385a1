// What the liblinear-based learners (logistic, linear_svm) share: silencing the C libraries'
// progress output, liblinear's sparse problem built from a dense FeatureMatrix, and balanced
// class weights. Private to src/models.
#pragma once

#include <linear.h>

#include <span>
#include <vector>

#include "prospect/models/classify/classifier.hpp"

namespace prospect {

/// liblinear and libsvm print through global hooks; silences both, once (their output is progress
/// chatter).
void QuietSvmAndLinearLibraries();

/// liblinear's problem for rows `x` and labels `y`: each row's non-zeros, then a bias node of value
/// 1 as feature d + 1 (regularised, as sklearn's intercept_scaling=1), then the terminator.
/// `prob.bias` is -1 because the bias node is already in each row. Holds the nodes it points to.
class LiblinearProblem {
 public:
  LiblinearProblem(const FeatureMatrix& x, std::span<const double> y);
  LiblinearProblem(const LiblinearProblem&) = delete;
  LiblinearProblem& operator=(const LiblinearProblem&) = delete;
  problem* get() { return &prob_; }

 private:
  std::vector<feature_node> nodes_;
  std::vector<feature_node*> rows_;
  std::vector<double> y_;
  problem prob_{};
};

/// Balanced class weights n / (2 · n_class) for labels {0, 1}: out[0] for 0, out[1] for 1.
void BalancedWeights(std::span<const double> y, double out[2]);

}  // namespace prospect
