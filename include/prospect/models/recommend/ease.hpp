// EASE (Steck 2019, "Embarrassingly Shallow Autoencoders for Sparse Data"): an items × items
// weight matrix B in closed form. With G = XᵀX + λI over the users × items weights X and P = G⁻¹,
// B_ij = -P_ij / P_jj and B_jj = 0; a user's scores are x_u B. Exact, no iterations, but B is
// dense: items² numbers, so the catalogue is capped (`max_items`). Fit inverts G in place (about
// items³ flops on the Context's threads, items² doubles besides B) or, with far fewer users than
// items, goes through the users: G⁻¹ = (I - Xᵀ(XXᵀ + λI)⁻¹X) / λ. Either way B is the same to the
// bit on any thread count.
#pragma once

#include <cstdint>
#include <vector>

#include "prospect/common/params.hpp"
#include "prospect/models/recommend/recommender.hpp"

namespace prospect {

struct EaseParams {
  double lambda = 500;        ///< L2 weight on B (Steck used 500 for MovieLens-20M)
  int64_t max_items = 20000;  ///< above this, fitting is refused (B takes 4 bytes per pair)

  static const ParamSchema<EaseParams>& Schema();
};

class Ease final : public ModelWithParams<Recommender, EaseParams> {
 public:
  using ModelWithParams::ModelWithParams;
  /// Items j with the largest B_ij: the items whose presence most raises j's score.
  std::vector<ScoredItem> SimilarItems(int32_t item, size_t k) const override;
  /// B, row-major items × items.
  const std::vector<float>& weights() const { return b_; }

 protected:
  void FitChecked(const CsrMatrix& interactions, const Context& ctx) override;
  /// Keeps B: EASE holds no per-user state, so changed and new users are scored from their
  /// histories at once. New items get zero weights (never recommended) until the next Fit, since
  /// their weights need the whole inverse again.
  void UpdateChecked(const CsrMatrix& interactions, std::span<const int32_t> changed_users,
                     const Context& ctx) override;
  void ScoreInto(const UserHistory& history, std::span<float> out) const override;
  /// Weight × B of each history item to `item`.
  std::vector<double> ExplainChecked(const UserHistory& history, int32_t item) const override;
  void SaveState(ModelWriter& writer) const override;
  void LoadState(const ModelReader& reader) override;

 private:
  std::vector<float> b_;
};

}  // namespace prospect
