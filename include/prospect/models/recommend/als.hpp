// Implicit ALS (Hu, Koren & Volinsky 2008, "Collaborative Filtering for Implicit Feedback
// Datasets"): user and item factors that minimise Σ c (p − xᵤ·yᵢ)² + λ(‖X‖² + ‖Y‖²) over every
// (user, item), with preference p = 1 and confidence c = 1 + α w where the user has weight w on
// the item (p = 0, c = 1 elsewhere). Users and items are solved in turn, each row by conjugate
// gradient warm-started from its last value (Takács et al. 2011) or exactly by Cholesky.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "prospect/common/params.hpp"
#include "prospect/models/recommend/recommender.hpp"

namespace prospect {

struct AlsParams {
  int64_t factors = 64;
  double regularization = 0.01;  ///< λ
  double alpha = 1.0;            ///< confidence c = 1 + α · weight
  int64_t iterations = 15;
  std::string solver = "cg";  ///< cg | cholesky
  int64_t cg_steps = 3;       ///< conjugate-gradient steps per row and iteration

  static const ParamSchema<AlsParams>& Schema();
};

class Als final : public ModelWithParams<Recommender, AlsParams> {
 public:
  using ModelWithParams::ModelWithParams;
  /// Items by the cosine of their factors.
  std::vector<ScoredItem> SimilarItems(int32_t item, size_t k) const override;
  /// users × factors and items × factors, row-major.
  const std::vector<float>& user_factors() const { return user_factors_; }
  const std::vector<float>& item_factors() const { return item_factors_; }
  /// The objective after each iteration of the last Fit (not saved).
  const std::vector<double>& loss_history() const { return loss_history_; }

 protected:
  void FitChecked(const CsrMatrix& interactions, const Context& ctx) override;
  /// Folds new interactions in without a refit: the changed and new users' factors are solved
  /// exactly against the item factors, then the factors of every item those users touched (new
  /// items included), then those users once more so they see the new items. Other rows keep
  /// their factors until the next Fit.
  void UpdateChecked(const CsrMatrix& interactions, std::span<const int32_t> changed_users,
                     const Context& ctx) override;
  /// A training user (history.user >= 0) by their factors; anyone else by solving their factors
  /// from the history against the item factors (exactly), without a refit.
  void ScoreInto(const UserHistory& history, std::span<float> out) const override;
  std::span<const float> ItemVectors(size_t* dim) const override;
  /// The stored factors of a training user; anyone else's solved from the history.
  void UserVector(const UserHistory& history, std::span<float> out) const override;
  /// Hu et al.'s decomposition of the history's solved score (section 5).
  std::vector<double> ExplainChecked(const UserHistory& history, int32_t item) const override;
  void SaveState(ModelWriter& writer) const override;
  void LoadState(const ModelReader& reader) override;

 private:
  /// Fills item_gram_ from item_factors_ (after Fit and Load).
  void KeepItemGram();

  std::vector<float> user_factors_, item_factors_;
  /// YᵀY + λI of the item factors, f × f: solving a new user's factors needs it on every call,
  /// and computing it costs items · f² (26k items, 64 factors: about 0.1 s).
  std::vector<double> item_gram_;
  std::vector<double> loss_history_;
};

}  // namespace prospect
