// BPR (Rendle, Freudenthaler, Gantner & Schmidt-Thieme 2009, "BPR: Bayesian Personalized Ranking
// from Implicit Feedback"): user and item factors trained by SGD so that each user scores the items
// of their history above the items outside it, maximising Σ ln σ(xᵤ·(yᵢ − yⱼ)) − λ‖Θ‖² over
// sampled (user u, positive i, negative j) triples.
//
// As in the implicit library, an item bias is the last factor column, with the user side fixed to
// 1, and weights only mark positives (any positive weight counts the same). An epoch draws as many
// triples as there are interactions: a user uniformly among those with interactions (MyMediaLite's
// uniform user sampling: light users weigh as much as they do in per-user metrics; drawing
// interactions instead lost 0.016 NDCG@10 on MovieLens-small), one of their items, and a negative
// uniformly among the items. The step size falls linearly from learning_rate to near 0 over the
// epochs.
//
// Threads: each draws its share of an epoch from its own stream (seed, thread index) and updates
// the shared factors without locks ("Hogwild", Recht et al. 2011, as implicit does). Its accesses
// are relaxed atomic ones, which keep the races defined behaviour (TSan-clean) but run scalar:
// a step costs 2-2.5 times a lone thread's vectorised one, so the threads pay off only beyond
// two cores (BENCHMARKS.md). With 1 thread the model is a function of the data and the seed, bit
// for bit. With more, the threads' updates interleave as the scheduler runs them, so fits differ
// in their bits, run to run and between thread counts; their ranking quality agrees within a
// tolerance (tests/unit/models/recommend/bpr_test.cpp: held-out AUC within 0.02 of one thread's).
// The registry says so with the trait same_across_threads = false.
#pragma once

#include <cstdint>
#include <vector>

#include "prospect/common/params.hpp"
#include "prospect/models/recommend/recommender.hpp"

namespace prospect {

struct BprParams {
  int64_t factors = 64;
  double learning_rate = 0.3;     ///< at the first epoch, falling linearly to near 0 by the last
  double regularization = 0.015;  ///< λ, applied at every update of a row
  int64_t iterations = 100;       ///< epochs of nnz sampled triples each
  /// Redraw a negative the user has in their history (up to 10 draws, then skip the triple).
  bool verify_negative_samples = true;

  static const ParamSchema<BprParams>& Schema();
};

class Bpr final : public ModelWithParams<Recommender, BprParams> {
 public:
  using ModelWithParams::ModelWithParams;
  /// Items by the cosine of their factors (the bias column left out: it is popularity, not taste).
  std::vector<ScoredItem> SimilarItems(int32_t item, size_t k) const override;
  /// users × (factors + 1) (last column 1) and items × (factors + 1) (last column the item bias),
  /// row-major.
  const std::vector<float>& user_factors() const { return user_factors_; }
  const std::vector<float>& item_factors() const { return item_factors_; }
  /// After each epoch of the last Fit, the share of its triples already ranked right (x_uij > 0)
  /// before their update: the training AUC as implicit reports it (not saved).
  const std::vector<double>& training_auc_history() const { return training_auc_; }

 protected:
  void FitChecked(const CsrMatrix& interactions, const Context& ctx) override;
  /// A training user (history.user >= 0) by their factors. Anyone else is folded in: BPR has no
  /// closed form for one user, so their factors start at 0 and take the SGD steps a training user
  /// with that history would over `iterations` epochs (|history| per epoch), against the frozen
  /// item factors, with negatives from a fixed-seed stream: deterministic, and O(iterations ·
  /// |history| · factors). Every history item is a positive, whatever its weight.
  void ScoreInto(const UserHistory& history, std::span<float> out) const override;
  /// BPR's score has no per-item decomposition: each history item's cosine with `item` (factors
  /// without the bias), times its weight — which of the user's items `item` is most like. (The
  /// default, leaving each item out of a fold-in, would cost |history| SGD runs per item.)
  std::vector<double> ExplainChecked(const UserHistory& history, int32_t item) const override;
  /// The factors with the bias column (so the dot product is the score).
  std::span<const float> ItemVectors(size_t* dim) const override;
  /// A training user's factors; anyone else's folded in as ScoreInto describes.
  void UserVector(const UserHistory& history, std::span<float> out) const override;
  void SaveState(ModelWriter& writer) const override;
  void LoadState(const ModelReader& reader) override;

 private:
  std::vector<float> user_factors_, item_factors_;
  std::vector<double> training_auc_;
};

}  // namespace prospect
