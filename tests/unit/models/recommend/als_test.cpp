// Implicit ALS: the objective falls at every iteration (both solvers), conjugate gradient reaches
// the Cholesky solution of one row's least squares, and a new user's factors solved from their
// history rank items as a training user with that history does.
#include "prospect/models/recommend/als.hpp"

#include <gtest/gtest.h>

#include <random>

#include "models/recommend/als_solver.hpp"

namespace prospect {
namespace {

// 200 users × 50 items, users of two tastes (even items or odd items) with counts 1-4.
CsrMatrix Tastes() {
  std::mt19937_64 rng(3);
  std::vector<CsrMatrix::Triplet> entries;
  for (size_t u = 0; u < 200; ++u) {
    for (int k = 0; k < 8; ++k) {
      const size_t item = 2 * (rng() % 25) + u % 2;
      entries.push_back({u, item, static_cast<double>(1 + rng() % 4)});
    }
  }
  return CsrMatrix::FromTriplets(200, 50, entries);
}

TEST(Als, TheObjectiveFallsAtEveryIteration) {
  for (const char* solver : {"cg", "cholesky"}) {
    SCOPED_TRACE(solver);
    Als als(nlohmann::json{{"factors", 8},
                           {"iterations", 12},
                           {"solver", solver},
                           {"alpha", 2.0},
                           {"regularization", 0.1}});
    als.Fit(Tastes(), Context(2, 11));
    const std::vector<double>& loss = als.loss_history();
    ASSERT_EQ(loss.size(), 12u);
    for (size_t i = 1; i < loss.size(); ++i) EXPECT_LT(loss[i], loss[i - 1]) << i;
  }
}

TEST(Als, ConjugateGradientReachesTheCholeskySolution) {
  const size_t f = 6, items = 30;
  std::mt19937_64 rng(5);
  std::normal_distribution<float> normal(0.0f, 0.3f);
  std::vector<float> y(items * f);
  for (float& v : y) v = normal(rng);
  const als::Gram gram = als::GramOf(y, items, f, 0.05);
  const std::vector<int32_t> rows = {1, 4, 9, 16, 25};
  const std::vector<double> weights = {1, 3, 2, 5, 1};
  std::vector<float> exact(f), cg(f, 0.0f);
  als::SolveExact(y, f, gram, rows, weights, 1.5, exact.data());
  // f steps solve an f-dimensional system in exact arithmetic; a few more absorb rounding.
  als::SolveCg(y, f, gram.cast<float>(), rows, weights, 1.5, static_cast<int>(2 * f), cg.data());
  for (size_t j = 0; j < f; ++j) EXPECT_NEAR(cg[j], exact[j], 1e-4) << j;
  // The Cholesky solution satisfies the normal equations: A x = b.
  Eigen::MatrixXd a = gram;
  Eigen::VectorXd b = Eigen::VectorXd::Zero(f);
  for (size_t k = 0; k < rows.size(); ++k) {
    Eigen::VectorXd yi(f);
    for (size_t j = 0; j < f; ++j) yi[j] = y[static_cast<size_t>(rows[k]) * f + j];
    const double c = 1 + 1.5 * weights[k];
    a += (c - 1) * yi * yi.transpose();
    b += c * yi;
  }
  Eigen::VectorXd x(f);
  for (size_t j = 0; j < f; ++j) x[j] = exact[j];
  EXPECT_LT((a * x - b).norm(), 1e-5 * b.norm());
}

TEST(Als, ANewUsersFactorsComeFromTheirHistory) {
  const CsrMatrix x = Tastes();
  Als als(nlohmann::json{{"factors", 4}, {"iterations", 10}, {"solver", "cholesky"}});
  als.Fit(x, Context(1, 3));
  // A new user with three even items: the top recommendations are even items, as for the
  // training users of that taste.
  const std::vector<int32_t> items = {0, 10, 20};
  for (const ScoredItem& r : als.Recommend({-1, items, {}}, 5)) EXPECT_EQ(r.item % 2, 0) << r.item;
  const std::vector<int32_t> odd = {1, 11, 21};
  for (const ScoredItem& r : als.Recommend({-1, odd, {}}, 5)) EXPECT_EQ(r.item % 2, 1) << r.item;
}

}  // namespace
}  // namespace prospect
