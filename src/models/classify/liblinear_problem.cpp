#include "models/classify/liblinear_problem.hpp"

#include <svm.h>

#include <mutex>

#include "prospect/common/error.hpp"

namespace prospect {

std::mutex& LibRandMutex() {
  static std::mutex m;
  return m;
}

LinearTerms TrainLiblinear(std::string_view who, const DenseMatrixView& x,
                           std::span<const double> y, int solver, double c, double tol,
                           const double class_weights[2], uint64_t seed) {
  QuietSvmAndLinearLibraries();
  LiblinearProblem prob(x, y);
  parameter param{};
  param.solver_type = solver;
  param.eps = tol;
  param.C = c;
  int labels[2] = {0, 1};
  double weights[2] = {class_weights[0], class_weights[1]};
  param.nr_weight = 2;
  param.weight_label = labels;
  param.weight = weights;
  if (const char* err = check_parameter(prob.get(), &param))
    Fail(ErrorCode::kInvalidArgument, "{}: {}", who, err);
  model* m = WithSeededRand(seed, [&] { return train(prob.get(), &param); });
  if (!m) Fail(ErrorCode::kInternal, "{}: liblinear returned no model", who);
  LinearTerms terms;
  terms.FromLiblinear(m->w, m->label[0] == 1, x.cols());
  free_and_destroy_model(&m);
  return terms;
}

void QuietSvmAndLinearLibraries() {
  static std::once_flag once;
  std::call_once(once, [] {
    set_print_string_function([](const char*) {});
    svm_set_print_string_function([](const char*) {});
  });
}

LiblinearProblem::LiblinearProblem(const DenseMatrixView& x, std::span<const double> y)
    : y_(y.begin(), y.end()) {
  const size_t n = x.rows(), d = x.cols();
  nodes_.reserve(n * (d + 2));
  std::vector<size_t> starts(n);
  for (size_t r = 0; r < n; ++r) {
    starts[r] = nodes_.size();
    const double* row = x.Row(r);
    for (size_t j = 0; j < d; ++j) {
      if (row[j] != 0) nodes_.push_back({static_cast<int>(j + 1), row[j]});
    }
    nodes_.push_back({static_cast<int>(d + 1), 1.0});
    nodes_.push_back({-1, 0.0});
  }
  rows_.resize(n);
  for (size_t r = 0; r < n; ++r) rows_[r] = nodes_.data() + starts[r];
  prob_.l = static_cast<int>(n);
  prob_.n = static_cast<int>(d + 1);
  prob_.y = y_.data();
  prob_.x = rows_.data();
  prob_.bias = -1;
}

void BalancedWeights(std::span<const double> y, double out[2]) {
  double pos = 0;
  for (double v : y) pos += v;
  const double n = static_cast<double>(y.size());
  out[1] = n / (2 * pos);
  out[0] = n / (2 * (n - pos));
}

}  // namespace prospect
