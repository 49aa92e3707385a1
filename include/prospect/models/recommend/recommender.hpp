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

/// Version of the recommender state inside the model-file container (block "recommend_meta").
inline constexpr int kRecommenderFormatVersion = 1;

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
  bool exclude_history = true;     ///< the items of the user's history (what they already bought)
  std::span<const int32_t> allow;  ///< when not empty, only these items
  std::span<const int32_t> deny;   ///< never these items
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
  /// The score of every item (num_items() of them) for a user with `history`; higher is better.
  std::vector<float> Scores(const UserHistory& history) const;
  /// The k best items under `filter`, best first; ties go to the lower item index.
  std::vector<ScoredItem> Recommend(const UserHistory& history, size_t k,
                                    const RecommendFilter& filter = {}) const;
  /// The k items most similar to `item` (itself excluded), best first. kInvalidArgument for an
  /// algorithm without item similarity (popularity).
  virtual std::vector<ScoredItem> SimilarItems(int32_t item, size_t k) const = 0;

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
  /// Adds nothing and assumes nothing: writes the score of every item into `out` (num_items()).
  virtual void ScoreInto(const UserHistory& history, std::span<float> out) const = 0;
  virtual void SaveState(ModelWriter& writer) const = 0;
  virtual void LoadState(const ModelReader& reader) = 0;

  /// Fitted and `item` a trained item.
  void CheckItem(int64_t item) const;
  /// The k best of `scores` over items other than `item`, as SimilarItems returns them.
  static std::vector<ScoredItem> BestOthers(std::span<const float> scores, int32_t item, size_t k);

 private:
  void CheckHistory(const UserHistory& history) const;

  bool fitted_ = false;
  size_t num_users_ = 0;
  size_t num_items_ = 0;
};

/// Every recommendation algorithm, in registration order (models/recommend/register.cpp).
/// Unknown names: kInvalidArgument
/// "Unknown recommender "eas". Did you mean "ease"? Valid recommenders: …".
const Registry<Recommender>& RecommenderRegistry();

}  // namespace prospect
