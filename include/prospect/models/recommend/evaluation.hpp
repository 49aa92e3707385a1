// Recommenders compared on one split: every named model is fitted on the train rows' matrix and
// ranks every item for each user who has held-out items (their training items excluded, no
// sampled negatives), and the lists are scored by EvaluateRanking. The split, its counts and each
// model's metrics and times come back together, so a table of results carries what made it.
#pragma once

#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/evaluate/interaction_split.hpp"
#include "prospect/evaluate/ranking.hpp"
#include "prospect/models/recommend/interactions.hpp"
#include "prospect/models/recommend/item_content.hpp"

namespace prospect {

/// A model to evaluate: a registry name and parameter overrides.
struct RecommenderRun {
  std::string model;
  nlohmann::json params = nlohmann::json::object();
  /// Diversity by MMR over each list (ListRules::mmr_lambda, rerank.hpp); 1: the model's order.
  double mmr_lambda = 1;
};

struct RecommenderResult {
  std::string model;
  nlohmann::json params;  ///< every parameter in effect
  RankingMetrics metrics;
  double fit_seconds = 0;
  double rank_seconds = 0;  ///< ranking every evaluated user's items
  double mmr_lambda = 1;    ///< as the run asked
  /// Mean IntraListDiversity of the lists (users with two or more items); NaN when no list has
  /// two items or the evaluation does not measure it (cold users).
  double diversity = std::numeric_limits<double>::quiet_NaN();
};

struct RecommenderEvaluation {
  /// The split's summary, then what the matrices hold: train users, items and interactions;
  /// held-out interactions kept, and those dropped because training never saw the user or item.
  nlohmann::json data;
  std::vector<RecommenderResult> results;  ///< in the order of the runs
  nlohmann::json ToJson() const;
};

/// Throws what BuildInteractions and the registry throw, and kInvalidData when no held-out
/// interaction has a user and an item seen in training. `attributes` (may be empty) describe the
/// items for the models that learn from content.
RecommenderEvaluation EvaluateRecommenders(const Table& table, const InteractionSpec& spec,
                                           const InteractionSplit& split,
                                           const std::vector<RecommenderRun>& runs, size_t k,
                                           const Context& ctx,
                                           const ItemAttributes& attributes = {});

/// Cold start for new items: a seeded `fraction` of the items (chosen among all items with
/// interactions) has every interaction hidden from training; the models fit on the rest, with
/// those items present as columns without interactions and described by `attributes`. Each user
/// seen in training who chose hidden items then ranks the hidden items only, and the lists are
/// scored as usual. data["random_recall"] is the recall at k a random order of the hidden items
/// would get, the bar to clear. kInvalidArgument for a fraction outside (0, 1).
RecommenderEvaluation EvaluateColdItems(const Table& table, const InteractionSpec& spec,
                                        const ItemAttributes& attributes, double fraction,
                                        const std::vector<RecommenderRun>& runs, size_t k,
                                        const Context& ctx);

/// Cold start for new users: a seeded `fraction` of the users has every interaction hidden, and
/// each is ranked with no history at all, twice: by the items most users chose ("popularity")
/// and by the items most users of their own group chose ("group_popularity"; `group_of` maps a
/// user id to a group, such as a segment; a user without one gets the overall list). Relevant:
/// every item they chose that training knows. kInvalidArgument for a fraction outside (0, 1).
RecommenderEvaluation EvaluateColdUsers(
    const Table& table, const InteractionSpec& spec,
    const std::unordered_map<std::string, std::string>& group_of, double fraction, size_t k,
    const Context& ctx);

}  // namespace prospect
