// The least-squares pieces of implicit ALS (Hu, Koren & Volinsky 2008), private to als.cpp and
// its tests. One row's factors x (a user's, or an item's with the roles swapped) solve
//   (YᵀY + λI + Σᵢ (cᵢ − 1) yᵢyᵢᵀ) x = Σᵢ cᵢ yᵢ,   cᵢ = 1 + α wᵢ,
// over the items i of the row with weights wᵢ, Y the other side's factors (row-major, f columns).
// `gram` is YᵀY + λI, computed once per half-iteration.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <span>
#include <vector>

namespace prospect::als {

using Gram = Eigen::MatrixXd;  // f × f

/// YᵀY + λI of `rows` × f factors.
Gram GramOf(std::span<const float> y, size_t rows, size_t f, double regularization);

/// The exact solution by Cholesky, written to x (f values).
void SolveExact(std::span<const float> y, size_t f, const Gram& gram,
                std::span<const int32_t> items, std::span<const double> weights, double alpha,
                float* x);

/// Hu et al.'s explanation (section 5): with W = (YᵀCY + λI)⁻¹ for this history, item `target`'s
/// score is Σ_k (y_targetᵀ W y_k) c_k over the history items k; returns each term.
std::vector<double> Contributions(std::span<const float> y, size_t f, const Gram& gram,
                                  std::span<const int32_t> items, std::span<const double> weights,
                                  double alpha, int32_t target);

/// `steps` steps of conjugate gradient from x's current values (Takács et al. 2011, as the
/// implicit library runs it: warm-started, so a few steps per iteration suffice), in float:
/// `gram` is GramOf cast to float once per half-iteration.
void SolveCg(std::span<const float> y, size_t f, const Eigen::MatrixXf& gram,
             std::span<const int32_t> items, std::span<const double> weights, double alpha,
             int steps, float* x);

/// Hu et al.'s objective: Σ over every (user, item) of c (p − xᵤ·yᵢ)² (c = 1, p = 0 where there is
/// no interaction) + λ (‖X‖² + ‖Y‖²).
double Loss(const float* x, const float* y, size_t users, size_t items, size_t f,
            std::span<const int64_t> indptr, std::span<const int32_t> indices,
            std::span<const double> weights, double alpha, double regularization);

}  // namespace prospect::als
