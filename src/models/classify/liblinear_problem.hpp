// What the liblinear- and libsvm-based learners (logistic, linear_svm, kernel_svm) share:
// silencing the C libraries' progress output, the seeded rand() they draw from, liblinear's
// sparse problem built from a dense DenseMatrixView and its training, and balanced class weights.
// Private to src/models.
#pragma once

#include <linear.h>

#include <cstdlib>
#include <mutex>
#include <span>
#include <string_view>
#include <vector>

#include "models/linear_terms.hpp"
#include "prospect/models/classify/classifier.hpp"

namespace prospect {

/// liblinear and libsvm print through global hooks; silences both, once (their output is progress
/// chatter).
void QuietSvmAndLinearLibraries();

/// The process-wide state of these C libraries, handled in one place: rand() is what
/// liblinear's coordinate-descent solvers draw their row order from and libsvm its probability
/// CV folds. Runs `train` holding one lock, with rand() seeded from `seed` first: one training at
/// a time, and the same seed gives the same model whatever ran before.
std::mutex& LibRandMutex();
template <typename Train>
auto WithSeededRand(uint64_t seed, Train train) {
  const std::lock_guard<std::mutex> lock(LibRandMutex());
  std::srand(static_cast<unsigned>(seed & 0xffffffffu));
  return train();
}

/// liblinear's problem for rows `x` and labels `y`: each row's non-zeros, then a bias node of value
/// 1 as feature d + 1 (regularised, as sklearn's intercept_scaling=1), then the terminator.
/// `prob.bias` is -1 because the bias node is already in each row. Holds the nodes it points to.
class LiblinearProblem {
 public:
  LiblinearProblem(const DenseMatrixView& x, std::span<const double> y);
  LiblinearProblem(const LiblinearProblem&) = delete;
  LiblinearProblem& operator=(const LiblinearProblem&) = delete;
  problem* get() { return &prob_; }

 private:
  std::vector<feature_node> nodes_;
  std::vector<feature_node*> rows_;
  std::vector<double> y_;
  problem prob_{};
};

/// Trains liblinear's `solver` (L2R_LR, L1R_LR, L2R_L2LOSS_SVC_DUAL, ...) on x, y with cost c,
/// tolerance tol and per-class weights {class 0, class 1} multiplying c; `who` names the model in
/// errors. The coefficients and intercept, oriented so that positive means class 1.
LinearTerms TrainLiblinear(std::string_view who, const DenseMatrixView& x,
                           std::span<const double> y, int solver, double c, double tol,
                           const double class_weights[2], uint64_t seed);

/// Balanced class weights n / (2 · n_class) for labels {0, 1}: out[0] for 0, out[1] for 1.
void BalancedWeights(std::span<const double> y, double out[2]);

}  // namespace prospect
