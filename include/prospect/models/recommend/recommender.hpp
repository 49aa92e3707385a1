// The Recommender interface: every recommendation algorithm (popularity, item-kNN, ALS, BPR, EASE,
// and next content and hybrid) fits on a users × items CsrMatrix of interaction weights and
// scores every item for a user given that user's history. Ids live outside the model: rows and
// columns are indices (InteractionMatrix keeps the ids they stand for).
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/io/model_file.hpp"
#include "prospect/linalg/sparse.hpp"
#include "prospect/models/model.hpp"
#include "prospect/models/registry.hpp"

namespace prospect {

struct AnnParams;
class ItemVectorIndex;

/// Version of the recommender state inside the model-file container (block "recommend_meta").
/// 2 adds the optional item features.
inline constexpr int kRecommenderFormatVersion = 2;

/// One user's history as a recommender scores it. A user of the training matrix passes its row
/// index and that row; a new user, or one whose history changed since training, passes user = -1
/// and the items: every algorithm here scores from the history itself.
struct UserHistory {
  int64_t user = -1;                ///< row in the training matrix, or -1
  std::span<const int32_t> items;   ///< item indices, each at most once
  std::span<const double> weights;  ///< one per item; empty: all 1
};

/// Row `user` of `interactions` as a UserHistory. Its spans point into `interactions`, which must
/// outlive it.
UserHistory HistoryOf(const CsrMatrix& interactions, size_t user);

/// What Recommend may not return.
struct RecommendFilter {
  bool exclude_history = true;       ///< the items of the user's history (what they already bought)
  std::span<const int32_t> allow{};  ///< when not empty, only these items
  std::span<const int32_t> deny{};   ///< never these items
};

struct ScoredItem {
  int32_t item = 0;
  float score = 0;
  bool operator==(const ScoredItem&) const = default;
};

/// A recommendation model. Not thread-safe for concurrent Fit; const methods may run concurrently.
///
/// Documented errors (asserted in tests/conformance/recommender_conformance_test.cpp):
/// - Scores, Recommend, SimilarItems or Save before Fit: kFailedPrecondition (Model::CheckTrained).
/// - Fit on a matrix without users, items or interactions: kInvalidData "<type>: no training
///   rows" / "<type>: no features" / "<type>: the interaction matrix holds no interactions".
/// - A weight that is not finite and positive: kInvalidData naming the user and item indices.
/// - A history item outside the trained items, or a user index past the trained users:
///   kInvalidArgument naming the index and the count.
class Recommender : public Model {
 public:
  /// Fits on a users × items matrix of positive weights (implicit confidence: counts, weighted
  /// events; or positive ratings). Deterministic for ctx.seed(), whatever ctx.threads(), unless
  /// the registry's trait same_across_threads is false (BPR): then with one thread only.
  void Fit(const CsrMatrix& interactions, const Context& ctx);
  /// Item attributes (items × features, row i for column i of the interaction matrix; see
  /// item_content.hpp) for the algorithms that learn from content (content, hybrid); the others
  /// ignore them. Set before Fit, and again with rows for new items before an Update that adds
  /// items; saved with the model. Fit and Update check the row count.
  void SetItemFeatures(CsrMatrix features) { item_features_ = std::move(features); }
  const CsrMatrix& item_features() const { return item_features_; }
  /// Takes in interactions added since Fit without a full refit where the algorithm allows it
  /// (its header says what it does; the default is a refit). `interactions` is the whole matrix
  /// now: the trained users and items keep their indices and new ones follow; `changed_users`
  /// are the rows that gained entries. The same checks as Fit, and kInvalidArgument for a matrix
  /// with fewer users or items than the trained one or a changed user outside it.
  void Update(const CsrMatrix& interactions, std::span<const int32_t> changed_users,
              const Context& ctx);
  /// The score of every item (num_items() of them) for a user with `history`; higher is better.
  std::vector<float> Scores(const UserHistory& history) const;
  /// The k best items under `filter`, best first; ties go to the lower item index. With an index
  /// (BuildIndex), approximately: the index's search instead of every item's score.
  std::vector<ScoredItem> Recommend(const UserHistory& history, size_t k,
                                    const RecommendFilter& filter = {}) const;
  /// How much each item of `history` adds to `item`'s score, one value per history item: the
  /// "because you chose X" of a recommendation. Item-based models and content give their exact
  /// terms, ALS Hu et al.'s decomposition (section 5), BPR each item's factor cosine with `item`,
  /// popularity zeros.
  std::vector<double> Explain(const UserHistory& history, int32_t item) const;
  /// The k items most similar to `item` (itself excluded), best first. kInvalidArgument for an
  /// algorithm without item similarity (popularity).
  virtual std::vector<ScoredItem> SimilarItems(int32_t item, size_t k) const = 0;

