// A trained recommender as the workspace keeps it (stored object kind "recommender", versioned):
// the model, the interaction matrix it learned from with the ids of its rows and columns, and
// the spec that built that matrix, so recommendations, similar items and updates work by id.
// Training, loading, recommending and updating go through here; the CLI only translates.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/models/recommend/evaluation.hpp"
#include "prospect/models/recommend/interactions.hpp"
#include "prospect/models/recommend/item_content.hpp"
#include "prospect/models/recommend/popularity.hpp"
#include "prospect/models/recommend/recommender.hpp"
#include "prospect/store/store.hpp"

namespace prospect {

struct RecommendTrainRequest {
  std::string table = "events";
  InteractionSpec spec{.user_column = "customer_id", .item_column = "item_id"};
  std::string model = "als";
  nlohmann::json params = nlohmann::json::object();  ///< overrides of the model's defaults
  std::string name;                                  ///< default TABLE_MODEL
  /// Item attributes (content, hybrid). With them, every item the attribute tables name is in
  /// the model, chosen by someone or not.
  std::vector<ItemContentSource> content;
  /// "TABLE:ID_COLUMN:GROUP_COLUMN" (LoadLabels): a user without history gets the items most
  /// chosen in their group instead of overall. Read at train; kept with the model.
  std::string groups;
};

/// The attribute tables of `sources`, loaded from the store (only the columns they name).
ItemAttributes LoadItemAttributes(Store& store, std::span<const ItemContentSource> sources,
                                  const Context& ctx);

/// What may be recommended, by id (RecommendFilter's rules; ids the model does not know are
/// ignored, since they can never be recommended anyway).
struct RecommendRules {
  bool exclude_history = true;     ///< leave out what the user already has
  std::vector<std::string> allow;  ///< when not empty, only these items
  std::vector<std::string> deny;   ///< never these items
  /// Each item's category (item id → category, LoadLabels), for the rules below; an item not
  /// in it has none.
  std::unordered_map<std::string, std::string> category_of;
  std::vector<std::string> categories;  ///< when not empty, only items of these categories
  size_t max_per_category = 0;          ///< at most this many of one category (0: no cap)
  double mmr_lambda = 1;  ///< diversity by MMR (rerank.hpp): 1 keeps the model's order
};

struct Recommendation {
  std::string item;
  float score = 0;
  /// Why: "because you chose X" (the history item that contributes most), or the rule that
  /// produced it ("popular: no history for this user").
  std::string reason;
};

class RecommenderPackage {
 public:
  std::string name;
  int64_t version = 0;
  nlohmann::json meta;  ///< type, table, spec, params, counts, seed, data fingerprint
  InteractionSpec spec;
  InteractionMatrix interactions;  ///< what the model was trained (or last updated) on
  std::unique_ptr<Recommender> model;
  /// Users' groups for cold start (empty without --groups), every user of the group table
  /// included, with or without interactions.
  std::unordered_map<std::string, std::string> group_of;

  /// Builds the id lookups, the popularity fallback and the items' user sets; Train, Load and
  /// Update call it.
  void Index();
  std::optional<size_t> FindUser(std::string_view id) const;
  std::optional<int32_t> FindItem(std::string_view id) const;

  /// The k best items for user `user`, best first, from their history. A user the model never
  /// saw gets the items most users of their group chose (group_of), else most users overall,
  /// scored by those users' number, with that as the reason (never an index error).
  /// With `with_reasons`, each pick says why (Recommender::Explain per pick: cheap for item-kNN,
  /// EASE and content, an f × f solve for ALS); without, reason is empty for trained users.
  /// `rules` decide what may come (history, allow, deny, categories) and then shape the list
  /// (caps per category, MMR), both for trained users and for the popularity fallback.
  /// kInvalidArgument for rules that cannot hold (ListRules::Check; category rules without
  /// categories).
  std::vector<Recommendation> Top(std::string_view user, size_t k, const RecommendRules& rules = {},
                                  bool with_reasons = false) const;
  /// Top for each of `users`, as a table: user, rank (1 = best), item, score, and reason when
  /// `with_reasons`. Users in parallel over ctx.threads(); rows in the order of `users`.
  Table TopTable(std::span<const std::string> users, size_t k, const RecommendRules& rules,
                 bool with_reasons, const Context& ctx) const;
  /// The k items most like `item`. kNotFound naming the id when the model does not know it.
  std::vector<Recommendation> Similar(std::string_view item, size_t k) const;

  /// The model file: the model, the ids and the matrix (what the store keeps as the body).
  std::string Save() const;
  /// Reads what Save wrote; kInvalidData for anything malformed or inconsistent.
  static RecommenderPackage Load(std::string_view bytes);

 private:
  struct ResolvedRules;  // RecommendRules by index, worked out once per Top or TopTable
  ResolvedRules Resolve(const RecommendRules& rules) const;
  std::vector<Recommendation> TopResolved(std::string_view user, size_t k,
                                          const ResolvedRules& rules, bool with_reasons) const;

  std::unordered_map<std::string, size_t> user_index_;
  std::unordered_map<std::string, int32_t> item_index_;
  std::vector<std::string> group_names_;
  std::unordered_map<std::string, int32_t> group_number_;
  GroupPopularity popular_;
  CsrMatrix item_users_;  ///< the interaction matrix transposed: item similarity for MMR
};

struct RecommendTrainResult {
  std::string name;
  int64_t version = 0;
  nlohmann::json summary;  ///< the stored meta, with name and version
};

/// Builds the matrix from `request.table`, fits the model and stores it as the next version of
/// `request.name`. Audited.
RecommendTrainResult TrainRecommender(Store& store, const RecommendTrainRequest& request,
                                      const Context& ctx);
/// The latest version of recommender `name`, or `version`. kNotFound listing the recommenders.
RecommenderPackage LoadRecommender(Store& store, const std::string& name, int64_t version = 0);
/// Adds the interactions of `table` (read with the model's own spec) to recommender `name`
/// without a full refit (Recommender::Update) and stores the result as its next version.
RecommendTrainResult UpdateRecommender(Store& store, const std::string& name,
                                       const std::string& table, const Context& ctx);
/// A label per id from "TABLE:ID_COLUMN:COLUMN": each user's group (segments:customer_id:
/// segment_name) or each item's category (items:item_id:category). id → the column's text;
/// rows with a null id or label are skipped. kInvalidArgument naming `option` (the flag that
/// gave `source`) for another form, kNotFound for a missing table or column.
std::unordered_map<std::string, std::string> LoadLabels(Store& store, std::string_view source,
                                                        std::string_view option,
                                                        const Context& ctx);

/// Keeps an evaluation (kind "recommend_evaluation", named after the table) for the report.
void SaveRecommendEvaluation(Store& store, const std::string& table,
                             const RecommenderEvaluation& evaluation);

/// Latest version of every stored recommender: name, version, type, table, counts, created_at.
nlohmann::json ListRecommenders(Store& store);

}  // namespace prospect
