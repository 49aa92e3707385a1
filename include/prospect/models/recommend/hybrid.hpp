// A hybrid: a collaborative model (item-kNN, ALS, EASE, BPR) blended with content-based scores.
// Each side's scores for a user are divided by their largest magnitude, then mixed as
// (1 − content_weight) · base + content_weight · content. An item nobody chose in training gets
// nothing from the collaborative side and everything from its attributes, so new items still
// reach users; items with interactions keep the collaborative model's ranking.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "prospect/common/params.hpp"
#include "prospect/models/recommend/content.hpp"
#include "prospect/models/recommend/recommender.hpp"

namespace prospect {

struct HybridParams {
  std::string base = "item_knn";  ///< the collaborative model (its default parameters)
  double content_weight = 0.3;

  static const ParamSchema<HybridParams>& Schema();
};

class Hybrid final : public ModelWithParams<Recommender, HybridParams> {
 public:
  using ModelWithParams::ModelWithParams;
  /// The collaborative model's similar items.
  std::vector<ScoredItem> SimilarItems(int32_t item, size_t k) const override;

 protected:
  void FitChecked(const CsrMatrix& interactions, const Context& ctx) override;
  /// Updates both sides (each as its own header says).
  void UpdateChecked(const CsrMatrix& interactions, std::span<const int32_t> changed_users,
                     const Context& ctx) override;
  void ScoreInto(const UserHistory& history, std::span<float> out) const override;
  /// Both sides' explanations, scaled and mixed as the scores are.
  std::vector<double> ExplainChecked(const UserHistory& history, int32_t item) const override;
  void SaveState(ModelWriter& writer) const override;
  void LoadState(const ModelReader& reader) override;

 private:
  /// 1 / the largest |score| of each side for this history (0 when all scores are 0).
  std::pair<double, double> Scales(const UserHistory& history, std::vector<float>* base,
                                   std::vector<float>* content) const;

  std::unique_ptr<Recommender> base_;
  std::unique_ptr<ContentBased> content_;
};

}  // namespace prospect
