// Item-kNN: items are similar when the same users chose them. Each item keeps its `neighbours`
// most similar items; a user's score for item j sums, over the items i of their history, the
// history weight of i times the similarity of i to j.
//
// Before the similarity, the users × items weights w_ui may be re-weighted (`weighting`):
//   cosine: w_ui as they are; sim(i, j) = <w_i, w_j> / (|w_i| |w_j| + shrinkage)
//   tfidf:  w_ui = sqrt(w_ui) * idf_i, idf_i = ln(U) - ln(1 + U_i)  (U users, U_i those of item i)
//   bm25:   w_ui = w_ui (k1 + 1) / (k1 L_u + w_ui) * idf_i, L_u = 1 - b + b r_u / mean(r),
//           r_u = the user's total weight
// and for tfidf and bm25 sim(i, j) = <w_i, w_j> (the weighting already normalises). These are the
// three item-item models of the implicit library (Frederickson); an item is never its own
// neighbour.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "prospect/common/params.hpp"
#include "prospect/models/recommend/recommender.hpp"

namespace prospect {

struct ItemKnnParams {
  int64_t neighbours = 100;          ///< similar items kept per item
  std::string weighting = "cosine";  ///< cosine | tfidf | bm25
  double shrinkage = 0;              ///< cosine only: added to its denominator, damps rare pairs
  double bm25_k1 = 1.2;
  double bm25_b = 0.75;

  static const ParamSchema<ItemKnnParams>& Schema();
};

class ItemKnn final : public ModelWithParams<Recommender, ItemKnnParams> {
 public:
  using ModelWithParams::ModelWithParams;
  std::vector<ScoredItem> SimilarItems(int32_t item, size_t k) const override;
  /// items × items, row i holding item i's neighbours and their similarities.
  const CsrMatrix& similarity() const { return similarity_; }

 protected:
  void FitChecked(const CsrMatrix& interactions, const Context& ctx) override;
  /// Recomputes the neighbours of the items the changed users touched and of new items, on the
  /// whole matrix; every other item keeps its neighbours until the next Fit.
  void UpdateChecked(const CsrMatrix& interactions, std::span<const int32_t> changed_users,
                     const Context& ctx) override;
  void ScoreInto(const UserHistory& history, std::span<float> out) const override;
  /// Weight × similarity of each history item to `item`.
  std::vector<double> ExplainChecked(const UserHistory& history, int32_t item) const override;
  void SaveState(ModelWriter& writer) const override;
  void LoadState(const ModelReader& reader) override;

 private:
  /// The kept neighbours of each item of `rows`, computed on `interactions`.
  std::vector<std::vector<ScoredItem>> NeighbourRows(const CsrMatrix& interactions,
                                                     std::span<const int32_t> rows,
                                                     const Context& ctx) const;

  CsrMatrix similarity_;
};

}  // namespace prospect
