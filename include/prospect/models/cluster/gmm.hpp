// Gaussian mixture fitted by EM (Dempster, Laird & Rubin 1977), diagonal or full covariance,
// k-means initialisation, n_init restarts, BIC; as sklearn's GaussianMixture.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "prospect/common/params.hpp"
#include "prospect/models/cluster/clusterer.hpp"

namespace prospect {

struct GmmParams {
  int64_t k = 3;                    ///< components; 0 = choose by BIC in [k_min, k_max]
  std::string covariance = "full";  ///< full | diag
  double tol = 1e-3;                ///< stop when the mean log-likelihood changes less
  double reg_covar = 1e-6;          ///< added to covariance diagonals
  int64_t max_iter = 100;
  int64_t n_init = 1;  ///< restarts; the highest lower bound wins
  int64_t k_min = 1;
  int64_t k_max = 10;

  static const ParamSchema<GmmParams>& Schema();
};

class GaussianMixture final : public ModelWithParams<Clusterer, GmmParams> {
 public:
  using ModelWithParams::ModelWithParams;
  void Fit(const DenseMatrixView& x, const Context& ctx) override;
  /// Most probable component.
  std::vector<int32_t> Assign(const DenseMatrixView& x, const Context& ctx) const override;
  nlohmann::json Summary() const override;

  /// Posterior component probabilities, n × k row-major.
  DenseMatrix PredictProba(const DenseMatrixView& x, const Context& ctx) const;
  /// Mean log-likelihood per row (sklearn's score).
  double Score(const DenseMatrixView& x, const Context& ctx) const;
  /// Bayesian information criterion on x: −2 · n · Score + parameters · ln n.
  double Bic(const DenseMatrixView& x, const Context& ctx) const;
  int64_t NumParameters() const;

  const std::vector<double>& weights() const { return weights_; }
  /// k × d × d (full) or k × d (diag) covariances.
  const std::vector<double>& covariances() const { return covariances_; }
  double lower_bound() const { return lower_bound_; }
  bool converged() const { return converged_; }
  int64_t n_iter() const { return n_iter_; }

 protected:
  void SaveState(ModelWriter& writer) const override;
  void LoadState(const ModelReader& reader) override;

 private:
  friend struct GmmInternals;
  void FitFixedK(const DenseMatrixView& x, int64_t k, const Context& ctx);
  std::vector<double> weights_;
  std::vector<double> covariances_;
  std::vector<double> precision_chol_;  ///< full: k upper-triangular d × d; diag: k × d (1/sd)
  double lower_bound_ = 0;
  double train_bic_ = 0;
  bool converged_ = false;
  int64_t n_iter_ = 0;
  std::vector<std::pair<int64_t, double>> bic_by_k_;
};

}  // namespace prospect