  /// Builds an approximate top-k index (ann.hpp) over the item vectors of a model whose scores
  /// are dot products of a user vector and item vectors (als, bpr); Recommend then searches it.
  /// kInvalidArgument for other models. Fit, Update and Load drop it.
  void BuildIndex(const AnnParams& params, const Context& ctx);
  bool has_index() const { return index_ != nullptr; }
  /// True for a fitted model BuildIndex can index (scores are dot products of vectors).
  bool Indexable() const {
    size_t dim = 0;
    return fitted_ && !ItemVectors(&dim).empty();
  }

  bool fitted() const { return fitted_; }
  size_t num_users() const { return num_users_; }
  size_t num_items() const { return num_items_; }

  /// Serialises the fitted model (type tag "recommend/<type>").
  std::string Save() const override;
  /// Re-creates a saved model of any registered type, validating every payload. Throws
  /// kInvalidData for malformed bytes or a file of another kind.
  static std::unique_ptr<Recommender> Load(std::string_view bytes);

 protected:
  /// The model's own training, on input Fit has checked.
  virtual void FitChecked(const CsrMatrix& interactions, const Context& ctx) = 0;
  /// The model's own update, on input Update has checked; num_users() and num_items() are still
  /// the trained counts. The default refits.
  virtual void UpdateChecked(const CsrMatrix& interactions, std::span<const int32_t> changed_users,
                             const Context& ctx);
  /// Adds nothing and assumes nothing: writes the score of every item into `out` (num_items()).
  virtual void ScoreInto(const UserHistory& history, std::span<float> out) const = 0;
  /// Explain on checked input.
  virtual std::vector<double> ExplainChecked(const UserHistory& history, int32_t item) const = 0;
  virtual void SaveState(ModelWriter& writer) const = 0;
  virtual void LoadState(const ModelReader& reader) = 0;

  /// Models whose score is a dot product: the item vectors (num_items() × *dim, row-major; empty
  /// for other models) and a user's vector for `history` (*dim values).
  virtual std::span<const float> ItemVectors(size_t* dim) const;
  virtual void UserVector(const UserHistory& history, std::span<float> out) const;

  /// Fitted and `item` a trained item.
  void CheckItem(int64_t item) const;
  /// The cosine between `item`'s vector and every item's, over the first `used` of each row's
  /// `stride` values (factor models' SimilarItems; a zero vector has cosine 0).
  static std::vector<float> VectorCosines(std::span<const float> vectors, size_t stride,
                                          size_t used, int32_t item);
  /// The k best of `scores` over items other than `item`, as SimilarItems returns them.
  static std::vector<ScoredItem> BestOthers(std::span<const float> scores, int32_t item, size_t k);

 private:
  void CheckHistory(const UserHistory& history) const;
  /// The matrix is valid training data, and the item features (when set) cover its items.
  void CheckInteractions(const CsrMatrix& interactions) const;

  bool fitted_ = false;
  size_t num_users_ = 0;
  size_t num_items_ = 0;
  CsrMatrix item_features_;  ///< 0 × 0 when none were set
  std::shared_ptr<const ItemVectorIndex> index_;
};

/// Every recommendation algorithm, in registration order (models/recommend/register.cpp).
/// Unknown names: kInvalidArgument
/// "Unknown recommender "eas". Did you mean "ease"? Valid recommenders: …".
const Registry<Recommender>& RecommenderRegistry();

}  // namespace prospect
